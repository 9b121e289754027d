#include "simcloud/simcloud.h"

#include <gtest/gtest.h>

#include "net/curl_transport.h"
#include "testing/aws_cli.h"
#include "testing/wall_clock_simcloud.h"

namespace glueguard {
namespace {

using testing::CliRun;

// simcloud in process on the wall clock (the CLI signs with the real time) at 60x, driven by Debian's AWS
// CLI.
class SimCloudCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveAwsCli()) GTEST_SKIP() << "/usr/bin/aws is not installed (apt-get install awscli)";
  }
  static SimCloudOptions Options() {
    SimCloudOptions options;
    options.world.speed = 60;
    options.sns_topics = {"arn:aws:sns:us-east-1:123456789012:glueguard-alerts"};
    return options;
  }

  CliRun Aws(const std::vector<std::string>& args, const std::string& secret = testing::kTestSecret) {
    return testing::RunAwsCli(cloud_->endpoint(), dir_, args, secret);
  }

  testing::TempDir dir_;
  testing::WallClockSimCloud sim_{5, Options()};
  SimCloud* const cloud_ = &sim_.cloud();
};

TEST_F(SimCloudCliTest, TheAwsCliDrivesEc2GlueSnsAndSqs) {
  // EC2: the seed's three subnets, with every IP free but the endpoints'.
  CliRun subnets = Aws({"ec2", "describe-subnets"});
  ASSERT_EQ(subnets.exit_code, 0) << subnets.err;
  ASSERT_EQ(subnets.json()["Subnets"].size(), 3u);
  EXPECT_EQ(subnets.json()["Subnets"][0]["SubnetId"], "subnet-0a1b2c3d4e5f60001");
  EXPECT_EQ(subnets.json()["Subnets"][0]["AvailableIpAddressCount"], 57);
  EXPECT_EQ(subnets.json()["Subnets"][2]["CidrBlock"], "10.20.0.128/27");

  // Glue: a job run is started and listed.
  CliRun started = Aws({"glue", "start-job-run", "--job-name", "customer-analytics"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const std::string run_id = started.json()["JobRunId"];
  CliRun runs = Aws({"glue", "get-job-runs", "--job-name", "customer-analytics"});
  ASSERT_EQ(runs.exit_code, 0) << runs.err;
  ASSERT_EQ(runs.json()["JobRuns"].size(), 1u);
  EXPECT_EQ(runs.json()["JobRuns"][0]["Id"], run_id);

  // The run's ENIs appear (provisioning takes 30-90 simulated seconds, under 2 real seconds at 60x): the CLI
  // paginates DescribeNetworkInterfaces itself (MaxResults 5 per page here).
  int enis = 0;
  for (int attempt = 0; attempt < 50 && enis < 17; ++attempt) {
    CliRun described = Aws({"ec2", "describe-network-interfaces", "--filters",
                            "Name=subnet-id,Values=subnet-0a1b2c3d4e5f60001", "--page-size", "5"});
    ASSERT_EQ(described.exit_code, 0) << described.err;
    enis = static_cast<int>(described.json()["NetworkInterfaces"].size());
  }
  EXPECT_EQ(enis, 17);  // 2 endpoints + 15 workers
  // The inspection endpoint agrees, checked now: the run may end later in the test (the clock runs at 60x on
  // the wall clock, and a loaded machine stretches the CLI calls below), and its ENIs then turn available.
  EXPECT_EQ(nlohmann::json::parse(cloud_->StateJson())["subnets"][0]["total"], 17);

  // Sessions: create, get, list, stop, delete.
  CliRun created =
      Aws({"glue", "create-session", "--id", "notebook-1", "--role",
           "arn:aws:iam::123456789012:role/GlueSessionRole", "--command", "Name=glueetl,PythonVersion=3",
           "--number-of-workers", "4", "--worker-type", "G.1X", "--idle-timeout", "30", "--connections",
           "Connections=glue-vpc-adhoc", "--tags", "owner=jane@example.com"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_EQ(created.json()["Session"]["Status"], "PROVISIONING");
  CliRun got = Aws({"glue", "get-session", "--id", "notebook-1"});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(got.json()["Session"]["Id"], "notebook-1");
  CliRun listed = Aws({"glue", "list-sessions"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.json()["Ids"][0], "notebook-1");
  CliRun stopped = Aws({"glue", "stop-session", "--id", "notebook-1"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  CliRun deleted = Aws({"glue", "delete-session", "--id", "notebook-1"});
  EXPECT_EQ(deleted.exit_code, 0) << deleted.err;
  CliRun gone = Aws({"glue", "get-session", "--id", "notebook-1"});
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_NE(gone.err.find("EntityNotFoundException"), std::string::npos) << gone.err;

  // The CreateSession's CloudTrail event waits on the SQS queue, EventBridge-shaped.
  CliRun received =
      Aws({"sqs", "receive-message", "--queue-url", cloud_->endpoint() + "/123456789012/glueguard-cloudtrail",
           "--wait-time-seconds", "0"});
  ASSERT_EQ(received.exit_code, 0) << received.err;
  ASSERT_EQ(received.json()["Messages"].size(), 1u) << received.out;
  const nlohmann::json event =
      nlohmann::json::parse(received.json()["Messages"][0]["Body"].get<std::string>());
  EXPECT_EQ(event["detail-type"], "AWS API Call via CloudTrail");
  EXPECT_EQ(event["source"], "aws.glue");
  EXPECT_EQ(event["detail"]["eventName"], "CreateSession");
  EXPECT_EQ(event["detail"]["requestParameters"]["numberOfWorkers"], 4);
  EXPECT_EQ(event["detail"]["requestParameters"]["connections"]["connections"][0], "glue-vpc-adhoc");

  // SNS, and what the inspection endpoint saw.
  CliRun published =
      Aws({"sns", "publish", "--topic-arn", "arn:aws:sns:us-east-1:123456789012:glueguard-alerts",
           "--subject", "subnet-a at 80%", "--message", "utilisation 47/59"});
  ASSERT_EQ(published.exit_code, 0) << published.err;
  // At least once: the CLI retries a call whose answer it did not get in time (a loaded machine), as it would
  // against SNS.
  ASSERT_GE(cloud_->sns().Published().size(), 1u);
  for (const SnsPublished& m : cloud_->sns().Published()) EXPECT_EQ(m.message, "utilisation 47/59");
}

TEST_F(SimCloudCliTest, AWrongSecretIsRefusedTheWayAwsRefusesIt) {
  CliRun ec2 = Aws({"ec2", "describe-subnets"}, "not-the-secret");
  EXPECT_NE(ec2.exit_code, 0);
  EXPECT_NE(ec2.err.find("AuthFailure"), std::string::npos) << ec2.err;
  CliRun glue = Aws({"glue", "list-sessions"}, "not-the-secret");
  EXPECT_NE(glue.exit_code, 0);
  EXPECT_NE(glue.err.find("InvalidSignatureException"), std::string::npos) << glue.err;
}

}  // namespace
}  // namespace glueguard
