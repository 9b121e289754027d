#include "simcloud/ec2_service.h"

#include <gtest/gtest.h>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "net/curl_transport.h"
#include "aws/ec2.h"
#include "aws/environment.h"
#include "base/env.h"
#include "simcloud/front.h"

namespace glueguard {
namespace {

using std::chrono::minutes;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

Workload TestWorkload() {
  Result<Workload> w = ParseWorkload(R"(
start: 2026-01-05T00:00:00Z
enis: {provision_delay: 1m, detach_delay: 1m, cleanup_tail: 20m, day_factor: 1}
subnets:
  - {id: subnet-a, name: A, cidr: 10.0.0.0/26, availability_zone: us-east-1a, other_enis: 1}
  - {id: subnet-b, name: B, cidr: 10.0.1.0/27, availability_zone: us-east-1b}
categories:
  - {name: batch, subnet: subnet-a}
  - {name: adhoc, subnet: subnet-b}
jobs:
  - {name: etl, category: batch, schedule: "0 7 * * *", workers: 10, duration: 30m}
  - {name: backfill, category: adhoc, schedule: "0 8 * * *", workers: 5, duration: 30m}
)",
                                     "test.yaml");
  EXPECT_TRUE(w.ok()) << w.status().message();
  return *w;
}

SimWorldOptions NoArrivals() {
  SimWorldOptions o;
  o.run_arrivals = false;
  return o;
}

// The repo's EC2 client against simcloud's EC2 over real HTTP; the simulated clock follows a FakeClock.
class Ec2ServiceTest : public ::testing::Test {
 protected:
  Ec2ServiceTest()
      : workload_(TestWorkload()),
        clock_(FromUnixMillis(1'795'000'000'000)),
        sim_(workload_, clock_, NoArrivals()),
        ec2_service_(sim_),
        front_(FrontOptions{}, clock_, random_, sleeper_) {
    EXPECT_TRUE(front_.Register("ec2", ec2_service_).ok());
    EXPECT_TRUE(front_.Start().ok());
    environment_ = std::make_unique<AwsEnvironment>(*AwsEnvironment::FromConfig(
        FixedEnv({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", front_.endpoint()}}), SharedConfig{}));
    client_ = std::make_unique<AwsClient>(transport_, credentials_, *environment_, clock_, client_random_,
                                          sleeper_);
    ec2_ = std::make_unique<Ec2Client>(*client_);
  }

  std::string StartRun(const std::string& job) {
    return sim_.With([&](World& w) {
      StartRunInput in;
      in.job_name = job;
      return *w.StartJobRun(in);
    });
  }

  Workload workload_;
  FakeClock clock_;
  FakeSleeper sleeper_{clock_};
  SeededRandom random_{1};
  SeededRandom client_random_{2};
  SimWorld sim_;
  Ec2Service ec2_service_;
  Front front_;
  CurlTransport transport_;
  StaticCredentialsProvider credentials_{Credentials{"AKIDEXAMPLE", kSecret, "", {}, "test"}};
  std::unique_ptr<AwsEnvironment> environment_;
  std::unique_ptr<AwsClient> client_;
  std::unique_ptr<Ec2Client> ec2_;
};

TEST(Ec2FilterValue, WildcardsMatchAsEc2Does) {
  EXPECT_TRUE(Ec2FilterValueMatches("Attached to Glue*", "Attached to Glue using role: arn"));
  EXPECT_TRUE(Ec2FilterValueMatches("eni-??", "eni-ab"));
  EXPECT_FALSE(Ec2FilterValueMatches("eni-??", "eni-abc"));
  EXPECT_TRUE(Ec2FilterValueMatches("*", ""));
  EXPECT_TRUE(Ec2FilterValueMatches("in-use", "in-use"));
  EXPECT_FALSE(Ec2FilterValueMatches("in-use", "available"));
  EXPECT_TRUE(Ec2FilterValueMatches("*Glue*role*", "Attached to Glue using role: x"));
}

TEST_F(Ec2ServiceTest, DescribesTheEnisOfASubnetAcrossPagesAsTheWorldMoves) {
  StartRun("etl");
  clock_.Advance(minutes(2));  // provisioned: 10 in-use + 1 endpoint
  DescribeNetworkInterfacesRequest request;
  request.filters = {{"subnet-id", {"subnet-a"}}};
  request.max_results = 5;
  Result<NetworkInterfacePage> first = ec2_->DescribeNetworkInterfaces(request);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->interfaces.size(), 5u);
  EXPECT_FALSE(first->next_token.empty());
  Result<std::vector<NetworkInterface>> all = DescribeAllNetworkInterfaces(*ec2_, request);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 11u);
  int glue = 0;
  for (const NetworkInterface& eni : *all) {
    EXPECT_EQ(eni.subnet_id, "subnet-a");
    if (IsGlueEni(eni)) {
      ++glue;
      EXPECT_EQ(eni.status, "in-use");
      ASSERT_TRUE(eni.attachment.has_value());
      EXPECT_EQ(eni.attachment->status, "attached");
    }
  }
  EXPECT_EQ(glue, 10);

  clock_.Advance(minutes(40));  // the run ended 30m after provisioning; a minute detaching; now available
  request.filters = {{"subnet-id", {"subnet-a"}}, {"status", {"available"}}};
  Result<std::vector<NetworkInterface>> tail = DescribeAllNetworkInterfaces(*ec2_, request);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(tail->size(), 10u);
}

TEST_F(Ec2ServiceTest, FiltersByDescriptionWildcardAndIds) {
  StartRun("etl");
  StartRun("backfill");
  clock_.Advance(minutes(2));
  DescribeNetworkInterfacesRequest glue;
  glue.filters = {{"description", {"Attached to Glue using role:*"}}};
  Result<std::vector<NetworkInterface>> enis = DescribeAllNetworkInterfaces(*ec2_, glue);
  ASSERT_TRUE(enis.ok());
  EXPECT_EQ(enis->size(), 15u);

  DescribeNetworkInterfacesRequest by_id;
  by_id.network_interface_ids = {(*enis)[0].id, (*enis)[3].id};
  Result<NetworkInterfacePage> two = ec2_->DescribeNetworkInterfaces(by_id);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->interfaces.size(), 2u);

  by_id.network_interface_ids = {"eni-0000000000000000"};
  Result<NetworkInterfacePage> missing = ec2_->DescribeNetworkInterfaces(by_id);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().reason(), "InvalidNetworkInterfaceID.NotFound");
}

TEST_F(Ec2ServiceTest, RefusesUnknownFiltersAndBadPageSizes) {
  DescribeNetworkInterfacesRequest bad_filter;
  bad_filter.filters = {{"subnet", {"subnet-a"}}};
  Result<NetworkInterfacePage> r = ec2_->DescribeNetworkInterfaces(bad_filter);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "InvalidParameterValue");

  Result<AwsResponse> raw = client_->Query(kEc2Service, "DescribeNetworkInterfaces", {{"MaxResults", "3"}});
  ASSERT_FALSE(raw.ok());
  EXPECT_EQ(raw.status().reason(), "InvalidParameterValue");
  Result<AwsResponse> token =
      client_->Query(kEc2Service, "DescribeNetworkInterfaces", {{"MaxResults", "5"}, {"NextToken", "x!"}});
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().reason(), "InvalidNextToken");
}

TEST_F(Ec2ServiceTest, DescribesSubnetsWithTheirFreeIps) {
  StartRun("etl");
  clock_.Advance(minutes(2));
  DescribeSubnetsRequest request;
  Result<std::vector<Subnet>> subnets = ec2_->DescribeSubnets(request);
  ASSERT_TRUE(subnets.ok()) << subnets.status().ToString();
  ASSERT_EQ(subnets->size(), 2u);
  EXPECT_EQ((*subnets)[0].subnet_id, "subnet-a");
  EXPECT_EQ((*subnets)[0].cidr_block, "10.0.0.0/26");
  EXPECT_EQ((*subnets)[0].available_ip_address_count, 59 - 11);
  EXPECT_EQ((*subnets)[1].available_ip_address_count, 27);
  EXPECT_EQ((*subnets)[0].tags.at("Name"), "A");

  request.subnet_ids = {"subnet-nope"};
  Result<std::vector<Subnet>> missing = ec2_->DescribeSubnets(request);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().reason(), "InvalidSubnetID.NotFound");
}

TEST_F(Ec2ServiceTest, DeletesOnlyAvailableEnisAndAnswersTheOthersAsEc2Does) {
  StartRun("etl");
  clock_.Advance(minutes(2));
  const std::string eni = sim_.With([](World& w) {
    for (const SimEni* e : w.Enis()) {
      if (!e->owner.empty()) return e->id;
    }
    return std::string();
  });
  Status in_use = ec2_->DeleteNetworkInterface(eni);
  EXPECT_EQ(in_use.reason(), "InvalidNetworkInterface.InUse");
  clock_.Advance(minutes(29) + std::chrono::seconds(30));  // ended at 31m: detaching until 32m
  EXPECT_EQ(ec2_->DeleteNetworkInterface(eni).reason(), "InvalidParameterValue");
  clock_.Advance(minutes(1));  // available
  EXPECT_TRUE(ec2_->DeleteNetworkInterface(eni).ok());
  EXPECT_EQ(ec2_->DeleteNetworkInterface(eni).reason(), "InvalidNetworkInterfaceID.NotFound");
}

}  // namespace
}  // namespace glueguard
