#include <gtest/gtest.h>

#include <sstream>

#include "cli/cli.h"
#include "sessions/session_store.h"
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

}  // namespace
}  // namespace glueguard
