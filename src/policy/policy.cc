// The pieces of the policy that are not the checks themselves: worker types and their DPU, Glue's defaults
// filled into a request, and which scope's limits apply.
#include "policy/policy.h"

#include <fmt/format.h>

#include <cmath>

namespace glueguard {

namespace {

struct WorkerTypeDpu {
  const char* type;
  double dpu;
};

// Glue's worker types and the DPU of one worker of each (AWS Glue developer guide, "Defining job properties
// for Spark jobs": Worker type).
constexpr WorkerTypeDpu kWorkerTypes[] = {
    {"G.025X", 0.25}, {"Standard", 1}, {"G.1X", 1}, {"R.1X", 1}, {"G.2X", 2},   {"R.2X", 2},   {"Z.2X", 2},
    {"G.4X", 4},      {"R.4X", 4},     {"G.8X", 8}, {"R.8X", 8}, {"G.12X", 12}, {"G.16X", 16},
};

// '*' matches any run of characters (including none); everything else matches itself.
bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// arn:aws:sts::123:assumed-role/DataScience/jane -> arn:aws:iam::123:role/DataScience; "" otherwise.
std::string AssumedRoleArn(std::string_view arn) {
  constexpr std::string_view kMarker = ":assumed-role/";
  const size_t marker = arn.find(kMarker);
  if (arn.rfind("arn:", 0) != 0 || marker == std::string_view::npos) return "";
  const size_t name_start = marker + kMarker.size();
  const size_t slash = arn.find('/', name_start);
  const std::string_view name =
      arn.substr(name_start, slash == std::string_view::npos ? slash : slash - name_start);
  // arn:PARTITION:sts::ACCOUNT
  std::string_view head = arn.substr(0, marker);
  const size_t sts = head.find(":sts:");
  if (sts == std::string_view::npos) return "";
  return fmt::format("{}:iam:{}:role/{}", head.substr(0, sts), head.substr(sts + 5), name);
}

bool ScopeMatches(const PolicyScope& scope, const EffectiveSession& session) {
  if (!scope.arn_pattern.empty()) {
    const std::string creator_role = AssumedRoleArn(session.creator_arn);
    const bool matched =
        (!session.role.empty() && GlobMatch(scope.arn_pattern, session.role)) ||
        (!session.creator_arn.empty() && GlobMatch(scope.arn_pattern, session.creator_arn)) ||
        (!creator_role.empty() && GlobMatch(scope.arn_pattern, creator_role));
    if (!matched) return false;
  }
  if (!scope.tags.empty()) {
    if (!session.tags) return false;
    for (const auto& [key, value] : scope.tags) {
      auto it = session.tags->find(key);
      if (it == session.tags->end() || it->second != value) return false;
    }
  }
  return true;
}

}  // namespace

std::optional<double> WorkerDpu(std::string_view worker_type) {
  for (const WorkerTypeDpu& w : kWorkerTypes) {
    if (worker_type == w.type) return w.dpu;
  }
  return std::nullopt;
}

const std::vector<std::string>& KnownWorkerTypes() {
  static const std::vector<std::string> kTypes = [] {
    std::vector<std::string> types;
    for (const WorkerTypeDpu& w : kWorkerTypes) types.emplace_back(w.type);
    return types;
  }();
  return kTypes;
}

EffectiveSession ResolveSession(const SessionRequest& request, const std::string& creator,
                                const std::string& creator_arn, const GlueSessionDefaults& defaults) {
  EffectiveSession s;
  s.id = request.id;
  s.role = request.role;
  s.creator = creator;
  s.creator_arn = creator_arn;
  if (request.worker_type) {
    s.worker_type = *request.worker_type;
  } else {
    s.worker_type = defaults.worker_type;
    s.defaulted.push_back("worker_type");
  }
  const std::optional<double> per_worker = WorkerDpu(s.worker_type);
  if (request.number_of_workers) {
    s.number_of_workers = *request.number_of_workers;
    s.dpu = per_worker ? *per_worker * s.number_of_workers : 0;
  } else if (request.max_capacity) {
    // Capacity asked for in DPU instead of workers: as many workers of the type as make it up.
    s.dpu = *request.max_capacity;
    s.number_of_workers = per_worker && *per_worker > 0 ? static_cast<int>(std::ceil(s.dpu / *per_worker))
                                                        : defaults.number_of_workers;
  } else {
    s.number_of_workers = defaults.number_of_workers;
    s.dpu = per_worker ? *per_worker * s.number_of_workers : 0;
    s.defaulted.push_back("number_of_workers");
  }
  if (request.timeout_known) {
    s.timeout_minutes = request.timeout_minutes.value_or(defaults.timeout_minutes);
    if (!request.timeout_minutes) s.defaulted.push_back("timeout_minutes");
  }
  if (request.idle_timeout_minutes) {
    s.idle_timeout_minutes = *request.idle_timeout_minutes;
  } else {
    // Glue: "Default for Spark ETL jobs is value of Timeout".
    s.idle_timeout_minutes =
        defaults.idle_timeout_minutes.value_or(request.timeout_minutes.value_or(defaults.timeout_minutes));
    s.defaulted.push_back("idle_timeout_minutes");
  }
  s.connections = request.connections.value_or(std::vector<std::string>{});
  if (request.glue_version) {
    s.glue_version = *request.glue_version;
  } else {
    s.glue_version = defaults.glue_version;
    s.defaulted.push_back("glue_version");
  }
  if (request.tags_known) s.tags = request.tags;
  return s;
}

SessionLimits MergeLimits(SessionLimits base, const SessionLimits& o) {
  if (o.max_workers) base.max_workers = o.max_workers;
  if (o.max_dpu) base.max_dpu = o.max_dpu;
  if (o.allowed_worker_types) base.allowed_worker_types = o.allowed_worker_types;
  if (o.max_idle_timeout_minutes) base.max_idle_timeout_minutes = o.max_idle_timeout_minutes;
  if (o.max_timeout_minutes) base.max_timeout_minutes = o.max_timeout_minutes;
  if (o.require_vpc_connection) base.require_vpc_connection = o.require_vpc_connection;
  if (o.allowed_connections) base.allowed_connections = o.allowed_connections;
  if (o.allowed_glue_versions) base.allowed_glue_versions = o.allowed_glue_versions;
  if (o.required_tags) base.required_tags = o.required_tags;
  return base;
}

SessionLimits EffectiveLimits(const SessionPolicy& policy, const EffectiveSession& session,
                              std::string* scope_name) {
  for (const PolicyScope& scope : policy.scopes) {
    if (!ScopeMatches(scope, session)) continue;
    if (scope_name != nullptr) *scope_name = scope.name;
    return MergeLimits(policy.defaults, scope.limits);
  }
  if (scope_name != nullptr) *scope_name = "default";
  return policy.defaults;
}

}  // namespace glueguard
