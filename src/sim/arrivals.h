// Arrivals: what a workload does by itself, put on a World's event queue — scheduled job launches (cron,
// UTC), ad-hoc runs (a Poisson process per day within an hour range) and interactive sessions. The simulator
// routes launches through admission; simcloud starts them directly. Draws come from streams keyed by the
// arrival (job and fire time, name/day/index), so the same seed gives the same arrivals whatever happens to
// them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "sim/world.h"

namespace glueguard {

struct LaunchRequest {
  std::string job;
  int workers = 0;
  std::optional<Duration> duration;  // the job's own distribution when absent
  std::string key;                   // the launch's identity: "<job>@<epoch ms>", "adhoc:<name>:<day>:<i>"
  bool bypass_admission = false;
};

struct ArrivalHandlers {
  std::function<void(const LaunchRequest&)> launch;
  std::function<void(const CreateSessionInput&)> create_session;
};

// Schedules every arrival from the world's start for `days` days. `workload` and `handlers` must outlive the
// world's queue (the events refer to them).
void ScheduleArrivals(World& world, const Workload& workload, uint64_t seed, int days,
                      const ArrivalHandlers& handlers);

}  // namespace glueguard
