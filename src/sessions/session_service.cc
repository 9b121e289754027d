#include "sessions/session_service.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "sessions/lambda_runtime.h"

namespace glueguard {
namespace {

ServerResponse JsonResponse(int status, const nlohmann::ordered_json& body) {
  ServerResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump();
  return r;
}

ServerResponse ErrorResponse(int status, const std::string& code, const std::string& message) {
  nlohmann::ordered_json body;
  body["error"] = {{"code", code}, {"message", message}};
  return JsonResponse(status, body);
}

}  // namespace

Result<std::unique_ptr<SessionService>> SessionService::Start(SessionServiceDeps deps,
                                                              SessionServiceOptions options) {
  if (!deps.config.queue_url.empty() && deps.sqs == nullptr) {
    return Status::InvalidArgument("sessions.queue_url is set but no SQS client is available");
  }
  std::unique_ptr<SessionService> s(new SessionService(std::move(deps)));
  Result<SessionMetrics> metrics = SessionMetrics::Register(s->deps_.metrics);
  if (!metrics.ok()) return metrics.status();
  s->metrics_ = *metrics;
  Result<int64_t> parked = s->deps_.parked().DeadLetterCount();
  if (!parked.ok()) return parked.status().WithContext("reading the dead-letter count");
  s->metrics_.dead_letters->With({}).Set(static_cast<double>(*parked));

  SessionHandlerDeps handler_deps{s->deps_.config,   s->deps_.glue,  s->deps_.notifier, s->deps_.store,
                                  s->deps_.parked(), s->deps_.clock, s->deps_.sleeper,  s->deps_.random,
                                  &s->metrics_,      s->deps_.log};
  s->handler_ = std::make_unique<SessionEventHandler>(handler_deps);
  s->reconciler_ = std::make_unique<SessionReconciler>(s->deps_.glue, s->deps_.store, *s->handler_,
                                                       s->deps_.clock, options.reconcile_grace, s->deps_.log);
  if (!s->deps_.config.queue_url.empty()) {
    SqsIntakeOptions intake;
    intake.queue_url = s->deps_.config.queue_url;
    intake.visibility_timeout = s->deps_.config.visibility_timeout;
    intake.wait_time_seconds = options.sqs_wait_time_seconds;
    s->intake_ =
        std::make_unique<SqsIntake>(*s->deps_.sqs, *s->handler_, s->deps_.clock, intake, s->deps_.log);
  }
  {
    // A process that died mid-handling left its claims behind; its inbox items and SQS messages come back to
    // this one, which must be free to handle them now rather than once the claims go stale. (A second serve
    // on the same file may thereby handle an event of its own twice: at least once, never lost.)
    Result<int64_t> released = s->deps_.store.ReleaseUnfinishedClaims();
    if (!released.ok()) return released.status().WithContext("releasing claims left by a previous run");
    if (*released > 0)
      s->deps_.log(fmt::format("released {} claim(s) left unfinished by a previous run", *released));
  }
  s->next_sweep_ = s->deps_.clock.Now() + s->deps_.config.reconcile_every;
  s->dead_letter_count_every_ = options.dead_letter_count_every;
  s->shared_inbox_every_ = options.shared_inbox_every;
  s->next_shared_drain_ = s->deps_.clock.Now() + options.shared_inbox_every;
  if (options.run_background) {
    SessionService* self = s.get();
    s->background_ =
        std::make_unique<PeriodicWorker>(options.background_every, [self] { self->BackgroundRound(); });
    if (s->intake_) s->poller_ = std::thread([self] { self->intake_->Run(self->deps_.sleeper); });
  }
  return s;
}

SessionService::~SessionService() { Stop(); }

void SessionService::Stop() {
  if (intake_) intake_->Stop();
  if (background_) background_->Stop();
  if (poller_.joinable()) poller_.join();
}

ServerResponse SessionService::HandleHttp(const ServerRequest& request, bool authenticated) {
  Result<ParsedEvent> parsed = ParseSessionEvent(request.body);
  if (!parsed.ok() && !authenticated) {
    metrics_.events->With({{"source", "http"}, {"outcome", "refused_invalid"}}).Increment();
    return ErrorResponse(
        400, "invalid_event",
        parsed.status().message() +
            " (not kept: the API has no token, so invalid bodies from unauthenticated callers are "
            "refused rather than stored)");
  }
  if (!parsed.ok()) {
    // Never handled, but never lost either: parked with the reason.
    Result<HandleResult> parked = handler_->Handle(request.body, HandleOptions{"http", Time::max(), {}});
    std::string message = parsed.status().message();
    if (parked.ok() && parked->dead_letter_id != 0) {
      message += fmt::format(" (kept as dead letter {})", parked->dead_letter_id);
    }
    return ErrorResponse(400, "invalid_event", message);
  }
  if (!parsed->event) {
    nlohmann::ordered_json body;
    body["outcome"] = "ignored";
    body["detail"] = parsed->ignored;
    return JsonResponse(200, body);
  }
  Result<int64_t> id = deps_.store.Enqueue("http", request.body, deps_.clock.Now());
  if (!id.ok() && id.status().code() == StatusCode::kInvalidArgument) {
    return ErrorResponse(413, "event_too_large", id.status().message());  // a retry would fail the same way
  }
  if (!id.ok()) return ErrorResponse(503, "store_unavailable", id.status().message());
  {
    MutexLock lock(mu_);
    inbox_dirty_ = true;
  }
  if (background_) background_->Wake();
  nlohmann::ordered_json body;
  body["accepted"] = *id;
  body["event_id"] = parsed->event->event_id;
  return JsonResponse(202, body);
}

Result<int> SessionService::DrainInbox() {
  MutexLock drain(drain_mu_);
  int handled = 0;
  size_t deferred = 0;  // items left at the head of the inbox because another delivery holds their claim
  while (true) {
    Result<std::vector<InboxItem>> pending = deps_.store.Pending(static_cast<int>(deferred) + 16);
    if (!pending.ok()) return pending.status();
    if (pending->size() <= deferred) return handled;
    for (size_t i = deferred; i < pending->size(); ++i) {
      const InboxItem& item = (*pending)[i];
      HandleOptions options;
      options.source = item.source;
      Result<HandleResult> result = handler_->Handle(item.body, options);
      if (!result.ok()) return result.status();  // kept in the inbox for the next drain
      if (result->in_progress) {
        // Not ours to drop: stays until whoever holds the claim finishes, or the claim goes stale.
        ++deferred;
        continue;
      }
      GG_RETURN_IF_ERROR(deps_.store.Dequeue(item.id));
      ++handled;
    }
  }
}

Result<SweepStats> SessionService::SweepNow() {
  HandleOptions options;
  options.source = "reconcile";
  Result<SweepStats> stats = reconciler_->Sweep(options);
  metrics_.reconcile_sweeps->With({{"result", stats.ok() ? "ok" : "failed"}}).Increment();
  if (!stats.ok()) deps_.log(fmt::format("reconcile sweep failed: {}", stats.status().message()));
  return stats;
}

std::optional<int64_t> SessionService::DeadLetterCount() {
  MutexLock lock(count_mu_);
  const Time now = deps_.clock.Now();
  const bool fresh = dead_letter_count_ && dead_letter_count_every_ > Duration::zero() &&
                     now >= dead_letter_count_at_ && now - dead_letter_count_at_ < dead_letter_count_every_;
  if (fresh) return dead_letter_count_;
  Result<int64_t> n = deps_.parked().DeadLetterCount();
  if (!n.ok()) return std::nullopt;
  dead_letter_count_ = *n;
  dead_letter_count_at_ = now;
  return *n;
}

void SessionService::BackgroundRound() {
  bool dirty = false;
  {
    MutexLock lock(mu_);
    dirty = inbox_dirty_;
    inbox_dirty_ = false;
  }
  if (shared_inbox_every_ > Duration::zero() && deps_.clock.Now() >= next_shared_drain_) {
    next_shared_drain_ = deps_.clock.Now() + shared_inbox_every_;
    dirty = true;
  }
  if (dirty) {
    Result<int> drained = DrainInbox();
    if (!drained.ok()) {
      deps_.log(fmt::format("handling accepted events: {}", drained.status().message()));
      MutexLock relock(mu_);
      inbox_dirty_ = true;  // try again on the next round
    }
  }
  if (deps_.config.reconcile_every > Duration::zero() && deps_.clock.Now() >= next_sweep_) {
    next_sweep_ = deps_.clock.Now() + deps_.config.reconcile_every;
    (void)SweepNow();
  }
}

}  // namespace glueguard
