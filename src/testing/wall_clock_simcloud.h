// simcloud in the test's process on the wall clock (commands run as processes or in-process sign requests
// with the real time), the seed's "after" workload with nothing arriving by itself, on a port the kernel
// picks: what tests of commands that talk to AWS start from.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "net/curl_transport.h"
#include "base/clock.h"
#include "base/random.h"
#include "sim/workload.h"
#include "simcloud/simcloud.h"

namespace glueguard::testing {

class WallClockSimCloud {
 public:
  // `options` as given, except that nothing arrives by itself: only the test's calls change the world.
  explicit WallClockSimCloud(uint64_t seed, SimCloudOptions options = {}) : random_(seed) {
    workload_ = *LoadWorkloadFile(std::string(GLUEGUARD_SOURCE_DIR) + "/examples/workloads/seed-after.yaml");
    options.world.run_arrivals = false;
    cloud_ = std::move(*SimCloud::Create(workload_, options, clock_, random_, sleeper_, transport_));
    const Status started = cloud_->Start();
    EXPECT_TRUE(started.ok()) << started.ToString();
  }

  SimCloud& cloud() { return *cloud_; }
  std::string endpoint() const { return cloud_->endpoint(); }

 private:
  Workload workload_;
  SystemClock clock_;
  FakeClock sleeper_clock_;
  FakeSleeper sleeper_{sleeper_clock_};
  SeededRandom random_;
  CurlTransport transport_;
  std::unique_ptr<SimCloud> cloud_;
};

}  // namespace glueguard::testing
