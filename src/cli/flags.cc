#include "cli/flags.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"

namespace glueguard {

Result<Flags> Flags::Parse(const std::vector<FlagSpec>& specs, const std::vector<std::string>& args) {
  Flags flags;
  bool only_positional = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_positional || arg.size() < 3 || arg.rfind("--", 0) != 0) {
      if (arg == "--") {
        only_positional = true;
        continue;
      }
      if (!only_positional && arg.size() > 1 && arg[0] == '-' && arg != "-") {
        return Status::InvalidArgument(fmt::format("unknown option '{}' (options are spelled --name)", arg));
      }
      flags.positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    auto spec = std::find_if(specs.begin(), specs.end(), [&](const FlagSpec& s) { return s.name == name; });
    if (spec == specs.end()) {
      std::vector<std::string> names;
      for (const FlagSpec& s : specs) names.push_back(s.name);
      std::string message = fmt::format("unknown option '--{}'", name);
      if (auto near = ClosestMatch(name, names)) message += fmt::format("; did you mean '--{}'?", *near);
      return Status::InvalidArgument(message);
    }
    if (spec->takes_value && !value) {
      if (i + 1 >= args.size())
        return Status::InvalidArgument(fmt::format("option '--{}' needs a value", name));
      value = args[++i];
    }
    if (!spec->takes_value && value) {
      return Status::InvalidArgument(fmt::format("option '--{}' takes no value", name));
    }
    if (!spec->repeatable && flags.Has(name)) {
      return Status::InvalidArgument(fmt::format("option '--{}' is given more than once", name));
    }
    flags.values_[name].push_back(value.value_or("true"));
  }
  return flags;
}

std::optional<std::string> Flags::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> Flags::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::string FormatFlagHelp(const std::vector<FlagSpec>& specs) {
  std::string out;
  for (const FlagSpec& s : specs) {
    const std::string left = s.takes_value ? fmt::format("--{} {}", s.name, s.value_name) : "--" + s.name;
    out += fmt::format("  {:<26} {}\n", left, s.help);
  }
  return out;
}

}  // namespace glueguard
