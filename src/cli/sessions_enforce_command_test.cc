// `glueguard sessions enforce` against simcloud: the command's AWS clients come from the environment.
#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "net/curl_transport.h"
#include "cli/cli.h"
#include "simcloud/simcloud.h"
#include "testing/session_fakes.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

TEST(SessionsEnforceCommand, EndsASessionOutOfBoundsAndActsOnceOnTheSameEventAgain) {
  Workload workload =
      *LoadWorkloadFile(std::string(GLUEGUARD_SOURCE_DIR) + "/examples/workloads/seed-after.yaml");
  SystemClock wall;  // the command signs with the wall clock; simcloud checks the skew
  FakeClock sleeper_clock;
  FakeSleeper sleeper(sleeper_clock);
  SeededRandom random(3);
  CurlTransport transport;
  SimCloudOptions options;
  options.world.speed = 600;
  options.world.run_arrivals = false;
  auto cloud = std::move(*SimCloud::Create(workload, options, wall, random, sleeper, transport));
  ASSERT_TRUE(cloud->Start().ok());
  cloud->sim().With([](World& w) {
    CreateSessionInput input;
    input.id = "notebook-big";
    input.role = "arn:aws:iam::123456789012:role/GlueRole";
    input.workers = 12;
    input.idle_timeout_minutes = 600;
    return w.CreateSession(input).ok();
  });
  // At 600x the session leaves PROVISIONING within a fraction of a second.
  while (cloud->sim().With(
      [](World& w) { return w.FindSession("notebook-big")->status == SessionState::kProvisioning; })) {
    std::this_thread::yield();
  }

  testing::TempDir dir;
  const std::string config =
      dir.Write("glueguard.yaml", "region: us-east-1\nstore:\n  path: " + dir.File("glueguard.db") +
                                      "\nsessions:\n  policy:\n    action: enforce\n    limits:\n"
                                      "      max_workers: 10\n");
  const std::string events = dir.Write("events.json", testing::CreateSessionEvent("e1", "notebook-big", 12));
  const EnvLookup env = FixedEnv({{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                                  {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
                                  {"AWS_REGION", "us-east-1"},
                                  {"AWS_ENDPOINT_URL", cloud->endpoint()},
                                  {"AWS_CONFIG_FILE", "/dev/null"},
                                  {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"},
                                  {"AWS_EC2_METADATA_DISABLED", "true"}});
  std::ostringstream out, err;
  ASSERT_EQ(RunCli({"sessions", "enforce", events, "--config", config}, out, err, env), 0) << err.str();
  EXPECT_NE(out.str().find("\"outcome\":\"violation\""), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("\"ended\":true"), std::string::npos) << out.str();
  EXPECT_EQ(cloud->sim().With([](World& w) { return w.FindSession("notebook-big") == nullptr; }), true);

  std::ostringstream again, again_err;
  ASSERT_EQ(RunCli({"sessions", "enforce", events, "--config", config}, again, again_err, env), 0)
      << again_err.str();
  EXPECT_NE(again.str().find("\"outcome\":\"duplicate\""), std::string::npos) << again.str();
}

TEST(SessionsEnforceCommand, RefusesAConfigurationWithoutSessions) {
  testing::TempDir dir;
  const std::string bare =
      dir.Write("bare.yaml",
                "region: us-east-1\nsubnets:\n  - id: subnet-0a1b2c3d\n    cidr: 10.0.0.0/26\n"
                "categories:\n  - name: adhoc\n    subnet: subnet-0a1b2c3d\n");
  const std::string events = dir.Write("events.json", testing::CreateSessionEvent("e1", "s", 12));
  std::ostringstream out, err;
  EXPECT_EQ(RunCli({"sessions", "enforce", events, "--config", bare}, out, err, FixedEnv({})), 2);
  EXPECT_NE(err.str().find("no sessions section"), std::string::npos) << err.str();
}

}  // namespace
}  // namespace glueguard
