// The checks: one function per limit, each adding a Violation whose message says what was asked for, what is
// allowed and the create-session option that stays within it.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "policy/policy.h"

namespace glueguard {

namespace {

std::string Number(double v) { return fmt::format("{:g}", v); }

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

bool Contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

bool Defaulted(const EffectiveSession& s, std::string_view member) {
  return std::find(s.defaulted.begin(), s.defaulted.end(), member) != s.defaulted.end();
}

// Who the limit is for, as a sentence's subject: "sessions" or "sessions of data-science".
std::string Whose(const std::string& scope) {
  return scope == "default" ? "sessions" : fmt::format("sessions of {}", scope);
}

class Checker {
 public:
  Checker(const SessionRequest& request, Evaluation& evaluation)
      : request_(request), e_(evaluation), s_(evaluation.session), limits_(evaluation.limits) {}

  void Run() {
    MaxWorkers();
    MaxDpu();
    WorkerType();
    MaxIdleTimeout();
    MaxTimeout();
    VpcConnection();
    AllowedConnections();
    GlueVersion();
    RequiredTags();
  }

 private:
  void Add(std::string code, std::string limit, std::string actual, std::string message) {
    Violation v;
    v.code = std::move(code);
    v.limit = std::move(limit);
    v.actual = std::move(actual);
    v.message = std::move(message);
    e_.violations.push_back(std::move(v));
  }

  // "asked for 40 G.2X workers" or "runs with Glue's default of 5 G.1X workers (the call set no
  // NumberOfWorkers)".
  std::string WorkersPhrase(bool with_type) const {
    const std::string type = with_type ? s_.worker_type + " " : "";
    if (!request_.number_of_workers && request_.max_capacity) {
      return fmt::format("asked for {} DPU (MaxCapacity), the size of {} {} workers", Number(s_.dpu),
                         s_.number_of_workers, s_.worker_type);
    }
    if (Defaulted(s_, "number_of_workers")) {
      return fmt::format("runs with Glue's default of {} {}workers (the call set no NumberOfWorkers)",
                         s_.number_of_workers, type);
    }
    return fmt::format("asked for {} {}worker{}", s_.number_of_workers, type,
                       s_.number_of_workers == 1 ? "" : "s");
  }

  void MaxWorkers() {
    if (!limits_.max_workers || s_.number_of_workers <= *limits_.max_workers) return;
    const int max = *limits_.max_workers;
    Add("max_workers", std::to_string(max), std::to_string(s_.number_of_workers),
        fmt::format("{}; {} may use at most {}. Create the session with --number-of-workers {} or fewer.",
                    WorkersPhrase(false), Whose(e_.scope), max, max));
  }

  void MaxDpu() {
    if (!limits_.max_dpu) return;
    const double max = *limits_.max_dpu;
    const std::optional<double> per_worker = WorkerDpu(s_.worker_type);
    const bool by_capacity = !request_.number_of_workers && request_.max_capacity;
    if (by_capacity) {
      if (s_.dpu <= max) return;
      Add("max_dpu", Number(max), Number(s_.dpu),
          fmt::format("asked for {} DPU (MaxCapacity); {} may use at most {} DPU. Create the session with "
                      "--max-capacity {} or less.",
                      Number(s_.dpu), Whose(e_.scope), Number(max), Number(max)));
      return;
    }
    if (!per_worker) {
      Add("max_dpu", Number(max), "unknown",
          fmt::format(
              "worker type {} has no DPU glueguard knows, so the session's size cannot be checked "
              "against the limit of {} DPU. Create the session with a known --worker-type (one of {}).",
              s_.worker_type, Number(max), Join(KnownWorkerTypes())));
      return;
    }
    if (s_.dpu <= max) return;
    const int fitting = static_cast<int>(std::floor(max / *per_worker + 1e-9));
    std::string fix;
    if (fitting >= 1) {
      fix = fmt::format(
          "Create the session with --number-of-workers {} or fewer ({} workers have {} DPU each).",
          std::min(fitting, limits_.max_workers.value_or(fitting)), s_.worker_type, Number(*per_worker));
    } else {
      fix = fmt::format("One {} worker alone has {} DPU: create the session with a smaller --worker-type.",
                        s_.worker_type, Number(*per_worker));
    }
    Add("max_dpu", Number(max), Number(s_.dpu),
        fmt::format("{} ({} DPU); {} may use at most {} DPU. {}", WorkersPhrase(true), Number(s_.dpu),
                    Whose(e_.scope), Number(max), fix));
  }

  void WorkerType() {
    if (!limits_.allowed_worker_types || Contains(*limits_.allowed_worker_types, s_.worker_type)) return;
    const std::vector<std::string>& allowed = *limits_.allowed_worker_types;
    const std::string what =
        Defaulted(s_, "worker_type")
            ? fmt::format("Glue's default worker type {} (the call set no WorkerType)", s_.worker_type)
            : fmt::format("worker type {}", s_.worker_type);
    Add("worker_type", Join(allowed), s_.worker_type,
        fmt::format("{} is not allowed; {} may use {}. Create the session with --worker-type {}.", what,
                    Whose(e_.scope), Join(allowed), allowed.empty() ? "" : allowed.front()));
  }

  void MaxIdleTimeout() {
    if (!limits_.max_idle_timeout_minutes || s_.idle_timeout_minutes <= *limits_.max_idle_timeout_minutes)
      return;
    const int max = *limits_.max_idle_timeout_minutes;
    const std::string what =
        Defaulted(s_, "idle_timeout_minutes")
            ? fmt::format("idle timeout of {} minutes (Glue's default: the call set no IdleTimeout)",
                          s_.idle_timeout_minutes)
            : fmt::format("idle timeout of {} minutes", s_.idle_timeout_minutes);
    Add("max_idle_timeout", std::to_string(max), std::to_string(s_.idle_timeout_minutes),
        fmt::format(
            "{} is above the {} minutes {} may idle. Create the session with --idle-timeout {} or less.",
            what, max, Whose(e_.scope), max));
  }

  void MaxTimeout() {
    if (!limits_.max_timeout_minutes || !s_.timeout_minutes ||
        *s_.timeout_minutes <= *limits_.max_timeout_minutes) {
      return;
    }
    const int max = *limits_.max_timeout_minutes;
    const std::string what =
        Defaulted(s_, "timeout_minutes")
            ? fmt::format("timeout of {} minutes (Glue's default: the call set no Timeout)",
                          *s_.timeout_minutes)
            : fmt::format("timeout of {} minutes", *s_.timeout_minutes);
    Add("max_timeout", std::to_string(max), std::to_string(*s_.timeout_minutes),
        fmt::format("{} is above the {} minutes {} may run. Create the session with --timeout {} or less.",
                    what, max, Whose(e_.scope), max));
  }

  std::string SuggestedConnection() const {
    if (limits_.allowed_connections && !limits_.allowed_connections->empty()) {
      return limits_.allowed_connections->front();
    }
    return "<a VPC connection>";
  }

  void VpcConnection() {
    if (!limits_.require_vpc_connection.value_or(false) || !s_.connections.empty()) return;
    Add("vpc_connection_required", "a VPC connection", "none",
        fmt::format("no connection is attached, so the session does not run in a VPC; {} must. Create the "
                    "session with --connections Connections={}.",
                    Whose(e_.scope), SuggestedConnection()));
  }

  void AllowedConnections() {
    if (!limits_.allowed_connections) return;
    std::vector<std::string> outside;
    for (const std::string& c : s_.connections) {
      if (!Contains(*limits_.allowed_connections, c)) outside.push_back(c);
    }
    if (outside.empty()) return;
    Add("connection_not_allowed", Join(*limits_.allowed_connections), Join(outside),
        fmt::format("connection{} {} {} not allowed; {} may use {}. Create the session with --connections "
                    "Connections={}.",
                    outside.size() == 1 ? "" : "s", Join(outside), outside.size() == 1 ? "is" : "are",
                    Whose(e_.scope), Join(*limits_.allowed_connections), SuggestedConnection()));
  }

  void GlueVersion() {
    if (!limits_.allowed_glue_versions || Contains(*limits_.allowed_glue_versions, s_.glue_version)) return;
    const std::vector<std::string>& allowed = *limits_.allowed_glue_versions;
    const std::string what =
        Defaulted(s_, "glue_version")
            ? fmt::format("Glue's default version {} (the call set no GlueVersion)", s_.glue_version)
            : fmt::format("Glue version {}", s_.glue_version);
    Add("glue_version", Join(allowed), s_.glue_version,
        fmt::format("{} is not allowed; {} may use {}. Create the session with --glue-version {}.", what,
                    Whose(e_.scope), Join(allowed), allowed.empty() ? "" : allowed.front()));
  }

  void RequiredTags() {
    if (!limits_.required_tags || !s_.tags) return;
    for (const std::string& key : *limits_.required_tags) {
      auto it = s_.tags->find(key);
      const bool missing = it == s_.tags->end();
      if (!missing && !it->second.empty()) continue;
      Add("required_tag", key, missing ? "missing" : "empty",
          fmt::format("tag '{}' is {}; {} must carry it. Create the session with --tags {}=<value>.", key,
                      missing ? "missing" : "empty", Whose(e_.scope), key));
    }
  }

  const SessionRequest& request_;
  Evaluation& e_;
  const EffectiveSession& s_;
  const SessionLimits& limits_;
};

Evaluation EvaluateResolved(const SessionPolicy& policy, const SessionRequest& request,
                            const std::string& creator, const std::string& creator_arn) {
  Evaluation e;
  e.session = ResolveSession(request, creator, creator_arn, policy.glue_defaults);
  e.limits = EffectiveLimits(policy, e.session, &e.scope);
  Checker(request, e).Run();
  return e;
}

}  // namespace

Evaluation Evaluate(const SessionPolicy& policy, const SessionEvent& event) {
  return EvaluateResolved(policy, event.request, event.creator, event.creator_arn);
}

Evaluation EvaluateRequest(const SessionPolicy& policy, const SessionRequest& request,
                           const std::string& creator, const std::string& creator_arn) {
  return EvaluateResolved(policy, request, creator, creator_arn);
}

}  // namespace glueguard
