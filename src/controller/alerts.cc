#include "controller/alerts.h"

#include <fmt/format.h>

namespace glueguard {

std::optional<Notification> UtilisationAlerts::Evaluate(const SubnetConfig& subnet, const Observation& o) {
  const int capacity = subnet.cidr.UsableIps();
  if (capacity <= 0) return std::nullopt;
  const double utilisation = static_cast<double>(o.total_enis) / capacity;
  MutexLock lock(mu_);
  auto it = firing_.find(subnet.id);
  Notification n;
  n.at = o.observed_at;
  n.fields = {{"subnet", subnet.id},
              {"subnet_name", subnet.name},
              {"utilisation", fmt::format("{:.3f}", utilisation)},
              {"total_enis", std::to_string(o.total_enis)},
              {"available_enis", std::to_string(o.available)},
              {"capacity", std::to_string(capacity)}};
  if (it == firing_.end()) {
    if (utilisation < subnet.alert_threshold) return std::nullopt;
    firing_[subnet.id] =
        FiringAlert{subnet.id, subnet.name, o.observed_at, utilisation, o.total_enis, capacity};
    ++fired_total_;
    n.kind = "alert_firing";
    n.subject = fmt::format("glueguard: subnet {} at {:.0f}% of its IPs", subnet.name, 100 * utilisation);
    n.message = fmt::format(
        "Subnet {} ({}) has {} of {} usable IPs taken ({:.0f}%, alert at {:.0f}%): {} ENIs in use, {} "
        "available "
        "(cleanup tail), {} attaching or detaching.\n\n"
        "Admission keeps launches from failing, so this usually means something bypassed it: a console run, "
        "a job "
        "pointed at the wrong connection, or another service in the subnet.\n\n"
        "What to do:\n"
        "1. glueguard observe --subnet {}   (confirm the count)\n"
        "2. glueguard doctor                 (orphaned available ENIs, job runs stuck in STOPPING)\n"
        "3. If neither explains it, pause non-critical DAGs until utilisation falls below {:.0f}%.\n"
        "Hitting this often means the subnet needs more addresses.",
        subnet.name, subnet.id, o.total_enis, capacity, 100 * utilisation, 100 * subnet.alert_threshold,
        o.in_use, o.available, o.other, subnet.id, 100 * subnet.alert_clear);
    return n;
  }
  it->second.utilisation = utilisation;
  it->second.total = o.total_enis;
  if (utilisation >= subnet.alert_clear) return std::nullopt;
  const Time since = it->second.since;
  firing_.erase(it);
  n.kind = "alert_resolved";
  n.subject = fmt::format("glueguard: subnet {} back to {:.0f}%", subnet.name, 100 * utilisation);
  n.message = fmt::format(
      "Subnet {} ({}) is down to {} of {} IPs ({:.0f}%, below {:.0f}%). The alert fired at {} "
      "and lasted {}.",
      subnet.name, subnet.id, o.total_enis, capacity, 100 * utilisation, 100 * subnet.alert_clear,
      FormatTime(since), FormatDuration(o.observed_at - since));
  return n;
}

std::vector<FiringAlert> UtilisationAlerts::Firing() const {
  MutexLock lock(mu_);
  std::vector<FiringAlert> out;
  for (const auto& [id, alert] : firing_) out.push_back(alert);
  return out;
}

int64_t UtilisationAlerts::fired_total() const {
  MutexLock lock(mu_);
  return fired_total_;
}

}  // namespace glueguard
