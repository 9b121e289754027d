#include "base/clock.h"

#include <thread>

namespace glueguard {

Time SystemClock::Now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

void SystemSleeper::Sleep(Duration d) {
  if (d.count() > 0) std::this_thread::sleep_for(d);
}

}  // namespace glueguard
