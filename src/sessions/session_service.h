// SessionService: session boundaries as `glueguard serve` runs them. It owns the event handler and the work
// around it: the inbox worker behind POST /v1/events (an event is stored before it is acknowledged, then
// handled in the background, so EventBridge's 5-second API-destination timeout never cuts enforcement short),
// the SQS poller when sessions.queue_url is set, and the reconcile sweep every sessions.reconcile_every.
#pragma once

#include <memory>
#include <optional>
#include <thread>

#include "aws/sqs.h"
#include "base/log.h"
#include "base/mutex.h"
#include "base/periodic_worker.h"
#include "metrics/metrics.h"
#include "net/http_server.h"
#include "sessions/handler.h"
#include "sessions/reconciler.h"
#include "sessions/sqs_intake.h"

namespace glueguard {

struct SessionServiceDeps {
  const SessionsConfig& config;
  GlueApi& glue;
  SqsApi* sqs = nullptr;  // needed when config.queue_url is set
  Notifier& notifier;
  SessionStore& store;
  Clock& clock;
  Sleeper& sleeper;  // the handler's retry and provisioning waits
  Random& random;
  MetricsRegistry& metrics;
  Log log = {};
  DeadLetterStore* dead_letters = nullptr;  // where failures are parked; nullptr: `store`

  DeadLetterStore& parked() const { return dead_letters != nullptr ? *dead_letters : store; }
};

struct SessionServiceOptions {
  bool run_background = true;  // false: the owner calls DrainInbox / SweepNow / the intake (tests)
  Duration reconcile_grace = std::chrono::minutes(10);  // see SessionReconciler
  int sqs_wait_time_seconds = 20;
  Duration background_every = std::chrono::seconds(1);  // how often the background thread looks (wall clock)
  // With an inbox shared by replicas (store.kind dynamodb): how often to drain it although this process
  // accepted nothing, for the events of a replica that died before handling them (by `clock`). Zero: only
  // after accepting an event, or after a drain that failed.
  Duration shared_inbox_every = Duration::zero();
  // How long DeadLetterCount keeps a count it read (by `clock`). With a shared store the count is a query of
  // every dead letter, and every open dashboard asks for it every 10 s. Zero: read it every time.
  Duration dead_letter_count_every = Duration::zero();
};

class SessionService {
 public:
  // Registers the metrics, sets the dead-letter gauge from the store and starts the background threads.
  // InvalidArgument when queue_url is set without an SQS client.
  static Result<std::unique_ptr<SessionService>> Start(SessionServiceDeps deps,
                                                       SessionServiceOptions options);
  ~SessionService();
  void Stop();

  // POST /v1/events: 202 {"accepted": id} once stored; 400 for a body that is not an event; 200
  // {"outcome": "ignored"} for an event that is not a successful Glue CreateSession; 503 when the store
  // cannot keep it (EventBridge retries). A body that is not an event is parked as a dead letter (named in
  // the answer) only when the caller was `authenticated`: with no token anyone could fill the store that way,
  // so it is refused and counted, not kept. Thread-safe.
  ServerResponse HandleHttp(const ServerRequest& request, bool authenticated = true) GG_EXCLUDES(mu_);
  // Handles every event waiting in the inbox; returns how many were handled.
  Result<int> DrainInbox() GG_EXCLUDES(drain_mu_);
  Result<SweepStats> SweepNow();
  // The dead letters in the store, read at most once per options.dead_letter_count_every; nullopt when the
  // store cannot say. Thread-safe.
  std::optional<int64_t> DeadLetterCount() GG_EXCLUDES(count_mu_);

  SessionEventHandler& handler() { return *handler_; }
  SqsIntake* intake() { return intake_.get(); }

 private:
  explicit SessionService(SessionServiceDeps deps) : deps_(std::move(deps)) {}
  // One round of the background worker: drains the inbox when an event arrived (or a drain failed), and
  // sweeps when the reconcile interval has passed.
  void BackgroundRound() GG_EXCLUDES(mu_, drain_mu_);

  SessionServiceDeps deps_;
  SessionMetrics metrics_;
  std::unique_ptr<SessionEventHandler> handler_;
  std::unique_ptr<SessionReconciler> reconciler_;
  std::unique_ptr<SqsIntake> intake_;
  Mutex mu_;
  Mutex count_mu_;  // one read of the dead-letter count at a time; the others take its answer
  std::optional<int64_t> dead_letter_count_ GG_GUARDED_BY(count_mu_);
  Time dead_letter_count_at_ GG_GUARDED_BY(count_mu_){};
  Duration dead_letter_count_every_ = Duration::zero();
  bool inbox_dirty_ GG_GUARDED_BY(mu_) = true;
  Time next_sweep_{};  // the background worker's alone
  Duration shared_inbox_every_{};
  Time next_shared_drain_{};  // the background worker's alone
  Mutex drain_mu_;            // one inbox drain at a time
  std::unique_ptr<PeriodicWorker> background_;
  std::thread poller_;
};

}  // namespace glueguard
