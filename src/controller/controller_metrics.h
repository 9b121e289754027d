// Every metric the controller exports, declared in one place. Families are registered on a MetricsRegistry;
// per-subnet gauges are computed from the controller at scrape time. Names follow Prometheus conventions:
// glueguard_ prefix, base units (seconds, IPs as counts, ratios), _total counters.
#pragma once

#include "aws/aws_client.h"
#include "metrics/metrics.h"

namespace glueguard {

class Controller;

// Counters and histograms the controller updates as things happen.
struct ControllerMetrics {
  CounterFamily* decisions = nullptr;       // glueguard_admission_decisions_total{category,outcome,code}
  HistogramFamily* wait_seconds = nullptr;  // glueguard_admission_wait_seconds{category}: waited, per admit
  CounterFamily* observations = nullptr;    // glueguard_observations_total{subnet,result}
  CounterFamily* exhaustion_reports = nullptr;  // glueguard_exhaustion_reports_total{subnet}
  CounterFamily* alerts_fired = nullptr;        // glueguard_alerts_fired_total{subnet}
  CounterFamily* notifications = nullptr;       // glueguard_notifications_total{kind,result}
  CounterFamily* store_errors = nullptr;        // glueguard_store_errors_total
  HistogramFamily* cleanup_tail_seconds = nullptr;  // glueguard_eni_cleanup_tail_seconds{subnet}: per ENI

  // Registers the families. Internal when a name clashes (a programming error).
  static Result<ControllerMetrics> Register(MetricsRegistry& registry);
};

// The per-subnet gauges, computed from `controller` at every scrape: capacity, ENIs by state, utilisation,
// buffer, reserved IPs, waiters, observation age, staleness, alert firing, priority floor, cool-off.
// `controller` must outlive every scrape.
Status RegisterSubnetGauges(MetricsRegistry& registry, const Controller& controller, const Clock& clock);

// AWS calls by service, operation and outcome, their latency, and throttled attempts, fed by AwsClient's
// observer.
class AwsCallMetrics {
 public:
  static Result<AwsCallMetrics> Register(MetricsRegistry& registry);
  // Thread-safe.
  void Record(const AwsCallRecord& call) const;

 private:
  CounterFamily* calls_ = nullptr;      // glueguard_aws_calls_total{service,operation,outcome}
  CounterFamily* throttles_ = nullptr;  // glueguard_aws_throttled_attempts_total{service,operation}
  CounterFamily* attempts_ = nullptr;   // glueguard_aws_attempts_total{service,operation}
  HistogramFamily* latency_ = nullptr;  // glueguard_aws_call_duration_seconds{service,operation}
};

}  // namespace glueguard
