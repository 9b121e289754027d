// Session boundaries as data: the limits a Glue interactive session must stay within, scoped defaults with
// overrides per team, and what to do when a session breaks them. Pure: no I/O; the evaluation of an event is
// a function of the event and the policy.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "base/time.h"
#include "policy/event.h"

namespace glueguard {

// Limits; an absent member is no limit. Overrides replace members they set and keep the others.
struct SessionLimits {
  std::optional<int> max_workers;
  std::optional<double> max_dpu;  // workers x the worker type's DPU (or MaxCapacity)
  std::optional<std::vector<std::string>> allowed_worker_types;
  std::optional<int> max_idle_timeout_minutes;
  std::optional<int> max_timeout_minutes;
  std::optional<bool> require_vpc_connection;
  std::optional<std::vector<std::string>> allowed_connections;  // when set, every attached one must be listed
  std::optional<std::vector<std::string>> allowed_glue_versions;
  std::optional<std::vector<std::string>> required_tags;  // tag keys that must be present and non-empty
};

// Limits for the sessions of one team, matched by the session's role ARN or creator ARN (a glob, '*' any run
// of characters) and/or tags (all must match). The first matching scope applies on top of the defaults.
struct PolicyScope {
  std::string name;
  std::string arn_pattern;                  // empty = any
  std::map<std::string, std::string> tags;  // empty = any
  SessionLimits limits;
  int line = 0;
};

// What Glue runs a session with when CreateSession leaves a member out.
struct GlueSessionDefaults {
  int number_of_workers = 5;
  std::string worker_type = "G.1X";
  int timeout_minutes = 2880;               // Spark ETL sessions
  std::optional<int> idle_timeout_minutes;  // absent = the session's timeout, as Glue does
  std::string glue_version = "2.0";
};

enum class SessionAction { kReport, kEnforce };

struct SessionPolicy {
  SessionAction action = SessionAction::kReport;
  SessionLimits defaults;
  std::vector<PolicyScope> scopes;
  GlueSessionDefaults glue_defaults;
};

// The settings a session runs with: the request with Glue's defaults filled in.
struct EffectiveSession {
  std::string id;
  std::string role;
  std::string creator;  // for people
  std::string creator_arn;
  int number_of_workers = 0;
  std::string worker_type;
  double dpu = 0;  // workers x DPU of the worker type, or MaxCapacity when that was asked for
  int idle_timeout_minutes = 0;
  std::optional<int> timeout_minutes;  // absent when not known (a session read back through GetSession)
  std::vector<std::string> connections;
  std::string glue_version;
  std::optional<std::map<std::string, std::string>> tags;  // absent when not known
  std::vector<std::string> defaulted;  // members Glue's defaults filled in, e.g. "idle_timeout_minutes"
};

// One broken limit. `code` is stable (for alerts and tests): max_workers, max_dpu, worker_type,
// max_idle_timeout, max_timeout, vpc_connection_required, connection_not_allowed, glue_version, required_tag.
struct Violation {
  std::string code;
  std::string limit;    // "10", "G.1X, G.2X", "a VPC connection"
  std::string actual;   // "40", "G.8X", "none"
  std::string message;  // a sentence for a person: "40 workers asked for; at most 10 are allowed."
};

struct Evaluation {
  std::string scope;     // the scope that applied; "default" when none matched
  SessionLimits limits;  // the limits that applied: the defaults with the scope's overrides
  EffectiveSession session;
  std::vector<Violation> violations;
  bool compliant() const { return violations.empty(); }
};

// The DPU of one worker of `worker_type` (G.025X 0.25, G.1X/Standard 1, G.2X 2, G.4X 4, G.8X 8, G.12X 12,
// G.16X 16, R.1X 1, R.2X 2, R.4X 4, R.8X 8, Z.2X 2); nullopt for a type it does not know.
std::optional<double> WorkerDpu(std::string_view worker_type);
// Every worker type WorkerDpu knows, smallest first.
const std::vector<std::string>& KnownWorkerTypes();

// The request with `defaults` filled in.
EffectiveSession ResolveSession(const SessionRequest& request, const std::string& creator,
                                const std::string& creator_arn, const GlueSessionDefaults& defaults);

// The limits that apply to `session`: the defaults with the overrides of the first scope that matches. A
// scope's arn_pattern is matched against the session's role, the creator's ARN and, for an assumed-role
// creator (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION), that role's IAM ARN
// (arn:aws:iam::ACCOUNT:role/NAME); its tags need known tags. `scope_name` (may be nullptr) is set to the
// scope's name, or "default" when none matched.
SessionLimits EffectiveLimits(const SessionPolicy& policy, const EffectiveSession& session,
                              std::string* scope_name);
// `base` with the members `overrides` sets replaced.
SessionLimits MergeLimits(SessionLimits base, const SessionLimits& overrides);

Evaluation Evaluate(const SessionPolicy& policy, const SessionEvent& event);
// For a live session no event announced (the reconcile sweep): limits that need what GetSession does not show
// (tags, the timeout) are skipped.
Evaluation EvaluateRequest(const SessionPolicy& policy, const SessionRequest& request,
                           const std::string& creator, const std::string& creator_arn);

// The notification for an evaluation with violations: subject (<= 100 characters, SNS's limit) and body
// naming the session, its creator, each broken limit with the limit and the actual value, whether it was
// ended, and what to do instead (a CreateSession within the limits).
struct SessionNotice {
  std::string subject;
  std::string body;
};
SessionNotice ComposeNotice(const Evaluation& evaluation, bool ended);

// Parses the `sessions.policy` part of a configuration (also accepted as a file of its own): see
// docs/sessions.md. Errors name the file, line and key.
Result<SessionPolicy> ParseSessionPolicy(std::string_view yaml, std::string_view source);

// The reference Lambda's environment (MAX_WORKERS, MAX_IDLE_TIMEOUT_MINUTES, ENFORCE_VPC_CONNECTION,
// KILL_SESSION) onto a policy, strictly: booleans are true/false in any case, numbers positive integers;
// anything else is InvalidArgument naming the variable. Variables not set leave `base` as it is.
Result<SessionPolicy> ApplySeedEnvironment(SessionPolicy base, const EnvLookup& env);

}  // namespace glueguard
