#include "controller/controller_metrics.h"

#include "controller/controller.h"

namespace glueguard {

Result<ControllerMetrics> ControllerMetrics::Register(MetricsRegistry& registry) {
  ControllerMetrics m;
  GG_RETURN_IF_ERROR(
      TakeFamily(registry.AddCounter("glueguard_admission_decisions_total",
                                     "Admission decisions by category, outcome (admit, wait, reject) "
                                     "and the code saying why.",
                                     {"category", "outcome", "code"}),
                 m.decisions));
  GG_RETURN_IF_ERROR(
      TakeFamily(registry.AddHistogram("glueguard_admission_wait_seconds",
                                       "How long admitted launches waited before they were admitted.",
                                       {0, 30, 60, 120, 180, 300, 420, 600, 900}, {"category"}),
                 m.wait_seconds));
  GG_RETURN_IF_ERROR(
      TakeFamily(registry.AddCounter("glueguard_observations_total",
                                     "Subnet observations (one paginated DescribeNetworkInterfaces) by "
                                     "result.",
                                     {"subnet", "result"}),
                 m.observations));
  GG_RETURN_IF_ERROR(
      TakeFamily(registry.AddCounter("glueguard_exhaustion_reports_total",
                                     "Launches reported as failed with IP exhaustion.", {"target"}),
                 m.exhaustion_reports));
  GG_RETURN_IF_ERROR(TakeFamily(
      registry.AddCounter("glueguard_alerts_fired_total", "Utilisation alerts that fired.", {"subnet"}),
      m.alerts_fired));
  GG_RETURN_IF_ERROR(TakeFamily(
      registry.AddCounter("glueguard_notifications_total",
                          "Notifications sent, by kind and result (sent, failed).", {"kind", "result"}),
      m.notifications));
  GG_RETURN_IF_ERROR(
      TakeFamily(registry.AddHistogram("glueguard_eni_cleanup_tail_seconds",
                                       "How long each Glue ENI stayed available before it was deleted, as "
                                       "measured by the replica observing its subnet.",
                                       {60, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200}, {"subnet"}),
                 m.cleanup_tail_seconds));
  GG_RETURN_IF_ERROR(
      TakeFamily(registry.AddCounter("glueguard_store_errors_total",
                                     "Store operations that failed (decisions not made, sweeps not done)."),
                 m.store_errors));
  return m;
}

Status RegisterSubnetGauges(MetricsRegistry& registry, const Controller& controller, const Clock& clock) {
  struct SubnetGauge {
    const char* name;
    const char* help;
    std::vector<std::string> labels;
    std::function<void(GaugeWriter&, const SubnetStatus&, double now_s)> write;
  };
  const std::vector<SubnetGauge> gauges = {
      {"glueguard_subnet_capacity_ips",
       "Usable IPs of the subnet (2^(32-prefix) - 5).",
       {"subnet"},
       [](GaugeWriter& w, const SubnetStatus& s, double) {
         w.Set({{"subnet", s.config->id}}, s.config->cidr.UsableIps());
       }},
      {"glueguard_subnet_enis",
       "ENIs in the subnet by state, from the latest observation.",
       {"subnet", "state"},
       [](GaugeWriter& w, const SubnetStatus& s, double) {
         if (!s.poller.latest) return;
         w.Set({{"subnet", s.config->id}, {"state", "in-use"}}, s.poller.latest->in_use);
         w.Set({{"subnet", s.config->id}, {"state", "available"}}, s.poller.latest->available);
         w.Set({{"subnet", s.config->id}, {"state", "other"}}, s.poller.latest->other);
       }},
      {"glueguard_subnet_utilisation_ratio",
       "Total ENIs over usable IPs, from the latest observation.",
       {"subnet"},
       [](GaugeWriter& w, const SubnetStatus& s, double) {
         if (!s.poller.latest) return;
         w.Set({{"subnet", s.config->id}},
               static_cast<double>(s.poller.latest->total_enis) / s.config->cidr.UsableIps());
       }},
      {"glueguard_subnet_alert_threshold_ratio",
       "Utilisation at which the subnet's alert fires.",
       {"subnet"},
       [](GaugeWriter& w, const SubnetStatus& s, double) {
         w.Set({{"subnet", s.config->id}}, s.config->alert_threshold);
       }},
      {"glueguard_subnet_buffer_ips",
       "IPs the buffer policy keeps free beside a launch.",
       {"subnet"},
       [](GaugeWriter& w, const SubnetStatus& s, double) {
         w.Set({{"subnet", s.config->id}}, s.buffer_ips);
       }},
      {"glueguard_subnet_reserved_ips",
       "IPs held by admitted launches whose ENIs are not seen yet.",
       {"subnet"},
       [](GaugeWriter& w, const SubnetStatus& s, double) {
         w.Set({{"subnet", s.config->id}}, s.reserved_ips);
       }},
      {"glueguard_subnet_waiters",
       "Launches waiting for admission.",
       {"subnet"},
       [](GaugeWriter& w, const SubnetStatus& s, double) {
         w.Set({{"subnet", s.config->id}}, s.waiters);
       }},
      {"glueguard_subnet_observation_age_seconds",
       "Age of the latest observation.",
       {"subnet"},
       [](GaugeWriter& w, const SubnetStatus& s, double now_s) {
         if (!s.poller.latest) return;
         w.Set({{"subnet", s.config->id}},
               now_s - static_cast<double>(ToUnixMillis(s.poller.latest->observed_at)) / 1000.0);
       }},
      {"glueguard_subnet_stale",
       "1 when the subnet's view is too old to admit on.",
       {"subnet"},
       [](GaugeWriter& w, const SubnetStatus& s, double) {
         w.Set({{"subnet", s.config->id}}, s.stale ? 1 : 0);
       }},
      {"glueguard_subnet_priority_floor_active",
       "1 while only high-priority launches are admitted.",
       {"subnet"},
       [](GaugeWriter& w, const SubnetStatus& s, double) {
         w.Set({{"subnet", s.config->id}}, s.priority_floor_active ? 1 : 0);
       }},
      {"glueguard_subnet_cool_off",
       "1 while admission pauses after a reported IP exhaustion.",
       {"subnet"},
       [](GaugeWriter& w, const SubnetStatus& s, double now_s) {
         w.Set({{"subnet", s.config->id}},
               static_cast<double>(ToUnixMillis(s.cool_off_until)) / 1000.0 > now_s ? 1 : 0);
       }},
  };
  for (const SubnetGauge& g : gauges) {
    auto write = g.write;
    GG_RETURN_IF_ERROR(
        registry.AddComputedGauge(g.name, g.help, g.labels, [&controller, &clock, write](GaugeWriter& w) {
          const double now_s = static_cast<double>(ToUnixMillis(clock.Now())) / 1000.0;
          for (const SubnetStatus& s : controller.Subnets()) write(w, s, now_s);
        }));
  }
  return registry.AddComputedGauge("glueguard_alert_firing",
                                   "1 for each subnet whose utilisation alert is firing.", {"subnet"},
                                   [&controller](GaugeWriter& w) {
                                     for (const SubnetConfig& s : controller.config().subnets) {
                                       w.Set({{"subnet", s.id}}, 0);
                                     }
                                     for (const FiringAlert& a : controller.FiringAlerts()) {
                                       w.Set({{"subnet", a.subnet_id}}, 1);
                                     }
                                   });
}

Result<AwsCallMetrics> AwsCallMetrics::Register(MetricsRegistry& registry) {
  AwsCallMetrics m;
  GG_RETURN_IF_ERROR(
      TakeFamily(registry.AddCounter("glueguard_aws_calls_total",
                                     "AWS API calls by service, operation and outcome (ok or the error "
                                     "code).",
                                     {"service", "operation", "outcome"}),
                 m.calls_));
  GG_RETURN_IF_ERROR(TakeFamily(
      registry.AddCounter("glueguard_aws_attempts_total", "HTTP attempts of AWS calls, retries included.",
                          {"service", "operation"}),
      m.attempts_));
  GG_RETURN_IF_ERROR(TakeFamily(
      registry.AddCounter("glueguard_aws_throttled_attempts_total",
                          "AWS attempts answered with a throttling error.", {"service", "operation"}),
      m.throttles_));
  GG_RETURN_IF_ERROR(TakeFamily(
      registry.AddHistogram("glueguard_aws_call_duration_seconds",
                            "AWS call latency, first attempt to last response, backoff "
                            "included.",
                            {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}, {"service", "operation"}),
      m.latency_));
  return m;
}

void AwsCallMetrics::Record(const AwsCallRecord& call) const {
  const std::string service(call.service);
  const std::string operation(call.operation);
  std::string outcome = "ok";
  if (call.status && !call.status->ok()) {
    outcome = call.status->reason().empty() ? "error" : call.status->reason();
  }
  calls_->With({{"service", service}, {"operation", operation}, {"outcome", outcome}}).Increment();
  attempts_->With({{"service", service}, {"operation", operation}}).Increment(call.attempts);
  if (call.throttled > 0)
    throttles_->With({{"service", service}, {"operation", operation}}).Increment(call.throttled);
  latency_->With({{"service", service}, {"operation", operation}})
      .Observe(static_cast<double>(call.latency.count()) / 1000.0);
}

}  // namespace glueguard
