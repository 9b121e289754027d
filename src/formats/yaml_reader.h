// YamlReader: walks a parsed YAML document, converting values and collecting every problem as
// "source:line: key.path: problem", so a file with three mistakes reports all three at once.
// Internal to the parsers of glueguard's YAML files (config, workloads, policies); it is the one place that
// includes yaml-cpp in a header.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace glueguard {

class YamlReader {
 public:
  explicit YamlReader(std::string source) : source_(std::move(source)) {}

  // Parses `yaml`, read from `source`, as a document whose top is a map. InvalidArgument
  // "source:line: not valid YAML: ..." when it does not parse, "source:1: <not_a_map>" when its top is not
  // a map.
  static Result<YAML::Node> LoadMap(std::string_view yaml, std::string_view source, std::string_view not_a_map);

  // Runs `read` (a walk over the document with the Read* methods), recording an exception yaml-cpp throws
  // midway as a problem of the document rather than letting it escape.
  template <typename Read>
  void Guard(Read&& read) {
    try {
      read();
    } catch (const YAML::Exception& e) {
      Error(e.mark.line + 1, "(document)", e.msg);
    }
  }

  // Every problem recorded, one a line, as InvalidArgument; Ok when there is none.
  Status ToStatus() const;

  // Records a problem at `at` (its line, or 0 when the node is absent).
  void Error(const YAML::Node& at, const std::string& path, const std::string& message);
  void Error(int line, const std::string& path, const std::string& message);
  const std::vector<std::string>& errors() const { return errors_; }
  const std::string& source() const { return source_; }

  // Reports keys of `map` that are not in `allowed`, with a "did you mean" when one is close.
  void CheckKeys(const YAML::Node& map, const std::string& path, const std::vector<std::string>& allowed);

  // Each Read* leaves `out` alone and returns true when the key is absent (and not required); returns false
  // and records a problem when it is present but wrong, or absent and required.
  bool ReadString(const YAML::Node& map, const std::string& path, const char* key, std::string& out,
                  bool required = false);
  bool ReadInt(const YAML::Node& map, const std::string& path, const char* key, int& out, int min, int max);
  // A real number in [min, max].
  bool ReadDouble(const YAML::Node& map, const std::string& path, const char* key, double& out, double min,
                  double max);
  // A fraction in (0, 1], written 0.8 or 80%.
  bool ReadFraction(const YAML::Node& map, const std::string& path, const char* key, double& out);
  // true or false in any case; anything else is an error, never silently "on".
  bool ReadBool(const YAML::Node& map, const std::string& path, const char* key, bool& out);
  // A duration with a unit ("90s", "15m", "1h30m"), longer than zero.
  bool ReadDuration(const YAML::Node& map, const std::string& path, const char* key, Duration& out);

  // A non-empty list of non-empty strings (a single string reads as a list of one), without repeats.
  bool ReadStringList(const YAML::Node& map, const std::string& path, const char* key,
                      std::optional<std::vector<std::string>>& out);
  // A count (of IPs, say) from 0: a negative value gets its own message, since it is the likely mistake.
  bool ReadSignedCount(const YAML::Node& map, const std::string& path, const char* key, int& out);

  // "a.b" from "a" and "b"; just "b" when `path` is empty.
  static std::string Join(const std::string& path, const std::string& key);

 private:

  std::string source_;
  std::vector<std::string> errors_;
};

}  // namespace glueguard
