#include "sessions/handler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace glueguard {
namespace {

constexpr std::string_view kReconcilePrefix = "reconcile:";

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

std::string Codes(const Evaluation& e) {
  std::string out;
  for (const Violation& v : e.violations) out += (out.empty() ? "" : ",") + v.code;
  return out;
}

}  // namespace

const char* EventOutcomeName(EventOutcome outcome) {
  switch (outcome) {
    case EventOutcome::kCompliant:
      return "compliant";
    case EventOutcome::kViolation:
      return "violation";
    case EventOutcome::kIgnored:
      return "ignored";
    case EventOutcome::kDuplicate:
      return "duplicate";
    case EventOutcome::kInvalid:
      return "invalid";
    case EventOutcome::kDeadLettered:
      return "dead_lettered";
  }
  return "unknown";
}

SessionRequest RequestFromSession(const Session& session) {
  SessionRequest r;
  r.id = session.id;
  r.role = session.role;
  r.number_of_workers = session.number_of_workers;
  r.worker_type = session.worker_type;
  r.max_capacity = session.max_capacity;
  r.idle_timeout_minutes = session.idle_timeout;
  r.connections = session.connections;
  if (!session.glue_version.empty()) r.glue_version = session.glue_version;
  r.tags_known = false;
  r.timeout_known = false;
  return r;
}

SessionEventHandler::SessionEventHandler(SessionHandlerDeps deps)
    : deps_(std::move(deps)),
      enforcer_(deps_.glue, deps_.clock, deps_.sleeper, deps_.config.provisioning_wait) {}

Result<HandleResult> SessionEventHandler::Handle(std::string_view body, const HandleOptions& options) {
  const Time received = deps_.clock.Now();
  HandleResult result;
  Result<ParsedEvent> parsed = ParseSessionEvent(body);
  if (!parsed.ok()) {
    result.outcome = EventOutcome::kInvalid;
    return Park(std::move(result), std::string(body), parsed.status().message(), options);
  }
  if (!parsed->event) {
    result.outcome = EventOutcome::kIgnored;
    result.detail = parsed->ignored;
    Count(options, result, received);
    return result;
  }
  const SessionEvent& event = *parsed->event;
  Evaluation evaluation = Evaluate(deps_.config.policy, event);
  return Act(event.event_id, std::string(body), std::move(evaluation), &event, options, received);
}

Result<HandleResult> SessionEventHandler::HandleLiveSession(const Session& session,
                                                            const HandleOptions& options) {
  const Time received = deps_.clock.Now();
  // Glue does not say who created a session; its role is the best lead.
  Evaluation evaluation = EvaluateRequest(deps_.config.policy, RequestFromSession(session), session.role, "");
  const std::string key = std::string(kReconcilePrefix) + session.id;
  return Act(key, key, std::move(evaluation), nullptr, options, received);
}

Result<HandleResult> SessionEventHandler::Replay(int64_t id, const HandleOptions& options) {
  Result<std::optional<DeadLetter>> found = deps_.dead_letters.FindDeadLetter(id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return Status::NotFound(fmt::format("no dead-lettered event with id {}", id));
  const DeadLetter letter = **found;
  HandleOptions replay = options;
  replay.source = "replay";
  Result<HandleResult> result = Status::Internal("not handled");
  if (letter.event_id.rfind(kReconcilePrefix, 0) == 0) {
    const std::string session_id = letter.event_id.substr(kReconcilePrefix.size());
    Result<Session> session = deps_.glue.GetSession(session_id);
    if (!session.ok() && session.status().code() != StatusCode::kNotFound) {
      GG_RETURN_IF_ERROR(deps_.dead_letters.UpdateDeadLetter(id, session.status().message()));
      return session.status();
    }
    if (session.ok()) {
      result = HandleLiveSession(*session, replay);
    } else {
      HandleResult gone;
      gone.outcome = EventOutcome::kIgnored;
      gone.event_id = letter.event_id;
      gone.detail = fmt::format("session {} no longer exists", session_id);
      result = gone;
    }
  } else {
    result = Handle(letter.body, replay);
  }
  if (!result.ok()) return result;
  // Handling again parked it again under a new id when it still fails: keep one letter, the original.
  if (result->dead_letter_id != 0) {
    GG_RETURN_IF_ERROR(deps_.dead_letters.RemoveDeadLetter(result->dead_letter_id));
    GG_RETURN_IF_ERROR(deps_.dead_letters.UpdateDeadLetter(id, result->detail));
    result->dead_letter_id = id;
    return result;
  }
  GG_RETURN_IF_ERROR(deps_.dead_letters.RemoveDeadLetter(id));
  if (deps_.metrics != nullptr) deps_.metrics->dead_letters->With({}).Add(-1);
  deps_.log(fmt::format("replayed dead letter {} ({}): {}", id, letter.event_id,
                        EventOutcomeName(result->outcome)));
  return result;
}

Result<HandleResult> SessionEventHandler::Act(const std::string& key, const std::string& body,
                                              Evaluation evaluation, const SessionEvent* event,
                                              const HandleOptions& options, Time received) {
  HandleResult result;
  result.event_id = key;
  result.evaluation = std::move(evaluation);
  Result<ClaimResult> claim =
      deps_.ledger.Claim(key, received, deps_.config.dedupe_window, deps_.config.claim_stale_after);
  if (!claim.ok()) return claim.status();
  if (*claim != ClaimResult::kClaimed) {
    result.outcome = EventOutcome::kDuplicate;
    result.detail = *claim == ClaimResult::kDone ? "already handled" : "being handled by another delivery";
    result.in_progress = *claim == ClaimResult::kInProgress;
    // A delivery deferred while another handles the event is counted once it is done, not at every look (an
    // inbox shared by replicas is looked at every few seconds).
    if (!result.in_progress) Count(options, result, received);
    return result;
  }
  const Evaluation& e = *result.evaluation;
  if (!e.session.id.empty()) GG_RETURN_IF_ERROR(deps_.ledger.RememberSession(e.session.id, received));
  if (e.compliant()) {
    result.outcome = EventOutcome::kCompliant;
    GG_RETURN_IF_ERROR(deps_.ledger.MarkDone(key, "compliant", deps_.clock.Now()));
    Count(options, result, received);
    return result;
  }

  Status last;
  const int max_attempts = std::max(1, deps_.config.max_attempts);
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    result.attempts = attempt;
    last = ActOnce(e, event, result, options.deadline);
    if (last.ok()) break;
    if (attempt == max_attempts) break;
    if (deps_.metrics != nullptr) deps_.metrics->retries->With({}).Increment();
    // Exponential backoff with full jitter in [backoff/2, backoff].
    const double base = Seconds(deps_.config.initial_backoff) * std::pow(2.0, attempt - 1);
    const double capped = std::min(base, Seconds(deps_.config.max_backoff));
    const Duration wait = std::chrono::duration_cast<Duration>(
        std::chrono::duration<double>(capped * (0.5 + 0.5 * deps_.random.Uniform())));
    if (deps_.clock.Now() + wait >= options.deadline) {
      last = last.WithContext("the caller's deadline leaves no time for another attempt");
      break;
    }
    deps_.log(fmt::format("session {}: attempt {} failed ({}); retrying in {}", e.session.id, attempt,
                          last.message(), FormatDuration(wait)));
    if (options.heartbeat) options.heartbeat();
    deps_.sleeper.Sleep(wait);
  }
  if (!last.ok()) {
    GG_RETURN_IF_ERROR(deps_.ledger.Release(key));
    result.outcome = EventOutcome::kDeadLettered;
    return Park(std::move(result), body, last.message(), options);
  }
  result.outcome = EventOutcome::kViolation;
  GG_RETURN_IF_ERROR(deps_.ledger.MarkDone(key, "violation", deps_.clock.Now()));
  Count(options, result, received);
  deps_.log(fmt::format("session {} by {} broke {}: {}", e.session.id, e.session.creator, Codes(e),
                        result.ended ? "stopped and deleted" : "reported"));
  return result;
}

Status SessionEventHandler::ActOnce(const Evaluation& evaluation, const SessionEvent* event,
                                    HandleResult& result, Time deadline) {
  const bool enforce = deps_.config.policy.action == SessionAction::kEnforce;
  if (enforce && !result.ended) {
    GG_RETURN_IF_ERROR(enforcer_.End(evaluation.session.id, deadline));
    result.ended = true;
    if (deps_.metrics != nullptr) deps_.metrics->ended->With({}).Increment();
  }
  if (!result.notified) {
    SessionNotice notice = ComposeNotice(evaluation, result.ended);
    Notification n;
    n.kind = result.ended ? "session_ended" : "session_violation";
    n.subject = notice.subject;
    n.message = notice.body;
    n.at = deps_.clock.Now();
    n.fields["session_id"] = evaluation.session.id;
    n.fields["creator"] = evaluation.session.creator;
    n.fields["violations"] = Codes(evaluation);
    n.fields["scope"] = evaluation.scope;
    if (event != nullptr) {
      n.fields["account"] = event->account;
      n.fields["region"] = event->region;
      n.fields["event_id"] = event->event_id;
    }
    Status sent = deps_.notifier.Notify(n);
    if (!sent.ok()) return sent.WithContext("notifying");
    result.notified = true;
  }
  return Status::Ok();
}

Result<HandleResult> SessionEventHandler::Park(HandleResult result, const std::string& body,
                                               const std::string& error, const HandleOptions& options) {
  DeadLetter letter;
  letter.event_id = result.event_id;
  letter.source = options.source;
  letter.body = body;
  letter.error = error;
  letter.attempts = std::max(1, result.attempts);
  letter.parked_at = deps_.clock.Now();
  Result<int64_t> id = deps_.dead_letters.Park(letter);
  if (!id.ok()) return id.status().WithContext(fmt::format("parking an event that failed: {}", error));
  result.dead_letter_id = *id;
  result.detail = error;
  if (deps_.metrics != nullptr) {
    deps_.metrics->dead_lettered->With({}).Increment();
    deps_.metrics->dead_letters->With({}).Add(1);
  }
  Count(options, result, letter.parked_at);
  deps_.log(fmt::format("event {} from {} parked as dead letter {}: {}",
                        result.event_id.empty() ? "?" : result.event_id, options.source, *id, error));
  return result;
}

void SessionEventHandler::Count(const HandleOptions& options, const HandleResult& result, Time received) {
  if (deps_.metrics == nullptr) return;
  deps_.metrics->events->With({{"source", options.source}, {"outcome", EventOutcomeName(result.outcome)}})
      .Increment();
  if (result.outcome == EventOutcome::kViolation && result.evaluation) {
    for (const Violation& v : result.evaluation->violations) {
      deps_.metrics->violations->With({{"code", v.code}}).Increment();
    }
  }
  deps_.metrics->handle_seconds->With({}).Observe(Seconds(deps_.clock.Now() - received));
}

}  // namespace glueguard
