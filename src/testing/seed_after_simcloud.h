// The fixture the in-process simcloud tests share: the seed's "after" workload served by simcloud on a fake
// clock (the world follows it: speed 1, no arrivals of its own), the example configuration, and an EC2 client
// signed with simcloud's test key. Derived fixtures call StartCloud() and add what they test.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "aws/ec2.h"
#include "base/env.h"
#include "config/config.h"
#include "net/curl_transport.h"
#include "sim/workload.h"
#include "simcloud/simcloud.h"
#include "testing/simcloud_aws.h"
#include "testing/temp_dir.h"

namespace glueguard::testing {

class SeedAfterSimcloudTest : public ::testing::Test {
 protected:
  SeedAfterSimcloudTest(Time start, uint64_t random_seed) : clock_(start), random_(random_seed) {}

  static std::string Source(const std::string& path) {
    return std::string(GLUEGUARD_SOURCE_DIR) + "/" + path;
  }

  // Loads the workload and the configuration, starts simcloud and the AWS client (its retry jitter seeded
  // with `aws_seed`); false, with the failure recorded, when simcloud did not start.
  [[nodiscard]] bool StartCloud(uint64_t aws_seed) {
    workload_ = *LoadWorkloadFile(Source("examples/workloads/seed-after.yaml"));
    config_ = *LoadConfigFile(Source("examples/glueguard.yaml"), FixedEnv({}));
    SimCloudOptions options;
    options.world.run_arrivals = false;
    options.world.speed = 1;
    cloud_ = std::move(*SimCloud::Create(workload_, options, clock_, random_, sleeper_, transport_));
    const Status started = cloud_->Start();
    EXPECT_TRUE(started.ok()) << started.ToString();
    if (!started.ok()) return false;
    aws_ = std::make_unique<SimcloudAws>(cloud_->endpoint(), transport_, clock_, sleeper_, aws_seed);
    ec2_ = std::make_unique<Ec2Client>(aws_->client);
    return true;
  }

  TempDir dir_;
  Workload workload_;
  Config config_;
  FakeClock clock_;
  FakeSleeper sleeper_{clock_};
  SeededRandom random_;
  CurlTransport transport_;
  std::unique_ptr<SimCloud> cloud_;
  std::unique_ptr<SimcloudAws> aws_;
  std::unique_ptr<Ec2Client> ec2_;
};

}  // namespace glueguard::testing
