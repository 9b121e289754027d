#include "formats/yaml_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "base/strings.h"

namespace glueguard {

Result<YAML::Node> YamlReader::LoadMap(std::string_view yaml, std::string_view source,
                                       std::string_view not_a_map) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(fmt::format("{}:{}: not valid YAML: {}", source, e.mark.line + 1, e.msg));
  }
  if (!root.IsMap()) return Status::InvalidArgument(fmt::format("{}:1: {}", source, not_a_map));
  return root;
}

Status YamlReader::ToStatus() const {
  if (errors_.empty()) return Status::Ok();
  std::string message;
  for (const std::string& e : errors_) {
    if (!message.empty()) message += "\n";
    message += e;
  }
  return Status::InvalidArgument(message);
}

void YamlReader::Error(const YAML::Node& at, const std::string& path, const std::string& message) {
  const int line = at.IsDefined() ? at.Mark().line + 1 : 0;
  Error(line, path, message);
}
void YamlReader::Error(int line, const std::string& path, const std::string& message) {
  errors_.push_back(fmt::format("{}:{}: {}: {}", source_, line, path, message));
}

void YamlReader::CheckKeys(const YAML::Node& map, const std::string& path,
                           const std::vector<std::string>& allowed) {
  for (const auto& entry : map) {
    const std::string key = entry.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string message = fmt::format("unknown key '{}'", key);
    if (auto near = ClosestMatch(key, allowed)) message += fmt::format(" (did you mean '{}'?)", *near);
    Error(entry.first, Join(path, key), message);
  }
}

bool YamlReader::ReadString(const YAML::Node& map, const std::string& path, const char* key, std::string& out,
                            bool required) {
  const YAML::Node node = map[key];
  if (!node) {
    if (required) Error(map, Join(path, key), "is required");
    return !required;
  }
  if (!node.IsScalar() || node.Scalar().empty()) {
    Error(node, Join(path, key), "must be a non-empty string");
    return false;
  }
  out = node.Scalar();
  return true;
}

bool YamlReader::ReadInt(const YAML::Node& map, const std::string& path, const char* key, int& out, int min,
                         int max) {
  const YAML::Node node = map[key];
  if (!node) return true;
  int value = 0;
  if (!node.IsScalar() || !YAML::convert<int>::decode(node, value)) {
    Error(node, Join(path, key),
          fmt::format("'{}' is not a whole number", node.IsScalar() ? node.Scalar() : "?"));
    return false;
  }
  if (value < min || value > max) {
    Error(node, Join(path, key), fmt::format("{} is out of range {}..{}", value, min, max));
    return false;
  }
  out = value;
  return true;
}

bool YamlReader::ReadDouble(const YAML::Node& map, const std::string& path, const char* key, double& out,
                            double min, double max) {
  const YAML::Node node = map[key];
  if (!node) return true;
  const std::string text = node.IsScalar() ? node.Scalar() : "";
  const std::optional<double> number = ParseNumber(text);
  if (!number) {
    Error(node, Join(path, key), fmt::format("'{}' is not a number", node.IsScalar() ? text : "?"));
    return false;
  }
  const double value = *number;
  if (!(value >= min && value <= max)) {
    Error(node, Join(path, key), fmt::format("{} is out of range {}..{}", text, min, max));
    return false;
  }
  out = value;
  return true;
}

bool YamlReader::ReadFraction(const YAML::Node& map, const std::string& path, const char* key, double& out) {
  const YAML::Node node = map[key];
  if (!node) return true;
  std::string text = node.IsScalar() ? node.Scalar() : "";
  double scale = 1.0;
  if (!text.empty() && text.back() == '%') {
    text.pop_back();
    scale = 100.0;
  }
  const std::optional<double> value = ParseNumber(text);
  if (!value) {
    Error(node, Join(path, key), fmt::format("'{}' is not a fraction like 0.8 or 80%", node.Scalar()));
    return false;
  }
  const double fraction = *value / scale;
  if (!(fraction > 0.0 && fraction <= 1.0)) {
    Error(node, Join(path, key), fmt::format("'{}' must be above 0 and at most 1 (100%)", node.Scalar()));
    return false;
  }
  out = fraction;
  return true;
}

bool YamlReader::ReadBool(const YAML::Node& map, const std::string& path, const char* key, bool& out) {
  const YAML::Node node = map[key];
  if (!node) return true;
  const std::optional<bool> value = node.IsScalar() ? ParseStrictBool(node.Scalar()) : std::nullopt;
  if (!value) {
    Error(node, Join(path, key),
          fmt::format("'{}' is not true or false", node.IsScalar() ? node.Scalar() : "?"));
    return false;
  }
  out = *value;
  return true;
}

bool YamlReader::ReadDuration(const YAML::Node& map, const std::string& path, const char* key,
                              Duration& out) {
  const YAML::Node node = map[key];
  if (!node) return true;
  Result<Duration> d = node.IsScalar() ? ParseDuration(node.Scalar())
                                       : Result<Duration>(Status::InvalidArgument("not a scalar"));
  if (!d.ok()) {
    Error(node, Join(path, key), d.status().message());
    return false;
  }
  if (d->count() <= 0) {
    Error(node, Join(path, key), "must be longer than zero");
    return false;
  }
  out = *d;
  return true;
}

std::string YamlReader::Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

bool YamlReader::ReadStringList(const YAML::Node& map, const std::string& path, const char* key,
                                std::optional<std::vector<std::string>>& out) {
  const YAML::Node node = map[key];
  if (!node) return true;
  const std::string where = Join(path, key);
  std::vector<std::string> items;
  if (node.IsScalar() && !node.Scalar().empty()) {
    items.push_back(node.Scalar());
  } else if (node.IsSequence() && node.size() > 0) {
    for (size_t i = 0; i < node.size(); ++i) {
      if (!node[i].IsScalar() || node[i].Scalar().empty()) {
        Error(node[i], fmt::format("{}[{}]", where, i), "must be a non-empty string");
        return false;
      }
      items.push_back(node[i].Scalar());
    }
  } else {
    Error(node, where, "must be a non-empty list of strings");
    return false;
  }
  std::set<std::string> seen;
  for (const std::string& item : items) {
    if (!seen.insert(item).second) {
      Error(node, where, fmt::format("'{}' is listed twice", item));
      return false;
    }
  }
  out = std::move(items);
  return true;
}

bool YamlReader::ReadSignedCount(const YAML::Node& map, const std::string& path, const char* key, int& out) {
  const YAML::Node node = map[key];
  if (!node) return true;
  int value = 0;
  if (!node.IsScalar() || !YAML::convert<int>::decode(node, value)) {
    Error(node, Join(path, key),
          fmt::format("'{}' is not a whole number", node.IsScalar() ? node.Scalar() : "?"));
    return false;
  }
  if (value < 0) {
    Error(node, Join(path, key), fmt::format("a buffer cannot be negative ({})", value));
    return false;
  }
  out = value;
  return true;
}

}  // namespace glueguard
