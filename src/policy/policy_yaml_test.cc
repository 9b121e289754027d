#include <gtest/gtest.h>

#include "base/env.h"
#include "policy/policy.h"

namespace glueguard {
namespace {

std::string Errors(std::string_view yaml) {
  Result<SessionPolicy> p = ParseSessionPolicy(yaml, "policy.yaml");
  EXPECT_FALSE(p.ok()) << yaml;
  return p.ok() ? "" : p.status().message();
}

TEST(ParseSessionPolicy, ReadsEveryKey) {
  Result<SessionPolicy> p = ParseSessionPolicy(R"(
action: Enforce
limits:
  max_workers: 10
  max_dpu: 20.5
  allowed_worker_types: [G.1X, G.2X]
  max_idle_timeout_minutes: 60
  max_timeout_minutes: 480
  require_vpc_connection: TRUE
  allowed_connections: vpc-private-a
  allowed_glue_versions: ["4.0", "5.0"]
  required_tags: [owner]
scopes:
  - name: data-science
    arn: "arn:aws:iam::*:role/DataScience"
    tags: {team: ds}
    limits:
      max_workers: 40
      require_vpc_connection: false
glue_defaults:
  number_of_workers: 10
  worker_type: G.2X
  timeout_minutes: 600
  idle_timeout_minutes: 30
  glue_version: "4.0"
)",
                                               "policy.yaml");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->action, SessionAction::kEnforce);
  const SessionLimits& d = p->defaults;
  EXPECT_EQ(d.max_workers, 10);
  EXPECT_EQ(d.max_dpu, 20.5);
  EXPECT_EQ(d.allowed_worker_types, (std::vector<std::string>{"G.1X", "G.2X"}));
  EXPECT_EQ(d.max_idle_timeout_minutes, 60);
  EXPECT_EQ(d.max_timeout_minutes, 480);
  EXPECT_EQ(d.require_vpc_connection, true);
  EXPECT_EQ(d.allowed_connections, std::vector<std::string>{"vpc-private-a"});
  EXPECT_EQ(d.allowed_glue_versions, (std::vector<std::string>{"4.0", "5.0"}));
  EXPECT_EQ(d.required_tags, std::vector<std::string>{"owner"});
  ASSERT_EQ(p->scopes.size(), 1u);
  EXPECT_EQ(p->scopes[0].name, "data-science");
  EXPECT_EQ(p->scopes[0].arn_pattern, "arn:aws:iam::*:role/DataScience");
  EXPECT_EQ(p->scopes[0].tags.at("team"), "ds");
  EXPECT_EQ(p->scopes[0].limits.max_workers, 40);
  EXPECT_EQ(p->scopes[0].limits.require_vpc_connection, false);
  EXPECT_FALSE(p->scopes[0].limits.max_dpu);
  EXPECT_EQ(p->scopes[0].line, 14);
  EXPECT_EQ(p->glue_defaults.number_of_workers, 10);
  EXPECT_EQ(p->glue_defaults.worker_type, "G.2X");
  EXPECT_EQ(p->glue_defaults.timeout_minutes, 600);
  EXPECT_EQ(p->glue_defaults.idle_timeout_minutes, 30);
  EXPECT_EQ(p->glue_defaults.glue_version, "4.0");
}

TEST(ParseSessionPolicy, AnEmptyPolicyReportsAndLimitsNothing) {
  Result<SessionPolicy> p = ParseSessionPolicy("action: report\n", "policy.yaml");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->action, SessionAction::kReport);
  EXPECT_FALSE(p->defaults.max_workers);
  EXPECT_FALSE(p->defaults.require_vpc_connection);
}

TEST(ParseSessionPolicy, BooleansAreTrueOrFalseAndNothingElse) {
  EXPECT_EQ(Errors("limits:\n  require_vpc_connection: yes\n"),
            "policy.yaml:2: limits.require_vpc_connection: 'yes' is not true or false");
  EXPECT_NE(Errors("limits:\n  require_vpc_connection: 1\n").find("'1' is not true or false"),
            std::string::npos);
}

TEST(ParseSessionPolicy, NumbersMustBeNumbersInRange) {
  EXPECT_EQ(Errors("limits:\n  max_workers: ten\n"),
            "policy.yaml:2: limits.max_workers: 'ten' is not a whole number");
  EXPECT_EQ(Errors("limits:\n  max_workers: 0\n"),
            "policy.yaml:2: limits.max_workers: 0 is out of range 1..100000");
  EXPECT_NE(Errors("limits:\n  max_idle_timeout_minutes: 2.5\n").find("not a whole number"),
            std::string::npos);
  EXPECT_NE(Errors("limits:\n  max_dpu: -1\n").find("limits.max_dpu: -1 is out of range"), std::string::npos);
}

TEST(ParseSessionPolicy, EveryMistakeIsReportedWithItsLineAndKey) {
  const std::string errors = Errors(R"(action: kill
limits:
  max_worker: 10
  allowed_worker_types: [G1X, G.2X, G.2X]
scopes:
  - name: nobody
    limits: {max_workers: 3}
  - name: ds
    arn: "arn:*"
glue_defaults:
  worker_type: G.3X
)");
  EXPECT_NE(errors.find("policy.yaml:1: action: 'kill' is neither report nor enforce"), std::string::npos)
      << errors;
  EXPECT_NE(
      errors.find("policy.yaml:3: limits.max_worker: unknown key 'max_worker' (did you mean 'max_workers'?)"),
      std::string::npos)
      << errors;
  EXPECT_NE(errors.find("limits.allowed_worker_types: 'G.2X' is listed twice"), std::string::npos) << errors;
  EXPECT_NE(errors.find("policy.yaml:6: scopes[0]: scope 'nobody' has neither arn nor tags"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("scopes[1].limits: is required"), std::string::npos) << errors;
  EXPECT_NE(errors.find("glue_defaults.worker_type: 'G.3X' is not a Glue worker type"), std::string::npos)
      << errors;
}

TEST(ParseSessionPolicy, AWorkerTypeTypoGetsADidYouMean) {
  EXPECT_NE(Errors("limits:\n  allowed_worker_types: [G1X]\n")
                .find("'G1X' is not a Glue worker type (did you mean 'G.1X'?)"),
            std::string::npos);
}

TEST(ParseSessionPolicy, TextThatIsNotAMapIsAnError) {
  EXPECT_NE(Errors("- a\n- b\n").find("policy.yaml:1: a session policy must be a YAML map"),
            std::string::npos);
  EXPECT_NE(Errors("limits: [\n").find("not valid YAML"), std::string::npos);
}

TEST(ApplySeedEnvironment, MapsTheReferenceLambdasVariables) {
  Result<SessionPolicy> p =
      ApplySeedEnvironment(SessionPolicy{}, FixedEnv({{"MAX_WORKERS", "10"},
                                                      {"MAX_IDLE_TIMEOUT_MINUTES", "60"},
                                                      {"ENFORCE_VPC_CONNECTION", "TRUE"},
                                                      {"KILL_SESSION", "True"}}));
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->defaults.max_workers, 10);
  EXPECT_EQ(p->defaults.max_idle_timeout_minutes, 60);
  EXPECT_EQ(p->defaults.require_vpc_connection, true);
  EXPECT_EQ(p->action, SessionAction::kEnforce);

  p = ApplySeedEnvironment(*p, FixedEnv({{"ENFORCE_VPC_CONNECTION", "false"}, {"KILL_SESSION", "FALSE"}}));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->defaults.require_vpc_connection, false);
  EXPECT_EQ(p->action, SessionAction::kReport);
  EXPECT_EQ(p->defaults.max_workers, 10);  // not set: left as it was
}

TEST(ApplySeedEnvironment, AnythingButTrueOrFalseAndPositiveNumbersIsAnErrorNamingTheVariable) {
  Result<SessionPolicy> p =
      ApplySeedEnvironment(SessionPolicy{}, FixedEnv({{"MAX_WORKERS", "ten"},
                                                      {"MAX_IDLE_TIMEOUT_MINUTES", "-5"},
                                                      {"ENFORCE_VPC_CONNECTION", "yes"},
                                                      {"KILL_SESSION", ""}}));
  ASSERT_FALSE(p.ok());
  const std::string& m = p.status().message();
  EXPECT_NE(m.find("MAX_WORKERS: 'ten' is not a positive whole number"), std::string::npos) << m;
  EXPECT_NE(m.find("MAX_IDLE_TIMEOUT_MINUTES: '-5'"), std::string::npos) << m;
  EXPECT_NE(m.find("ENFORCE_VPC_CONNECTION: 'yes' is not true or false"), std::string::npos) << m;
  EXPECT_NE(m.find("KILL_SESSION: '' is not true or false"), std::string::npos) << m;
  EXPECT_FALSE(ApplySeedEnvironment(SessionPolicy{}, FixedEnv({{"MAX_WORKERS", "0"}})).ok());
  EXPECT_FALSE(ApplySeedEnvironment(SessionPolicy{}, FixedEnv({{"MAX_WORKERS", "10.0"}})).ok());
}

}  // namespace
}  // namespace glueguard
