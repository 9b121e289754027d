#include "policy/policy_yaml.h"

#include <fmt/format.h>

#include <set>

#include "base/strings.h"

namespace glueguard {

namespace {

constexpr int kMaxWorkersLimit = 100'000;
constexpr int kMaxMinutes = 7 * 24 * 60;  // a week: longer than any session Glue runs

const std::vector<std::string> kLimitKeys = {"max_workers",          "max_dpu",
                                             "allowed_worker_types", "max_idle_timeout_minutes",
                                             "max_timeout_minutes",  "require_vpc_connection",
                                             "allowed_connections",  "allowed_glue_versions",
                                             "required_tags"};

bool ReadStringMap(YamlReader& r, const YAML::Node& map, const std::string& path, const char* key,
                   std::map<std::string, std::string>& out) {
  const YAML::Node node = map[key];
  if (!node) return true;
  const std::string where = YamlReader::Join(path, key);
  if (!node.IsMap() || node.size() == 0) {
    r.Error(node, where, "must be a non-empty map of tag keys to values");
    return false;
  }
  for (const auto& entry : node) {
    if (!entry.second.IsScalar()) {
      r.Error(entry.second, where + "." + entry.first.Scalar(), "must be a string");
      return false;
    }
    out[entry.first.Scalar()] = entry.second.Scalar();
  }
  return true;
}

void ReadLimits(YamlReader& r, const YAML::Node& node, const std::string& path, SessionLimits& limits) {
  if (!node) return;
  if (!node.IsMap()) return r.Error(node, path, "must be a map of limits");
  r.CheckKeys(node, path, kLimitKeys);
  int value = 0;
  if (node["max_workers"] && r.ReadInt(node, path, "max_workers", value, 1, kMaxWorkersLimit)) {
    limits.max_workers = value;
  }
  double dpu = 0;
  if (node["max_dpu"] && r.ReadDouble(node, path, "max_dpu", dpu, 0.25, 1e6)) limits.max_dpu = dpu;
  if (r.ReadStringList(node, path, "allowed_worker_types", limits.allowed_worker_types) &&
      limits.allowed_worker_types) {
    for (const std::string& type : *limits.allowed_worker_types) {
      if (WorkerDpu(type)) continue;
      std::string message = fmt::format("'{}' is not a Glue worker type", type);
      if (auto near = ClosestMatch(type, KnownWorkerTypes()))
        message += fmt::format(" (did you mean '{}'?)", *near);
      r.Error(
          node["allowed_worker_types"], YamlReader::Join(path, "allowed_worker_types"),
          message + "; known: " + [] {
            std::string all;
            for (const std::string& t : KnownWorkerTypes()) all += (all.empty() ? "" : ", ") + t;
            return all;
          }());
    }
  }
  if (node["max_idle_timeout_minutes"] &&
      r.ReadInt(node, path, "max_idle_timeout_minutes", value, 1, kMaxMinutes)) {
    limits.max_idle_timeout_minutes = value;
  }
  if (node["max_timeout_minutes"] && r.ReadInt(node, path, "max_timeout_minutes", value, 1, kMaxMinutes)) {
    limits.max_timeout_minutes = value;
  }
  bool flag = false;
  if (node["require_vpc_connection"] && r.ReadBool(node, path, "require_vpc_connection", flag)) {
    limits.require_vpc_connection = flag;
  }
  r.ReadStringList(node, path, "allowed_connections", limits.allowed_connections);
  r.ReadStringList(node, path, "allowed_glue_versions", limits.allowed_glue_versions);
  r.ReadStringList(node, path, "required_tags", limits.required_tags);
}

void ReadScopes(YamlReader& r, const YAML::Node& node, const std::string& path,
                std::vector<PolicyScope>& out) {
  if (!node) return;
  if (!node.IsSequence()) return r.Error(node, path, "must be a list of scopes");
  std::set<std::string> names;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    const std::string where = fmt::format("{}[{}]", path, i);
    if (!item.IsMap()) {
      r.Error(item, where, "must be a map with name, arn and/or tags, and limits");
      continue;
    }
    r.CheckKeys(item, where, {"name", "arn", "tags", "limits"});
    PolicyScope scope;
    scope.line = item.Mark().line + 1;
    bool ok = r.ReadString(item, where, "name", scope.name, true);
    ok &= r.ReadString(item, where, "arn", scope.arn_pattern);
    ok &= ReadStringMap(r, item, where, "tags", scope.tags);
    if (ok && scope.arn_pattern.empty() && scope.tags.empty()) {
      r.Error(item, where,
              fmt::format("scope '{}' has neither arn nor tags, so it would match every session; put its "
                          "limits under limits instead",
                          scope.name));
      ok = false;
    }
    if (!item["limits"]) {
      r.Error(item, where + ".limits", "is required: the limits this scope sets");
      ok = false;
    }
    ReadLimits(r, item["limits"], where + ".limits", scope.limits);
    if (!scope.name.empty() && !names.insert(scope.name).second) {
      r.Error(item, where, fmt::format("scope '{}' is defined twice", scope.name));
      ok = false;
    }
    if (scope.name == "default") {
      r.Error(item["name"], where + ".name", "'default' names the limits that apply when no scope matches");
      ok = false;
    }
    if (ok) out.push_back(std::move(scope));
  }
}

void ReadGlueDefaults(YamlReader& r, const YAML::Node& node, const std::string& path,
                      GlueSessionDefaults& d) {
  if (!node) return;
  if (!node.IsMap()) return r.Error(node, path, "must be a map");
  r.CheckKeys(
      node, path,
      {"number_of_workers", "worker_type", "timeout_minutes", "idle_timeout_minutes", "glue_version"});
  r.ReadInt(node, path, "number_of_workers", d.number_of_workers, 1, kMaxWorkersLimit);
  if (r.ReadString(node, path, "worker_type", d.worker_type) && !WorkerDpu(d.worker_type)) {
    std::string message = fmt::format("'{}' is not a Glue worker type", d.worker_type);
    if (auto near = ClosestMatch(d.worker_type, KnownWorkerTypes())) {
      message += fmt::format(" (did you mean '{}'?)", *near);
    }
    r.Error(node["worker_type"], YamlReader::Join(path, "worker_type"), message);
  }
  r.ReadInt(node, path, "timeout_minutes", d.timeout_minutes, 1, kMaxMinutes);
  int idle = 0;
  if (node["idle_timeout_minutes"] && r.ReadInt(node, path, "idle_timeout_minutes", idle, 1, kMaxMinutes)) {
    d.idle_timeout_minutes = idle;
  }
  r.ReadString(node, path, "glue_version", d.glue_version);
}

}  // namespace

void ReadSessionPolicy(YamlReader& r, const YAML::Node& node, const std::string& path,
                       SessionPolicy& policy) {
  if (!node.IsMap())
    return r.Error(node, path.empty() ? "(policy)" : path, "must be a map of policy settings");
  r.CheckKeys(node, path, {"action", "limits", "scopes", "glue_defaults"});
  std::string action;
  if (r.ReadString(node, path, "action", action) && !action.empty()) {
    if (ToLower(action) == "report") {
      policy.action = SessionAction::kReport;
    } else if (ToLower(action) == "enforce") {
      policy.action = SessionAction::kEnforce;
    } else {
      r.Error(node["action"], YamlReader::Join(path, "action"),
              fmt::format("'{}' is neither report nor enforce", action));
    }
  }
  ReadLimits(r, node["limits"], YamlReader::Join(path, "limits"), policy.defaults);
  ReadScopes(r, node["scopes"], YamlReader::Join(path, "scopes"), policy.scopes);
  ReadGlueDefaults(r, node["glue_defaults"], YamlReader::Join(path, "glue_defaults"), policy.glue_defaults);
}

Result<SessionPolicy> ParseSessionPolicy(std::string_view yaml, std::string_view source) {
  YamlReader r{std::string(source)};
  GG_ASSIGN_OR_RETURN(
      const YAML::Node root,
      YamlReader::LoadMap(yaml, source, "a session policy must be a YAML map (action, limits, scopes, glue_defaults)"));
  SessionPolicy policy;
  r.Guard([&] { ReadSessionPolicy(r, root, "", policy); });
  GG_RETURN_IF_ERROR(r.ToStatus());
  return policy;
}

namespace {

// A positive whole number written as digits only.
std::optional<int> ParsePositiveInt(const std::string& text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const int value = std::stoi(text);
  if (value <= 0) return std::nullopt;
  return value;
}

}  // namespace

Result<SessionPolicy> ApplySeedEnvironment(SessionPolicy base, const EnvLookup& env) {
  std::vector<std::string> errors;
  if (std::optional<std::string> v = env("MAX_WORKERS")) {
    if (std::optional<int> n = ParsePositiveInt(*v)) {
      base.defaults.max_workers = n;
    } else {
      errors.push_back(fmt::format("MAX_WORKERS: '{}' is not a positive whole number", *v));
    }
  }
  if (std::optional<std::string> v = env("MAX_IDLE_TIMEOUT_MINUTES")) {
    std::optional<int> n = ParsePositiveInt(*v);
    if (n && *n <= kMaxMinutes) {
      base.defaults.max_idle_timeout_minutes = n;
    } else {
      errors.push_back(fmt::format(
          "MAX_IDLE_TIMEOUT_MINUTES: '{}' is not a whole number of minutes from 1 to {}", *v, kMaxMinutes));
    }
  }
  if (std::optional<std::string> v = env("ENFORCE_VPC_CONNECTION")) {
    if (std::optional<bool> b = ParseStrictBool(*v)) {
      base.defaults.require_vpc_connection = b;
    } else {
      errors.push_back(fmt::format("ENFORCE_VPC_CONNECTION: '{}' is not true or false", *v));
    }
  }
  if (std::optional<std::string> v = env("KILL_SESSION")) {
    if (std::optional<bool> b = ParseStrictBool(*v)) {
      base.action = *b ? SessionAction::kEnforce : SessionAction::kReport;
    } else {
      errors.push_back(fmt::format("KILL_SESSION: '{}' is not true or false", *v));
    }
  }
  if (!errors.empty()) {
    std::string message;
    for (const std::string& e : errors) message += (message.empty() ? "" : "\n") + e;
    return Status::InvalidArgument(message);
  }
  return base;
}

}  // namespace glueguard
