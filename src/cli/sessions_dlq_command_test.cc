#include <gtest/gtest.h>

#include <sstream>

#include "net/curl_transport.h"
#include "cli/cli.h"
#include "sessions/session_store.h"
#include "simcloud/simcloud.h"
#include "testing/run_command.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

testing::CommandRun RunGlueguard(const std::vector<std::string>& args) {
  return testing::RunCommand(args, FixedEnv({{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                                             {"AWS_SECRET_ACCESS_KEY", "secret"},
                                             {"AWS_REGION", "us-east-1"},
                                             {"AWS_ENDPOINT_URL", "http://127.0.0.1:1"},
                                             {"AWS_CONFIG_FILE", "/dev/null"},
                                             {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"},
                                             {"AWS_EC2_METADATA_DISABLED", "true"}}));
}

class SessionsDlqCommand : public ::testing::Test {
 protected:
  SessionsDlqCommand() {
    config_ = dir_.Write("glueguard.yaml", "region: us-east-1\nstore:\n  path: " + dir_.File("glueguard.db") +
                                               "\n"
                                               "subnets:\n  - id: subnet-0a1b2c3d\n    cidr: 10.0.0.0/26\n"
                                               "categories:\n  - name: adhoc\n    subnet: subnet-0a1b2c3d\n"
                                               "sessions:\n  policy:\n    limits:\n      max_workers: 10\n");
    auto store = *OpenSqliteSessionStore(dir_.File("glueguard.db"));
    DeadLetter d;
    d.event_id = "";
    d.source = "http";
    d.body = "{\"detail\": ";
    d.error = "not JSON: unexpected end of input";
    d.attempts = 1;
    id_ = *store->Park(d);
  }
  testing::TempDir dir_;
  std::string config_;
  int64_t id_ = 0;
};

TEST_F(SessionsDlqCommand, ListShowsEachParkedEventWithItsError) {
  testing::CommandRun r = RunGlueguard({"sessions", "dlq", "list", "--config", config_});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("(unreadable)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("not JSON: unexpected end of input"), std::string::npos) << r.out;

  r = RunGlueguard({"sessions", "dlq", "list", "--config", config_, "--output", "json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"body\": \"{\\\"detail\\\": \""), std::string::npos) << r.out;
}

TEST_F(SessionsDlqCommand, ReplayOfAnEventThatStillFailsKeepsItAndExitsOne) {
  testing::CommandRun r =
      RunGlueguard({"sessions", "dlq", "replay", "--config", config_, "--id", std::to_string(id_)});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("still failing"), std::string::npos) << r.out;
  auto store = *OpenSqliteSessionStore(dir_.File("glueguard.db"));
  EXPECT_EQ(*store->DeadLetterCount(), 1);
  EXPECT_EQ((*store->FindDeadLetter(id_))->replays, 1);
}

TEST_F(SessionsDlqCommand, ReplayNeedsIdsOrAll) {
  testing::CommandRun r = RunGlueguard({"sessions", "dlq", "replay", "--config", config_});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--id N"), std::string::npos) << r.err;
}

// Against simcloud's SQS: unreadable letters fail on every replay; the run replays each once, lists both and
// exits 1 instead of receiving its own re-parked letters without end.
TEST(SessionsDlqReplayFromSqs, ReplaysEachLetterOnceListsThoseStillFailingAndExitsOne) {
  Workload workload =
      *LoadWorkloadFile(std::string(GLUEGUARD_SOURCE_DIR) + "/examples/workloads/seed-after.yaml");
  SystemClock wall;  // the command signs with the wall clock; simcloud checks the skew
  FakeClock sleeper_clock;
  FakeSleeper sleeper(sleeper_clock);
  SeededRandom random(5);
  CurlTransport transport;
  SimCloudOptions options;
  options.world.run_arrivals = false;
  auto cloud = std::move(*SimCloud::Create(workload, options, wall, random, sleeper, transport));
  ASSERT_TRUE(cloud->Start().ok());
  ASSERT_TRUE(cloud->sqs().CreateQueue("glueguard-dead-letters").ok());
  ASSERT_TRUE(cloud->sqs().Send("glueguard-dead-letters", "{\"detail\": ").ok());
  ASSERT_TRUE(cloud->sqs().Send("glueguard-dead-letters", "not an event").ok());

  testing::TempDir dir;
  const std::string config =
      dir.Write("glueguard.yaml", "region: us-east-1\nstore:\n  path: " + dir.File("glueguard.db") +
                                      "\nsessions:\n  dead_letter_queue_url: " + cloud->endpoint() +
                                      "/123456789012/glueguard-dead-letters\n  policy:\n    limits:\n"
                                      "      max_workers: 10\n");
  testing::CommandRun r =
      testing::RunCommand({"sessions", "dlq", "replay", "--config", config, "--all"},
                          FixedEnv({{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                                    {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
                                    {"AWS_REGION", "us-east-1"},
                                    {"AWS_ENDPOINT_URL", cloud->endpoint()},
                                    {"AWS_CONFIG_FILE", "/dev/null"},
                                    {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"},
                                    {"AWS_EC2_METADATA_DISABLED", "true"}}));
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("(unreadable): still failing: the event is not valid JSON"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("2 replayed, 0 handled, 2 still failing"), std::string::npos) << r.out;
  int visible = -1;
  for (const SqsQueueSnapshot& q : cloud->sqs().Snapshot()) {
    if (q.name == "glueguard-dead-letters") visible = q.visible;
  }
  EXPECT_EQ(visible, 2);
}

}  // namespace
}  // namespace glueguard
