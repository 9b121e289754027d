#include "aws/shared_config.h"
#include "base/strings.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace glueguard {

namespace {


// Parses INI text into section name -> keys. A key whose value is empty starts a nested block: the indented
// "k = v" lines after it are stored as "key.k".
Result<std::map<std::string, std::map<std::string, std::string>>> ParseIni(std::string_view text,
                                                                           std::string_view file_name) {
  std::map<std::string, std::map<std::string, std::string>> sections;
  std::map<std::string, std::string>* current = nullptr;
  std::string nested_parent;
  int line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const std::string_view raw = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end == std::string_view::npos ? text.size() : end + 1;
    ++line_number;
    const bool indented = !raw.empty() && (raw.front() == ' ' || raw.front() == '\t');
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') {
        return Status::InvalidArgument(fmt::format("{}:{}: section header '{}' has no closing ']'", file_name,
                                                   line_number, line));
      }
      current = &sections[std::string(Trim(line.substr(1, line.size() - 2)))];
      nested_parent.clear();
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument(
          fmt::format("{}:{}: expected 'key = value', got '{}'", file_name, line_number, line));
    }
    if (current == nullptr) {
      return Status::InvalidArgument(
          fmt::format("{}:{}: '{}' comes before any [section]", file_name, line_number, line));
    }
    const std::string key(Trim(line.substr(0, eq)));
    const std::string value(Trim(line.substr(eq + 1)));
    if (indented && !nested_parent.empty()) {
      (*current)[nested_parent + "." + key] = value;
      continue;
    }
    nested_parent = value.empty() ? key : "";
    (*current)[key] = value;
  }
  return sections;
}

Result<std::string> ReadOptionalFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string();
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Unavailable(fmt::format("cannot read '{}'", path));
  return text.str();
}

}  // namespace

Result<SharedConfig> SharedConfig::Parse(std::string_view config_text, std::string_view credentials_text,
                                         std::string_view config_name, std::string_view credentials_name) {
  auto config = ParseIni(config_text, config_name);
  if (!config.ok()) return config.status();
  auto credentials = ParseIni(credentials_text, credentials_name);
  if (!credentials.ok()) return credentials.status();
  SharedConfig out;
  for (auto& [section, keys] : *config) {
    if (section == "default") {
      out.config_profiles_["default"] = keys;
    } else if (section.rfind("profile ", 0) == 0) {
      out.config_profiles_[std::string(Trim(std::string_view(section).substr(8)))] = keys;
    } else if (section.rfind("services ", 0) == 0) {
      out.services_[std::string(Trim(std::string_view(section).substr(9)))] = keys;
    }
  }
  out.credentials_profiles_ = std::move(*credentials);
  return out;
}

Result<SharedConfig> SharedConfig::Load(const EnvLookup& env) {
  const std::string home = env("HOME").value_or("");
  const std::string config_path = env("AWS_CONFIG_FILE").value_or(home + "/.aws/config");
  const std::string credentials_path = env("AWS_SHARED_CREDENTIALS_FILE").value_or(home + "/.aws/credentials");
  Result<std::string> config_text = ReadOptionalFile(config_path);
  if (!config_text.ok()) return config_text.status();
  Result<std::string> credentials_text = ReadOptionalFile(credentials_path);
  if (!credentials_text.ok()) return credentials_text.status();
  Result<SharedConfig> parsed = Parse(*config_text, *credentials_text, config_path, credentials_path);
  if (!parsed.ok()) return parsed.status();
  if (auto profile = env("AWS_PROFILE")) {
    parsed->profile_ = *profile;
  } else if (auto legacy = env("AWS_DEFAULT_PROFILE")) {
    parsed->profile_ = *legacy;
  }
  return parsed;
}

bool SharedConfig::HasProfile(const std::string& profile) const {
  return config_profiles_.count(profile) > 0 || credentials_profiles_.count(profile) > 0;
}

std::optional<std::string> SharedConfig::Get(const std::string& profile, const std::string& key) const {
  for (const auto* profiles : {&credentials_profiles_, &config_profiles_}) {
    auto p = profiles->find(profile);
    if (p == profiles->end()) continue;
    auto k = p->second.find(key);
    if (k != p->second.end()) return k->second;
  }
  return std::nullopt;
}

std::optional<std::string> SharedConfig::GetService(const std::string& section, const std::string& service,
                                                    const std::string& key) const {
  auto s = services_.find(section);
  if (s == services_.end()) return std::nullopt;
  auto k = s->second.find(service + "." + key);
  if (k == s->second.end()) return std::nullopt;
  return k->second;
}

}  // namespace glueguard
