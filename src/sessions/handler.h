// SessionEventHandler: one session event in, the policy applied, nothing lost. For each event:
//   parse -> ignored (not a successful glue:CreateSession) | invalid (parked: it can never be handled)
//   claim its event id -> a duplicate acts no more
//   evaluate -> compliant | violations: enforce (end the session) when the policy says so, then notify
//   a failure is retried with exponential backoff and jitter, never past the caller's deadline; after the
//   last attempt the event and its error are parked in the dead-letter store and the claim released, so a
//   replay can handle it later.
// Every intake (POST /v1/events, the SQS poller, the Lambda runtime, `sessions enforce`, a replay, the
// reconcile sweep) goes through here. Thread-safe: events may be handled concurrently.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "aws/glue.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/random.h"
#include "config/config.h"
#include "notify/notifier.h"
#include "policy/policy.h"
#include "sessions/enforcer.h"
#include "sessions/session_metrics.h"
#include "sessions/session_store.h"

namespace glueguard {

struct SessionHandlerDeps {
  const SessionsConfig& config;  // the policy (and its action), retries, waits, dedupe window
  GlueApi& glue;
  Notifier& notifier;
  EventLedger& ledger;            // claims, handled events and known sessions
  DeadLetterStore& dead_letters;  // where failures are parked: the session store, or an SQS queue
  Clock& clock;
  Sleeper& sleeper;
  Random& random;
  SessionMetrics* metrics = nullptr;  // may be nullptr
  Log log = {};                       // one line per thing done; may be empty
};

enum class EventOutcome { kCompliant, kViolation, kIgnored, kDuplicate, kInvalid, kDeadLettered };
const char* EventOutcomeName(EventOutcome outcome);

struct HandleOptions {
  std::string source = "http";  // http, sqs, lambda, file, replay, reconcile: for metrics and dead letters
  Time deadline = Time::max();  // no retry or wait runs past it (the Lambda's, the SQS visibility)
  std::function<void()> heartbeat = {};  // called before each retry wait (the SQS poller extends visibility)
};

struct HandleResult {
  EventOutcome outcome = EventOutcome::kIgnored;
  std::string detail;  // why ignored / invalid / dead-lettered; empty otherwise
  std::string event_id;
  std::optional<Evaluation> evaluation;  // for compliant and violation (and dead-lettered after evaluation)
  bool ended = false;                    // the session was stopped and deleted
  bool notified = false;
  int attempts = 0;
  int64_t dead_letter_id = 0;  // for invalid and dead-lettered events
  bool in_progress = false;    // a duplicate because another delivery holds the claim and has not finished
};

class SessionEventHandler {
 public:
  // Every dependency must outlive the handler.
  explicit SessionEventHandler(SessionHandlerDeps deps);

  // Handles one event as received. Errors only when the store could not record the outcome (the claim, the
  // dead letter): then nothing may be acknowledged — the caller must let the event be delivered again.
  Result<HandleResult> Handle(std::string_view body, const HandleOptions& options);

  // The reconcile sweep's entry: a live session no event announced, keyed "reconcile:<session id>" for
  // dedupe. Same outcomes and errors as Handle.
  Result<HandleResult> HandleLiveSession(const Session& session, const HandleOptions& options);

  // Replays dead letter `id`: handled again (with its claim released at parking, so not a duplicate); removed
  // from the store when it no longer fails, updated with the new error when it does. NotFound for no such id.
  Result<HandleResult> Replay(int64_t id, const HandleOptions& options);

  const SessionsConfig& config() const { return deps_.config; }

 private:
  // Evaluated: claims, acts with retries, records. `key` is the dedupe key, `body` what to park.
  Result<HandleResult> Act(const std::string& key, const std::string& body, Evaluation evaluation,
                           const SessionEvent* event, const HandleOptions& options, Time received);
  // One attempt at what the evaluation calls for; updates `result` as steps succeed.
  Status ActOnce(const Evaluation& evaluation, const SessionEvent* event, HandleResult& result,
                 Time deadline);
  Result<HandleResult> Park(HandleResult result, const std::string& body, const std::string& error,
                            const HandleOptions& options);
  void Count(const HandleOptions& options, const HandleResult& result, Time received);

  SessionHandlerDeps deps_;
  SessionEnforcer enforcer_;
};

// A live session (GetSession/ListSessions) as a request the policy can judge.
SessionRequest RequestFromSession(const Session& session);

}  // namespace glueguard
