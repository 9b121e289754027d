// The `sessions` section of the configuration.
#include <gtest/gtest.h>

#include <filesystem>

#include "config/config.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

const std::string kBase = R"(region: us-east-1
subnets:
  - {id: subnet-a, cidr: 10.0.0.0/24}
categories:
  - {name: etl, subnet: subnet-a, connection: vpc-a}
)";

EnvLookup NoEnv() { return FixedEnv({}); }

Result<Config> Parse(const std::string& sessions) { return ParseConfig(kBase + sessions, "g.yaml", NoEnv()); }

TEST(ConfigSessions, AbsentSectionIsNotConfigured) {
  Result<Config> c = Parse("");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_FALSE(c->sessions.configured);
  EXPECT_EQ(c->sessions.max_attempts, 5);
}

TEST(ConfigSessions, ReadsEveryField) {
  Result<Config> c = Parse(R"(sessions:
  provisioning_wait: 45s
  reconcile_every: 10m
  queue_url: https://sqs.us-east-1.amazonaws.com/123456789012/glueguard-events
  visibility_timeout: 3m
  max_attempts: 7
  initial_backoff: 500ms
  max_backoff: 1m
  dead_letter_queue_url: https://sqs.us-east-1.amazonaws.com/123456789012/glueguard-dead
  dedupe_window: 48h
  policy:
    action: enforce
    limits: {max_workers: 10, require_vpc_connection: true}
)");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const SessionsConfig& s = c->sessions;
  EXPECT_TRUE(s.configured);
  EXPECT_EQ(s.provisioning_wait, std::chrono::seconds(45));
  EXPECT_EQ(s.reconcile_every, std::chrono::minutes(10));
  EXPECT_EQ(s.queue_url, "https://sqs.us-east-1.amazonaws.com/123456789012/glueguard-events");
  EXPECT_EQ(s.visibility_timeout, std::chrono::minutes(3));
  EXPECT_EQ(s.max_attempts, 7);
  EXPECT_EQ(s.initial_backoff, std::chrono::milliseconds(500));
  EXPECT_EQ(s.max_backoff, std::chrono::minutes(1));
  EXPECT_EQ(s.dead_letter_queue_url, "https://sqs.us-east-1.amazonaws.com/123456789012/glueguard-dead");
  EXPECT_EQ(s.dedupe_window, std::chrono::hours(48));
  EXPECT_EQ(s.policy.action, SessionAction::kEnforce);
  EXPECT_EQ(s.policy.defaults.max_workers, 10);
  EXPECT_EQ(s.policy.defaults.require_vpc_connection, true);
}

TEST(ConfigSessions, ReconcileCanBeTurnedOff) {
  for (const char* off : {"0", "off", "OFF"}) {
    Result<Config> c = Parse(std::string("sessions:\n  reconcile_every: ") + off + "\n");
    ASSERT_TRUE(c.ok()) << off << ": " << c.status().message();
    EXPECT_EQ(c->sessions.reconcile_every, Duration::zero());
  }
}

TEST(ConfigSessions, MistakesNameTheLineAndKey) {
  Result<Config> c = Parse(R"(sessions:
  provisioning_wait: 90
  max_attempts: 0
  queue_url: sqs://events
  initial_backoff: 10s
  max_backoff: 1s
  dedupe_windows: 1h
  policy:
    limits:
      require_vpc_connection: "yes"
)");
  ASSERT_FALSE(c.ok());
  const std::string& m = c.status().message();
  EXPECT_NE(m.find("g.yaml:7: sessions.provisioning_wait:"), std::string::npos) << m;
  EXPECT_NE(m.find("g.yaml:8: sessions.max_attempts: 0 is out of range 1..100"), std::string::npos) << m;
  EXPECT_NE(m.find("g.yaml:9: sessions.queue_url: 'sqs://events' is not an SQS queue URL"), std::string::npos)
      << m;
  EXPECT_NE(m.find("g.yaml:11: sessions.max_backoff: 1s is shorter than initial_backoff 10s"),
            std::string::npos)
      << m;
  EXPECT_NE(
      m.find(
          "g.yaml:12: sessions.dedupe_windows: unknown key 'dedupe_windows' (did you mean 'dedupe_window'?)"),
      std::string::npos)
      << m;
  EXPECT_NE(m.find("g.yaml:15: sessions.policy.limits.require_vpc_connection: 'yes' is not true or false"),
            std::string::npos)
      << m;
}

TEST(ConfigSessions, PolicyInlineAndInAFileAtOnceIsAnError) {
  Result<Config> c = Parse("sessions:\n  policy: {action: report}\n  policy_file: p.yaml\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("sessions.policy_file: is set together with sessions.policy"),
            std::string::npos);
}

TEST(ConfigSessions, LoadConfigFileReadsThePolicyFileRelativeToTheConfig) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.File("policies"));
  dir.Write("policies/sessions.yaml", "action: enforce\nlimits:\n  max_workers: 4\n");
  const std::string config =
      dir.Write("glueguard.yaml", kBase + "sessions:\n  policy_file: policies/sessions.yaml\n");
  Result<Config> c = LoadConfigFile(config, NoEnv());
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->sessions.policy_file, "policies/sessions.yaml");
  EXPECT_EQ(c->sessions.policy.action, SessionAction::kEnforce);
  EXPECT_EQ(c->sessions.policy.defaults.max_workers, 4);
}

TEST(ConfigSessions, APolicyFileMistakeNamesThePolicyFileAndLine) {
  testing::TempDir dir;
  dir.Write("sessions.yaml", "action: enforce\nlimits:\n  max_workers: lots\n");
  const std::string config = dir.Write("glueguard.yaml", kBase + "sessions:\n  policy_file: sessions.yaml\n");
  Result<Config> c = LoadConfigFile(config, NoEnv());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("sessions.yaml:3: limits.max_workers: 'lots' is not a whole number"),
            std::string::npos)
      << c.status().message();

  const std::string missing = dir.Write("other.yaml", kBase + "sessions:\n  policy_file: nowhere.yaml\n");
  c = LoadConfigFile(missing, NoEnv());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("sessions.policy_file: cannot open"), std::string::npos);
}

}  // namespace
}  // namespace glueguard

namespace glueguard {
namespace {

TEST(ConfigSessions, SessionBoundariesAloneNeedNoSubnets) {
  Result<Config> c = ParseConfig("region: us-east-1\nsessions:\n  policy:\n    limits:\n      max_workers: 10\n",
                                 "sessions-only.yaml", FixedEnv({}));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->sessions.configured);
  EXPECT_TRUE(c->subnets.empty());
  Result<Config> neither = ParseConfig("region: us-east-1\n", "empty.yaml", FixedEnv({}));
  ASSERT_FALSE(neither.ok());
  EXPECT_NE(neither.status().message().find("subnets: is required"), std::string::npos)
      << neither.status().message();
}

}  // namespace
}  // namespace glueguard
