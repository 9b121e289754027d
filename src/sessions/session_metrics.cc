#include "sessions/session_metrics.h"

namespace glueguard {

Result<SessionMetrics> SessionMetrics::Register(MetricsRegistry& registry) {
  SessionMetrics m;
  GG_RETURN_IF_ERROR(
      TakeFamily(registry.AddCounter("glueguard_session_events_total",
                                     "Session events handled, by where they came from (http, sqs, "
                                     "lambda, reconcile, replay) and outcome (compliant, violation, "
                                     "ignored, duplicate, invalid, dead_lettered).",
                                     {"source", "outcome"}),
                 m.events));
  GG_RETURN_IF_ERROR(TakeFamily(registry.AddCounter("glueguard_session_violations_total",
                                                    "Broken session limits, by violation code.", {"code"}),
                                m.violations));
  GG_RETURN_IF_ERROR(TakeFamily(registry.AddCounter("glueguard_sessions_ended_total",
                                                    "Sessions stopped and deleted for breaking the policy."),
                                m.ended));
  GG_RETURN_IF_ERROR(
      TakeFamily(registry.AddCounter("glueguard_session_event_retries_total",
                                     "Attempts at handling a session event that failed and were retried."),
                 m.retries));
  GG_RETURN_IF_ERROR(
      TakeFamily(registry.AddCounter("glueguard_session_events_dead_lettered_total",
                                     "Session events parked in the dead-letter store after the last "
                                     "retry."),
                 m.dead_lettered));
  GG_RETURN_IF_ERROR(
      TakeFamily(registry.AddGauge("glueguard_session_dead_letters",
                                   "Session events in the dead-letter store, not yet replayed."),
                 m.dead_letters));
  GG_RETURN_IF_ERROR(TakeFamily(
      registry.AddCounter("glueguard_session_reconcile_sweeps_total",
                          "Reconcile sweeps over live sessions, by result (ok, failed).", {"result"}),
      m.reconcile_sweeps));
  GG_RETURN_IF_ERROR(
      TakeFamily(registry.AddHistogram("glueguard_session_event_handle_seconds",
                                       "Time from receiving a session event to having acted on it.",
                                       {0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 120}),
                 m.handle_seconds));
  return m;
}

}  // namespace glueguard
