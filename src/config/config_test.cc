#include "config/config.h"

#include <gtest/gtest.h>

#include <map>

namespace glueguard {
namespace {

EnvLookup NoEnv() {
  return [](const std::string&) { return std::optional<std::string>(); };
}

EnvLookup Env(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

constexpr const char* kMinimal = R"(region: us-east-1
subnets:
  - id: subnet-a
    cidr: 10.0.0.0/26
categories:
  - name: critical
    subnet: subnet-a
)";

// The message of a config that must fail.
std::string ErrorOf(const std::string& yaml) {
  Result<Config> c = ParseConfig(yaml, "test.yaml", NoEnv());
  EXPECT_FALSE(c.ok()) << "expected an error for:\n" << yaml;
  return c.ok() ? "" : c.status().message();
}

TEST(Config, ShippedExampleDescribesTheThreeSubnets) {
  Result<Config> c = LoadConfigFile(std::string(GLUEGUARD_SOURCE_DIR) + "/examples/glueguard.yaml", NoEnv());
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->subnets.size(), 3u);
  EXPECT_EQ(c->subnets[0].cidr.UsableIps(), 59);
  EXPECT_EQ(c->subnets[1].cidr.UsableIps(), 59);
  EXPECT_EQ(c->subnets[2].cidr.UsableIps(), 27);
  ASSERT_EQ(c->categories.size(), 3u);
  EXPECT_EQ(c->FindCategory("critical")->subnet_id, c->subnets[0].id);
  EXPECT_EQ(c->SettingsFor(c->subnets[2]).buffer.floor, 5);
  EXPECT_EQ(c->SettingsFor(c->subnets[0]).buffer.ToString(), "rolling-max:5:10:available");
  EXPECT_TRUE(c->admission.priority_floor.enabled);
  EXPECT_DOUBLE_EQ(c->admission.priority_floor.on_at, 0.8);
}

TEST(Config, DefaultsFollowTheBrief) {
  Result<Config> c = ParseConfig(kMinimal, "test.yaml", NoEnv());
  ASSERT_TRUE(c.ok()) << c.status().message();
  const SubnetSettings s = c->SettingsFor(c->subnets[0]);
  EXPECT_EQ(s.capacity, 59);
  EXPECT_EQ(s.buffer.ToString(), "rolling-max:5:10:available");
  EXPECT_EQ(s.max_wait, std::chrono::minutes(10));
  EXPECT_EQ(s.stale_after, std::chrono::minutes(2));
  EXPECT_EQ(s.retry_after, std::chrono::seconds(60));
  EXPECT_EQ(c->store.retention, std::chrono::hours(24 * 30));
  EXPECT_EQ(c->categories[0].ips_per_worker, 1);
  EXPECT_EQ(c->categories[0].extra_ips_per_job, 0);
}

TEST(Config, StaleAfterDefaultsToTwoPollIntervals) {
  Result<Config> c = ParseConfig(std::string(kMinimal) + "admission:\n  poll_interval: 30s\n", "t", NoEnv());
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->admission.stale_after, std::chrono::seconds(60));
}

TEST(Config, BadCidrNamesTheKeyAndLine) {
  const std::string message = ErrorOf(R"(subnets:
  - id: subnet-a
    cidr: 10.0.0.0/29
categories:
  - name: critical
    subnet: subnet-a
)");
  EXPECT_NE(message.find("test.yaml:3: subnets[0].cidr: "), std::string::npos) << message;
  EXPECT_NE(message.find("/16 to /28"), std::string::npos) << message;
}

TEST(Config, UnknownSubnetInACategoryNamesTheKeyAndLineAndSuggests) {
  const std::string message = ErrorOf(R"(subnets:
  - id: subnet-a
    cidr: 10.0.0.0/26
categories:
  - name: critical
    subnet: subnet-b
  - name: adhoc
    subnet: subnet-x
)");
  EXPECT_NE(
      message.find("test.yaml:6: categories[0].subnet: unknown subnet 'subnet-b' (did you mean 'subnet-a'?)"),
      std::string::npos)
      << message;
  EXPECT_NE(message.find("test.yaml:8: categories[1].subnet"), std::string::npos) << message;
}

TEST(Config, NegativeBufferNamesTheKeyAndLine) {
  const std::string message = ErrorOf(std::string(kMinimal) + R"(admission:
  buffer:
    policy: rolling-max
    floor: -5
)");
  EXPECT_NE(message.find("test.yaml:11: admission.buffer.floor: a buffer cannot be negative (-5)"),
            std::string::npos)
      << message;
  EXPECT_NE(ErrorOf(std::string(kMinimal) + "admission:\n  buffer: static:-3\n").find("admission.buffer"),
            std::string::npos);
}

TEST(Config, TheForecastPolicyReadsItsSettingsAndNamesTheOneOutOfRange) {
  Result<Config> c = ParseConfig(std::string(kMinimal) + R"(admission:
  buffer:
    policy: forecast
    window: 4
    floor: 8
    growth_horizon: 20m
    release_quantile: 0.05
    growth_quantile: 0.95
    keep_free: 10
    min_tails: 50
    min_history: 3d
    learn_over: 14d
)",
                                 "test.yaml", NoEnv());
  ASSERT_TRUE(c.ok()) << c.status().message();
  const BufferPolicy& b = c->admission.buffer;
  EXPECT_EQ(b.kind, BufferPolicy::Kind::kForecast);
  EXPECT_EQ(b.window, 4);  // its rolling-max fallback
  EXPECT_EQ(b.floor, 8);
  EXPECT_EQ(b.forecast.growth_horizon, std::chrono::minutes(20));
  EXPECT_DOUBLE_EQ(b.forecast.release_quantile, 0.05);
  EXPECT_DOUBLE_EQ(b.forecast.growth_quantile, 0.95);
  EXPECT_EQ(b.forecast.keep_free, 10);
  EXPECT_EQ(b.forecast.min_tails, 50);
  EXPECT_EQ(b.forecast.min_history, std::chrono::hours(72));
  EXPECT_EQ(b.forecast.learn_over, std::chrono::hours(24 * 14));
  EXPECT_EQ(ParseConfig(std::string(kMinimal) + "admission:\n  buffer: forecast\n", "test.yaml", NoEnv())
                ->admission.buffer.kind,
            BufferPolicy::Kind::kForecast);

  const std::string message = ErrorOf(std::string(kMinimal) + R"(admission:
  buffer: {policy: forecast, min_history: 30d, learn_over: 7d}
)");
  EXPECT_NE(message.find("admission.buffer: forecast learn_over must be at least min_history"), std::string::npos)
      << message;
  const std::string negative = ErrorOf(std::string(kMinimal) + "admission:\n  buffer: {policy: forecast, keep_free: -1}\n");
  EXPECT_NE(negative.find("keep_free"), std::string::npos) << negative;
}

TEST(Config, UnknownKeysAreErrorsWithSuggestions) {
  const std::string message = ErrorOf(std::string(kMinimal) + "admision:\n  max_wait: 10m\n");
  EXPECT_NE(message.find("test.yaml:8: admision: unknown key 'admision' (did you mean 'admission'?)"),
            std::string::npos)
      << message;
}

TEST(Config, EveryProblemIsReportedNotJustTheFirst) {
  const std::string message = ErrorOf(R"(subnets:
  - id: subnet-a
    cidr: 10.0.0.1/26
  - id: subnet-b
    cidr: 10.0.1.0/26
    alert_threshold: 140%
categories:
  - name: critical
    subnet: subnet-b
    priority: high
)");
  EXPECT_NE(message.find(":3: subnets[0].cidr"), std::string::npos) << message;
  EXPECT_NE(message.find(":6: subnets[1].alert_threshold"), std::string::npos) << message;
  EXPECT_NE(message.find(":10: categories[0].priority"), std::string::npos) << message;
}

TEST(Config, BooleansAreStrict) {
  const std::string message = ErrorOf(std::string(kMinimal) + "admission:\n  strict_fifo: yes\n");
  EXPECT_NE(message.find("admission.strict_fifo: 'yes' is not true or false"), std::string::npos) << message;
  EXPECT_TRUE(ParseConfig(std::string(kMinimal) + "admission:\n  strict_fifo: TRUE\n", "t", NoEnv()).ok());
}

TEST(Config, DurationsNeedUnitsAndThresholdsMustBeOrdered) {
  EXPECT_NE(ErrorOf(std::string(kMinimal) + "admission:\n  max_wait: 600\n").find("admission.max_wait"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf(std::string(kMinimal) + "admission:\n  priority_floor:\n    on_at: 50%\n    off_below: 60%\n")
          .find("off_below"),
      std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kMinimal) + "admission:\n  poll_interval: 5m\n  stale_after: 1m\n")
                .find("admission.stale_after"),
            std::string::npos);
}

TEST(Config, DuplicatesAndMissingSectionsAreErrors) {
  EXPECT_NE(ErrorOf("region: us-east-1\n").find("subnets: is required"), std::string::npos);
  EXPECT_NE(ErrorOf(R"(subnets:
  - id: subnet-a
    cidr: 10.0.0.0/26
  - id: subnet-a
    cidr: 10.0.1.0/26
categories:
  - name: c
    subnet: subnet-a
)")
                .find("defined twice"),
            std::string::npos);
}

TEST(Config, MalformedYamlIsAClearError) {
  const std::string message = ErrorOf("subnets: [\n  - id: x\n");
  EXPECT_NE(message.find("not valid YAML"), std::string::npos) << message;
  EXPECT_NE(ErrorOf("- just\n- a list\n").find("must be a YAML map"), std::string::npos);
}

TEST(Config, EnvironmentOverridesRegionAndStorePath) {
  Result<Config> c = ParseConfig(
      kMinimal, "t", Env({{"GLUEGUARD_REGION", "eu-west-1"}, {"GLUEGUARD_STORE_PATH", "/tmp/x.db"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->region, "eu-west-1");
  EXPECT_EQ(c->store.path, "/tmp/x.db");
}

TEST(Config, ADynamoDbStoreNamesItsTablesAndTheReplicaComesFromTheEnvironment) {
  Result<Config> c = ParseConfig(
      std::string(kMinimal) + "store:\n  kind: dynamodb\n  tables:\n    observations: eni-looks\n", "t",
      Env({{"GLUEGUARD_REPLICA_ID", "replica-7"}}));
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->store.kind, "dynamodb");
  EXPECT_EQ(c->store.tables.observations, "eni-looks");
  EXPECT_EQ(c->store.tables.state, "glueguard-admission-state");  // the defaults for the others
  EXPECT_EQ(c->store.tables.decisions, "glueguard-decisions");
  EXPECT_EQ(c->server.replica_id, "replica-7");
  EXPECT_NE(
      ErrorOf(std::string(kMinimal) + "store:\n  kind: dynamo\n").find("not one of sqlite, memory, dynamodb"),
      std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kMinimal) + "store:\n  kind: dynamodb\n  tables:\n    decision: x\n")
                .find("store.tables"),
            std::string::npos);
  EXPECT_NE(
      ErrorOf(std::string(kMinimal) + "store:\n  kind: dynamodb\n  tables: [a, b]\n").find("must be a map"),
      std::string::npos);
}

TEST(Config, ACategoryNamesTheRolesWhoseEnisSettleItsReservations) {
  Result<Config> c = ParseConfig(std::string(kMinimal) +
                                     "  - name: batch\n    subnet: subnet-a\n"
                                     "    roles: [arn:aws:iam::1:role/GlueBatch, GlueBatchBackfill]\n",
                                 "t", NoEnv());
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->categories[0].roles.empty());
  ASSERT_EQ(c->categories[1].roles.size(), 2u);
  const SubnetSettings s = c->SettingsFor(c->subnets[0]);
  ASSERT_EQ(s.category_roles.size(), 1u);  // only the category that names roles
  EXPECT_EQ(s.category_roles.at("batch")[1], "GlueBatchBackfill");
  EXPECT_NE(ErrorOf(std::string(kMinimal) + "    roles: [GlueA, GlueA]\n").find("categories[0].roles: 'GlueA' is listed twice"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kMinimal) + "    roles: {a: b}\n").find("must be a non-empty list of strings"),
            std::string::npos);
}

TEST(Config, AClaimMustOutlastTheProvisioningWait) {
  const std::string sessions = "sessions:\n  provisioning_wait: 90s\n  claim_stale_after: 60s\n";
  EXPECT_NE(ErrorOf(std::string(kMinimal) + sessions).find("sessions.claim_stale_after"), std::string::npos);
  Result<Config> c = ParseConfig(
      std::string(kMinimal) + "sessions:\n  provisioning_wait: 5s\n  claim_stale_after: 20s\n", "t", NoEnv());
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->sessions.claim_stale_after, std::chrono::seconds(20));
}

TEST(Config, MissingFileIsNotFound) {
  EXPECT_EQ(LoadConfigFile("/nonexistent/glueguard.yaml", NoEnv()).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace glueguard
