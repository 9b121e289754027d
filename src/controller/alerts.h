// UtilisationAlerts: the seed's 80 % alert, with hysteresis. A subnet's alert fires when an observation shows
// total ENIs / capacity at or above its alert_threshold (default 80 %) and resolves when one shows it below
// alert_clear (default 60 %); in between it keeps its state, so a subnet hovering at 79-81 % does not flap.
// At 80 % something has usually bypassed admission (a console run, another service in the subnet).
// Pure: no I/O; thread-safe (one mutex).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "admission/observation.h"
#include "base/mutex.h"
#include "config/config.h"
#include "notify/notifier.h"

namespace glueguard {

struct FiringAlert {
  std::string subnet_id;
  std::string subnet_name;
  Time since{};
  double utilisation = 0;  // of the latest observation
  int total = 0;
  int capacity = 0;
};

class UtilisationAlerts {
 public:
  // Applies an observation of `subnet`. Returns the notification to send when the alert changes state.
  std::optional<Notification> Evaluate(const SubnetConfig& subnet, const Observation& o) GG_EXCLUDES(mu_);
  // Firing alerts, by subnet id.
  std::vector<FiringAlert> Firing() const GG_EXCLUDES(mu_);
  // Alerts that have fired since the start (for the firing-alerts counter).
  int64_t fired_total() const GG_EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  std::map<std::string, FiringAlert> firing_ GG_GUARDED_BY(mu_);
  int64_t fired_total_ GG_GUARDED_BY(mu_) = 0;
};

}  // namespace glueguard
