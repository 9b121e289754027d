// How the demo's real-time loops follow its accelerated clock. The controller's ticker and the launcher run
// on the wall clock while every duration they serve (poll_interval, stale_after, a wait's retry_after) is
// simulated time, so at --speed X a second of real time is X seconds of the story. A subnet's view is
// renewed once it is poll_interval old and goes stale at stale_after: the ticker has
// (stale_after - poll_interval) / X of real time to renew it, and must come round several times within it.
#pragma once

#include "base/status.h"
#include "base/time.h"
#include "config/config.h"

namespace glueguard {

struct DemoTiming {
  Duration tick_every{};      // the controller's ticker, real time
  Duration launcher_every{};  // the launcher's loop (pokes and starts), real time
};

// The least real time a view may have between due and stale: a tick, an observation of every subnet through
// simcloud's HTTP API, and the scheduler's jitter on a busy laptop.
inline constexpr Duration kDemoMinRealSlack = std::chrono::milliseconds(50);

// The timing for `speed` (simulated seconds per real second, > 0) under `admission`. InvalidArgument, saying
// why and which speed would do, when the real time between a view falling due and going stale is shorter
// than kDemoMinRealSlack: the dashboard would show every subnet as a stale view and admissions would wait
// on stale_observation.
Result<DemoTiming> DemoTimingFor(const AdmissionConfig& admission, double speed);

}  // namespace glueguard
