// A small command-line flag parser: --name VALUE, --name=VALUE, boolean --name, and positional arguments.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace glueguard {

struct FlagSpec {
  std::string name;  // without the leading "--"
  std::string help;  // one line
  bool takes_value = true;
  bool repeatable = false;
  std::string value_name = "VALUE";
};

class Flags {
 public:
  // Parses `args` against `specs`. Errors name the flag: unknown (with a "did you mean"), missing value,
  // given twice when not repeatable. "--" ends flags; later arguments are positional.
  static Result<Flags> Parse(const std::vector<FlagSpec>& specs, const std::vector<std::string>& args);

  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // The last value given, or nullopt.
  std::optional<std::string> Get(const std::string& name) const;
  std::vector<std::string> GetAll(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

// "  --name VALUE   help" lines for a command's --help.
std::string FormatFlagHelp(const std::vector<FlagSpec>& specs);

}  // namespace glueguard
