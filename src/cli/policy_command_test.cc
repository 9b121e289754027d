#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "testing/run_command.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

using json = nlohmann::json;

using CliRun = testing::CommandRun;

CliRun Cli(const std::vector<std::string>& args) { return testing::RunCommand(args); }

const std::string kConfig = R"(region: us-east-1
subnets:
  - {id: subnet-0a1, name: etl-a, cidr: 10.0.0.0/24}
  - {id: subnet-0b2, cidr: 10.0.1.0/24}
categories:
  - {name: etl, subnet: etl-a, connection: vpc-private-a}
  - {name: ml, subnet: subnet-0b2, connection: vpc-private-b}
  - {name: adhoc, subnet: subnet-0b2}
sessions:
  policy:
    limits:
      max_workers: 10
      max_dpu: 16
      allowed_worker_types: [G.1X, G.2X]
      max_idle_timeout_minutes: 60
      max_timeout_minutes: 480
      require_vpc_connection: true
      allowed_connections: [vpc-private-a, vpc-private-b]
      allowed_glue_versions: ["4.0"]
    scopes:
      - name: data-science
        arn: "arn:aws:iam::*:role/DataScience"
        limits: {max_workers: 40, max_dpu: 160, allowed_connections: [vpc-private-b, vpc-unknown]}
)";

TEST(PolicyIam, DeniesSessionsWithoutAVpcAndOutsideTheAllowedSubnets) {
  testing::TempDir dir;
  const CliRun r = Cli({"policy", "iam", "--config", dir.Write("g.yaml", kConfig)});
  ASSERT_EQ(r.code, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc["Version"], "2012-10-17");
  ASSERT_EQ(doc["Statement"].size(), 2u);
  const json& vpc = doc["Statement"][0];
  EXPECT_EQ(vpc["Effect"], "Deny");
  EXPECT_EQ(vpc["Action"], "glue:CreateSession");
  EXPECT_EQ(vpc["Resource"], "*");
  EXPECT_EQ(vpc["Condition"], json::parse(R"({"Null": {"glue:VpcIds": "true"}})"));
  const json& subnets = doc["Statement"][1];
  EXPECT_EQ(subnets["Effect"], "Deny");
  EXPECT_EQ(
      subnets["Condition"],
      json::parse(R"({"ForAnyValue:StringNotEquals": {"glue:SubnetIds": ["subnet-0a1", "subnet-0b2"]}})"));
  EXPECT_NE(r.err.find("IAM cannot check worker counts"), std::string::npos);
}

TEST(PolicyIam, AConnectionNoCategoryMapsLeavesTheSubnetStatementOutAndSaysSo) {
  testing::TempDir dir;
  const CliRun r =
      Cli({"policy", "iam", "--config", dir.Write("g.yaml", kConfig), "--scope", "data-science"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json doc = json::parse(r.out);
  ASSERT_EQ(doc["Statement"].size(), 1u);
  EXPECT_EQ(doc["Statement"][0]["Sid"], "GlueguardDenySessionsOutsideVpcDataScience");
  EXPECT_NE(r.err.find("connection vpc-unknown"), std::string::npos) << r.err;
}

TEST(PolicyIam, NothingToEnforceIsAnError) {
  testing::TempDir dir;
  const std::string config = dir.Write("g.yaml", R"(region: us-east-1
subnets: [{id: subnet-a, cidr: 10.0.0.0/24}]
categories: [{name: etl, subnet: subnet-a}]
sessions:
  policy: {limits: {max_workers: 3}}
)");
  const CliRun r = Cli({"policy", "iam", "--config", config});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.err.find("nothing IAM can enforce"), std::string::npos);
  EXPECT_EQ(Cli({"policy", "iam"}).code, kExitUsage);
  const CliRun scope = Cli({"policy", "iam", "--config", config, "--scope", "data-sciense"});
  EXPECT_EQ(scope.code, kExitUsage);
}

TEST(PolicyUsageProfile, PrintsTheSessionConfigurationGlueExpects) {
  testing::TempDir dir;
  const CliRun r = Cli({"policy", "usage-profile", "--config", dir.Write("g.yaml", kConfig)});
  ASSERT_EQ(r.code, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc, json::parse(R"({"SessionConfiguration": {
      "numberOfWorkers": {"DefaultValue": "5", "MinValue": "1", "MaxValue": "10"},
      "workerType": {"DefaultValue": "G.1X", "AllowedValues": ["G.1X", "G.2X"]},
      "timeout": {"DefaultValue": "480", "MinValue": "1", "MaxValue": "480"},
      "idleTimeout": {"DefaultValue": "60", "MinValue": "1", "MaxValue": "60"}}})"));
  EXPECT_NE(r.err.find("cannot express"), std::string::npos);
  EXPECT_NE(r.err.find("allowed_glue_versions"), std::string::npos);
}

TEST(PolicyUsageProfile, AScopeGetsItsOwnProfileWithTheDpuLimitInWorkers) {
  testing::TempDir dir;
  const CliRun r =
      Cli({"policy", "usage-profile", "--config", dir.Write("g.yaml", kConfig), "--scope", "data-science"});
  ASSERT_EQ(r.code, 0) << r.err;
  const json doc = json::parse(r.out);
  // max_dpu 160 in G.1X workers is 160; max_workers 40 is tighter.
  EXPECT_EQ(doc["SessionConfiguration"]["numberOfWorkers"]["MaxValue"], "40");
}

TEST(PolicyUsageProfile, NothingExpressibleIsAnError) {
  testing::TempDir dir;
  const std::string config = dir.Write("g.yaml", R"(region: us-east-1
subnets: [{id: subnet-a, cidr: 10.0.0.0/24}]
categories: [{name: etl, subnet: subnet-a}]
sessions:
  policy: {limits: {required_tags: [owner]}}
)");
  EXPECT_EQ(Cli({"policy", "usage-profile", "--config", config}).code, kExitFailure);
}

}  // namespace
}  // namespace glueguard
