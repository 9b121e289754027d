#include "app/demo_timing.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace glueguard {

Result<DemoTiming> DemoTimingFor(const AdmissionConfig& admission, double speed) {
  using std::chrono::milliseconds;
  const Duration slack = admission.stale_after - admission.poll_interval;  // simulated
  const double real_slack_ms = static_cast<double>(slack.count()) / speed;
  if (real_slack_ms < static_cast<double>(kDemoMinRealSlack.count())) {
    const double max_speed =
        std::floor(static_cast<double>(slack.count()) / static_cast<double>(kDemoMinRealSlack.count()));
    const std::string advice = max_speed >= 1 ? fmt::format("use --speed {:g} or less", max_speed)
                                              : "give admission.stale_after more room over poll_interval";
    return Status::InvalidArgument(
        fmt::format("--speed {:g} is faster than the demo can keep up with: a subnet is observed every {} of "
                    "simulated time and its view is stale after {}, which leaves {:.0f}ms of real time at "
                    "x{:g} to observe it again (it needs {}); {}",
                    speed, FormatDuration(admission.poll_interval), FormatDuration(admission.stale_after),
                    std::max(real_slack_ms, 0.0), speed, FormatDuration(kDemoMinRealSlack), advice));
  }
  DemoTiming timing;
  // Four ticks within the slack: one may be late, and an observation round still lands before stale_after.
  timing.tick_every = std::clamp(Duration(static_cast<int64_t>(real_slack_ms / 4)), milliseconds(5),
                                 Duration(std::chrono::seconds(1)));
  timing.launcher_every = std::min<Duration>(timing.tick_every, milliseconds(200));
  return timing;
}

}  // namespace glueguard
