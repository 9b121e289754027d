// Every metric session boundaries export, declared in one place.
#pragma once

#include "metrics/metrics.h"

namespace glueguard {

struct SessionMetrics {
  CounterFamily* events = nullptr;            // glueguard_session_events_total{source,outcome}
  CounterFamily* violations = nullptr;        // glueguard_session_violations_total{code}
  CounterFamily* ended = nullptr;             // glueguard_sessions_ended_total
  CounterFamily* retries = nullptr;           // glueguard_session_event_retries_total
  CounterFamily* dead_lettered = nullptr;     // glueguard_session_events_dead_lettered_total
  GaugeFamily* dead_letters = nullptr;        // glueguard_session_dead_letters: parked now, not yet replayed
  CounterFamily* reconcile_sweeps = nullptr;  // glueguard_session_reconcile_sweeps_total{result}
  HistogramFamily* handle_seconds = nullptr;  // glueguard_session_event_handle_seconds: event in to done

  // Registers the families. Internal when a name clashes (a programming error).
  static Result<SessionMetrics> Register(MetricsRegistry& registry);
};

}  // namespace glueguard
