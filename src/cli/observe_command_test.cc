// `glueguard observe` end to end: the real transport, signer, credentials chain and EC2 client against a
// loopback server that answers DescribeNetworkInterfaces in two pages, as EC2 does.
#include <gtest/gtest.h>
#include <httplib.h>

#include <sstream>
#include <thread>

#include "net/url.h"
#include "cli/cli.h"
#include "testing/loopback_server.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

std::string Eni(const std::string& id, const std::string& status, const std::string& description) {
  return "<item><networkInterfaceId>" + id + "</networkInterfaceId><subnetId>subnet-a</subnetId><status>" +
         status + "</status><description>" + description +
         "</description><privateIpAddress>10.0.0.9</privateIpAddress></item>";
}

class FakeEc2 {
 public:
  FakeEc2() {
    loopback_.server().Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard lock(mu_);
        bodies_.push_back(req.body);
        authorizations_.push_back(req.get_header_value("Authorization"));
      }
      const bool second_page = req.body.find("NextToken=page2") != std::string::npos;
      std::string items =
          second_page ? Eni("eni-3", "available", "Attached to Glue using role: arn:aws:iam::1:role/G") +
                            Eni("eni-4", "attaching", "Glue_x")
                      : Eni("eni-1", "in-use", "Attached to Glue using role: arn:aws:iam::1:role/G") +
                            Eni("eni-2", "in-use", "NAT gateway");
      res.set_content(
          "<DescribeNetworkInterfacesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
          "<requestId>r</requestId><networkInterfaceSet>" +
              items + "</networkInterfaceSet>" + (second_page ? "" : "<nextToken>page2</nextToken>") +
              "</DescribeNetworkInterfacesResponse>",
          "text/xml");
    });
  }
  std::string url() const { return loopback_.Url(); }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  std::vector<std::string> authorizations() {
    std::lock_guard lock(mu_);
    return authorizations_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> bodies_;
  std::vector<std::string> authorizations_;
  testing::LoopbackServer loopback_;  // last: stopped first, before the state its handler uses
};

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun Observe(const std::vector<std::string>& args, std::map<std::string, std::string> env) {
  std::ostringstream out, err;
  std::vector<std::string> all = {"observe"};
  all.insert(all.end(), args.begin(), args.end());
  const int code = RunCli(all, out, err, FixedEnv(std::move(env)));
  return {code, out.str(), err.str()};
}

std::map<std::string, std::string> AwsEnv(const std::string& endpoint) {
  return {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"}, {"AWS_SECRET_ACCESS_KEY", "secret"},
          {"AWS_REGION", "us-east-1"},          {"AWS_ENDPOINT_URL", endpoint},
          {"AWS_CONFIG_FILE", "/dev/null"},     {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"},
          {"AWS_EC2_METADATA_DISABLED", "true"}};
}

TEST(ObserveCommand, CountsEveryEniOfTheSubnetAcrossPages) {
  FakeEc2 ec2;
  const CliRun r = Observe({"--subnet", "subnet-a", "--output", "json"}, AwsEnv(ec2.url()));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("\"total_enis\": 4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"in_use\": 2"), std::string::npos);
  EXPECT_NE(r.out.find("\"available\": 1"), std::string::npos);
  EXPECT_NE(r.out.find("\"other\": 1"), std::string::npos);
  EXPECT_NE(r.out.find("\"glue_enis\": 3"), std::string::npos);
  const std::vector<std::string> bodies = ec2.bodies();
  ASSERT_EQ(bodies.size(), 2u);
  const auto first = FormDecode(bodies[0]);
  EXPECT_NE(std::find(first.begin(), first.end(),
                      std::pair<std::string, std::string>{"Filter.1.Name", "subnet-id"}),
            first.end());
  EXPECT_NE(std::find(first.begin(), first.end(),
                      std::pair<std::string, std::string>{"Filter.1.Value.1", "subnet-a"}),
            first.end());
  for (const std::string& a : ec2.authorizations()) {
    EXPECT_EQ(a.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 0), 0u) << a;
  }
}

TEST(ObserveCommand, CategoryIsResolvedThroughTheConfig) {
  FakeEc2 ec2;
  testing::TempDir dir;
  const std::string config = dir.Write("g.yaml", R"(region: us-east-1
subnets:
  - id: subnet-a
    cidr: 10.0.0.0/26
categories:
  - name: critical
    subnet: subnet-a
)");
  const CliRun r = Observe({"--category", "critical", "--config", config}, AwsEnv(ec2.url()));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("subnet-a at "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("4 ENIs (2 in-use, 1 available, 1 other); 3 are Glue's"), std::string::npos) << r.out;
  EXPECT_EQ(Observe({"--category", "nope", "--config", config}, AwsEnv(ec2.url())).code, kExitFailure);
}

TEST(ObserveCommand, UsageErrorsAndUnreachableEndpoints) {
  EXPECT_EQ(Observe({}, {}).code, kExitUsage);
  EXPECT_EQ(Observe({"--subnet", "a", "--category", "b"}, {}).code, kExitUsage);
  std::string closed;
  {
    FakeEc2 gone;
    closed = gone.url();
  }
  std::map<std::string, std::string> env = AwsEnv(closed);
  env["AWS_MAX_ATTEMPTS"] = "1";
  const CliRun r = Observe({"--subnet", "subnet-a"}, env);
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.err.find("ConnectionError"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace glueguard
