// The EC2 client against recorded replies and simcloud. One file over 500 lines: the fixtures (reply
// shapes, pagination, error codes) are shared by every operation's tests.
#include "aws/ec2.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "aws/aws_client.h"
#include "net/fake_transport.h"
#include "net/url.h"

namespace glueguard {
namespace {

using std::chrono::seconds;

// The canned reply from aws-protocol-facts.md section 2.2, which awscli parsed field for field.
constexpr std::string_view kDescribeNetworkInterfacesReply = R"(<?xml version="1.0" encoding="UTF-8"?>
<DescribeNetworkInterfacesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>fc45294c-006b-457b-bab9-012f5b3b0e40</requestId>
  <networkInterfaceSet>
    <item>
      <networkInterfaceId>eni-0f7d8a8b1b2c3d4e5</networkInterfaceId>
      <subnetId>subnet-123</subnetId>
      <vpcId>vpc-11112222</vpcId>
      <availabilityZone>us-east-1a</availabilityZone>
      <description>Attached to Glue using role: arn:aws:iam::123456789012:role/GlueRole</description>
      <ownerId>123456789012</ownerId>
      <requesterId>AROAEXAMPLE:GlueSession</requesterId>
      <requesterManaged>true</requesterManaged>
      <status>in-use</status>
      <macAddress>02:74:b0:72:79:61</macAddress>
      <privateIpAddress>10.0.1.17</privateIpAddress>
      <privateDnsName>ip-10-0-1-17.ec2.internal</privateDnsName>
      <sourceDestCheck>true</sourceDestCheck>
      <groupSet><item><groupId>sg-3f4b5653</groupId><groupName>default</groupName></item></groupSet>
      <attachment>
        <attachmentId>eni-attach-a99c57d0</attachmentId>
        <instanceOwnerId>amazon-aws</instanceOwnerId>
        <deviceIndex>1</deviceIndex>
        <status>attached</status>
        <attachTime>2013-11-30T23:36:42.000Z</attachTime>
        <deleteOnTermination>false</deleteOnTermination>
      </attachment>
      <tagSet><item><key>Name</key><value>example</value></item></tagSet>
      <privateIpAddressesSet><item><privateIpAddress>10.0.1.17</privateIpAddress>
        <privateDnsName>ip-10-0-1-17.ec2.internal</privateDnsName><primary>true</primary></item></privateIpAddressesSet>
      <ipv6AddressesSet/>
      <interfaceType>interface</interfaceType>
    </item>
  </networkInterfaceSet>
  <nextToken>TOKEN2</nextToken>
</DescribeNetworkInterfacesResponse>
)";

constexpr std::string_view kDescribeSubnetsReply =
    R"(<DescribeSubnetsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId>)"
    R"(<subnetSet><item><subnetId>subnet-9d4a7b6c</subnetId><state>available</state><vpcId>vpc-1a2b3c4d</vpcId>)"
    R"(<cidrBlock>10.0.1.0/24</cidrBlock><availableIpAddressCount>251</availableIpAddressCount>)"
    R"(<availabilityZone>us-east-1a</availabilityZone><tagSet/></item>)"
    R"(<item><subnetId>subnet-2</subnetId><state>pending</state><vpcId>vpc-1a2b3c4d</vpcId>)"
    R"(<cidrBlock>10.0.2.0/28</cidrBlock><availableIpAddressCount>0</availableIpAddressCount>)"
    R"(<availabilityZone>us-east-1b</availabilityZone>)"
    R"(<tagSet><item><key>Name</key><value>glue-b</value></item><item><key>team</key><value>data</value></item>)"
    R"(</tagSet></item></subnetSet></DescribeSubnetsResponse>)";

std::string Ec2Error(const std::string& code, const std::string& message) {
  return "<Response><Errors><Error><Code>" + code + "</Code><Message>" + message +
         "</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>";
}

// A DescribeNetworkInterfaces page of ENIs with the given ids, ending with `next_token` (none when empty).
std::string EniPage(const std::vector<std::string>& ids, const std::string& next_token) {
  std::string xml = "<DescribeNetworkInterfacesResponse><requestId>r</requestId><networkInterfaceSet>";
  for (const std::string& id : ids) {
    xml += "<item><networkInterfaceId>" + id + "</networkInterfaceId><status>available</status></item>";
  }
  xml += "</networkInterfaceSet>";
  if (!next_token.empty()) xml += "<nextToken>" + next_token + "</nextToken>";
  return xml + "</DescribeNetworkInterfacesResponse>";
}

std::vector<std::string> Ids(const std::vector<NetworkInterface>& enis) {
  std::vector<std::string> ids;
  for (const NetworkInterface& eni : enis) ids.push_back(eni.id);
  return ids;
}

class Ec2Fixture : public ::testing::Test {
 protected:
  Ec2Fixture() { Rebuild("http://127.0.0.1:1", "secret"); }

  void Rebuild(const std::string& endpoint, const std::string& secret) {
    client_.reset();
    ec2_.reset();
    credentials_ =
        std::make_unique<StaticCredentialsProvider>(Credentials{"AKIDEXAMPLE", secret, "", {}, "test"});
    environment_ = std::make_unique<AwsEnvironment>(*AwsEnvironment::FromConfig(
        FixedEnv({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", endpoint}}), {}));
    client_ =
        std::make_unique<AwsClient>(transport_, *credentials_, *environment_, clock_, random_, sleeper_);
    ec2_ = std::make_unique<Ec2Client>(*client_);
  }

  // The decoded form parameters of the i-th request sent.
  QueryParams Sent(size_t i) const { return FormDecode(transport_.requests().at(i).body); }

  FakeTransport transport_;
  FakeClock clock_;
  FakeSleeper sleeper_{clock_};
  SeededRandom random_{7};
  std::unique_ptr<StaticCredentialsProvider> credentials_;
  std::unique_ptr<AwsEnvironment> environment_;
  std::unique_ptr<AwsClient> client_;
  std::unique_ptr<Ec2Client> ec2_;
};

using Ec2DescribeNetworkInterfaces = Ec2Fixture;
using Ec2DescribeSubnets = Ec2Fixture;
using Ec2DeleteNetworkInterface = Ec2Fixture;

TEST_F(Ec2DescribeNetworkInterfaces, RequestMatchesTheAwscliCaptureByteForByteIncludingItsSignature) {
  // aws-protocol-facts.md 2.1: the same call made by awscli 2.9.19 against 127.0.0.1:18080.
  Rebuild("http://127.0.0.1:18080", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  clock_.Set(*ParseTime("2026-11-23T08:20:35Z"));
  transport_.Push(200, EniPage({}, ""));
  DescribeNetworkInterfacesRequest request;
  request.filters = {{"subnet-id", {"subnet-123"}}, {"status", {"available", "in-use"}}};
  request.max_results = 5;
  request.next_token = "tok/en+1=";
  ASSERT_TRUE(ec2_->DescribeNetworkInterfaces(request).ok());

  const HttpRequest sent = transport_.requests().at(0);
  EXPECT_EQ(sent.url, "http://127.0.0.1:18080/");
  EXPECT_EQ(
      sent.body,
      "Action=DescribeNetworkInterfaces&Version=2016-11-15&Filter.1.Name=subnet-id&Filter.1.Value.1=subnet-"
      "123"
      "&Filter.2.Name=status&Filter.2.Value.1=available&Filter.2.Value.2=in-use&NextToken=tok%2Fen%2B1%3D"
      "&MaxResults=5");
  ASSERT_NE(FindHeader(sent.headers, "Authorization"), nullptr);
  EXPECT_EQ(*FindHeader(sent.headers, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/ec2/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=8574d01adddb02e0ec0dd641c9969e6ff94f38fc7a542c3d9136dcc5b2dd8889");
}

TEST_F(Ec2DescribeNetworkInterfaces, SendsIdsAsAFlattenedListAndNothingForEmptyFields) {
  transport_.Push(200, EniPage({"eni-0a", "eni-0b"}, ""));
  DescribeNetworkInterfacesRequest request;
  request.network_interface_ids = {"eni-0a", "eni-0b"};
  ASSERT_TRUE(ec2_->DescribeNetworkInterfaces(request).ok());
  EXPECT_EQ(Sent(0), (QueryParams{{"Action", "DescribeNetworkInterfaces"},
                                  {"Version", "2016-11-15"},
                                  {"NetworkInterfaceId.1", "eni-0a"},
                                  {"NetworkInterfaceId.2", "eni-0b"}}));
}

TEST_F(Ec2DescribeNetworkInterfaces, ParsesEveryFieldOfTheAwsShapedReply) {
  transport_.Push(200, std::string(kDescribeNetworkInterfacesReply));
  Result<NetworkInterfacePage> page = ec2_->DescribeNetworkInterfaces({});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->interfaces.size(), 1u);
  EXPECT_EQ(page->next_token, "TOKEN2");
  const NetworkInterface& eni = page->interfaces[0];
  EXPECT_EQ(eni.id, "eni-0f7d8a8b1b2c3d4e5");
  EXPECT_EQ(eni.subnet_id, "subnet-123");
  EXPECT_EQ(eni.vpc_id, "vpc-11112222");
  EXPECT_EQ(eni.availability_zone, "us-east-1a");
  EXPECT_EQ(eni.description, "Attached to Glue using role: arn:aws:iam::123456789012:role/GlueRole");
  EXPECT_EQ(eni.status, "in-use");
  EXPECT_EQ(eni.interface_type, "interface");
  EXPECT_EQ(eni.requester_id, "AROAEXAMPLE:GlueSession");
  EXPECT_TRUE(eni.requester_managed);
  EXPECT_EQ(eni.private_ip_address, "10.0.1.17");  // the ENI's own, not the one inside privateIpAddressesSet
  EXPECT_EQ(eni.owner_id, "123456789012");
  EXPECT_EQ(eni.tags, (Ec2Tags{{"Name", "example"}}));
  ASSERT_TRUE(eni.attachment.has_value());
  EXPECT_EQ(eni.attachment->attachment_id, "eni-attach-a99c57d0");
  EXPECT_EQ(eni.attachment->instance_id, "");
  EXPECT_EQ(eni.attachment->instance_owner_id, "amazon-aws");
  EXPECT_EQ(eni.attachment->status, "attached");
  EXPECT_EQ(eni.attachment->attach_time, *ParseTime("2013-11-30T23:36:42Z"));
}

TEST_F(Ec2DescribeNetworkInterfaces, AbsentOptionalElementsLeaveDefaults) {
  Result<NetworkInterfacePage> page = ParseDescribeNetworkInterfacesResponse(
      "<DescribeNetworkInterfacesResponse><networkInterfaceSet><item><networkInterfaceId>eni-1</"
      "networkInterfaceId>"
      "<instanceId>i-1</instanceId><tagSet/></item></networkInterfaceSet></"
      "DescribeNetworkInterfacesResponse>");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->interfaces.size(), 1u);
  EXPECT_FALSE(page->interfaces[0].attachment.has_value());
  EXPECT_FALSE(page->interfaces[0].requester_managed);
  EXPECT_TRUE(page->interfaces[0].tags.empty());
  EXPECT_EQ(page->next_token, "");
}

TEST_F(Ec2DescribeNetworkInterfaces, AnEmptyOrMissingSetIsNoInterfaces) {
  for (const char* xml :
       {"<DescribeNetworkInterfacesResponse><networkInterfaceSet/></DescribeNetworkInterfacesResponse>",
        "<DescribeNetworkInterfacesResponse><requestId>r</requestId></DescribeNetworkInterfacesResponse>"}) {
    Result<NetworkInterfacePage> page = ParseDescribeNetworkInterfacesResponse(xml);
    ASSERT_TRUE(page.ok()) << xml;
    EXPECT_TRUE(page->interfaces.empty());
  }
}

TEST_F(Ec2DescribeNetworkInterfaces, FollowsNextTokenUntilItIsAbsent) {
  transport_.Push(200, EniPage({"eni-1", "eni-2"}, "TOKEN2"));
  transport_.Push(200, EniPage({"eni-3"}, "TOKEN3"));
  transport_.Push(200, EniPage({"eni-4"}, ""));
  DescribeNetworkInterfacesRequest request;
  request.filters = {{"vpc-id", {"vpc-1"}}};
  request.max_results = 5;
  Result<std::vector<NetworkInterface>> all = DescribeAllNetworkInterfaces(*ec2_, request);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(Ids(*all), (std::vector<std::string>{"eni-1", "eni-2", "eni-3", "eni-4"}));
  ASSERT_EQ(transport_.requests().size(), 3u);
  const QueryParams base = {{"Action", "DescribeNetworkInterfaces"},
                            {"Version", "2016-11-15"},
                            {"Filter.1.Name", "vpc-id"},
                            {"Filter.1.Value.1", "vpc-1"}};
  QueryParams first = base;
  first.emplace_back("MaxResults", "5");
  EXPECT_EQ(Sent(0), first);
  QueryParams second = base;
  second.emplace_back("NextToken", "TOKEN2");
  second.emplace_back("MaxResults", "5");
  EXPECT_EQ(Sent(1), second);
  QueryParams third = base;
  third.emplace_back("NextToken", "TOKEN3");
  third.emplace_back("MaxResults", "5");
  EXPECT_EQ(Sent(2), third);
}

TEST_F(Ec2DescribeNetworkInterfaces, AnEmptyNextTokenEndsPagination) {
  transport_.Push(200, EniPage({"eni-1"}, "TOKEN2"));
  transport_.Push(
      200,
      "<DescribeNetworkInterfacesResponse><networkInterfaceSet><item><networkInterfaceId>eni-2"
      "</networkInterfaceId></item></networkInterfaceSet><nextToken/></DescribeNetworkInterfacesResponse>");
  transport_.Push(200, EniPage({"eni-never"}, ""));
  Result<std::vector<NetworkInterface>> all = DescribeAllNetworkInterfaces(*ec2_, {});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(Ids(*all), (std::vector<std::string>{"eni-1", "eni-2"}));
  EXPECT_EQ(transport_.requests().size(), 2u);
}

TEST_F(Ec2DescribeNetworkInterfaces, ATokenThatComesBackTwiceIsAnErrorNotAnEndlessLoop) {
  transport_.set_handler([](const HttpRequest&) -> Result<HttpResponse> {
    return HttpResponse{200, {}, EniPage({"eni-1"}, "SAME")};
  });
  Result<std::vector<NetworkInterface>> all = DescribeAllNetworkInterfaces(*ec2_, {});
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), StatusCode::kInternal);
  EXPECT_NE(all.status().message().find("came back twice"), std::string::npos) << all.status().message();
  EXPECT_EQ(transport_.requests().size(), 2u);
}

TEST_F(Ec2DescribeNetworkInterfaces, AFailingPageFailsTheWholeListing) {
  transport_.Push(200, EniPage({"eni-1"}, "TOKEN2"));
  transport_.Push(400, Ec2Error("InvalidNextToken", "The token is invalid"));
  Result<std::vector<NetworkInterface>> all = DescribeAllNetworkInterfaces(*ec2_, {});
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().reason(), "InvalidNextToken");
}

TEST_F(Ec2DescribeNetworkInterfaces, NotFoundErrorShapeGivesNotFoundWithTheCodeAsReason) {
  transport_.Push(400, Ec2Error("InvalidNetworkInterfaceID.NotFound",
                                "The networkInterface ID 'eni-0123456789abcdef0' does not exist"));
  DescribeNetworkInterfacesRequest request;
  request.network_interface_ids = {"eni-0123456789abcdef0"};
  Result<NetworkInterfacePage> page = ec2_->DescribeNetworkInterfaces(request);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(page.status().reason(), "InvalidNetworkInterfaceID.NotFound");
  EXPECT_NE(page.status().message().find("does not exist"), std::string::npos) << page.status().message();
  EXPECT_NE(page.status().message().find("ea966190"), std::string::npos) << page.status().message();
  EXPECT_EQ(transport_.requests().size(), 1u);  // a client error is not retried
}

TEST_F(Ec2DescribeNetworkInterfaces, ThrottlingWithHttp503IsRetriedWithBackoffThenSucceeds) {
  transport_.Push(503, Ec2Error("RequestLimitExceeded", "Request limit exceeded."));
  transport_.Push(503, Ec2Error("RequestLimitExceeded", "Request limit exceeded."));
  transport_.Push(200, std::string(kDescribeNetworkInterfacesReply));
  int attempts = 0;
  int throttled = 0;
  client_->set_observer([&](const AwsCallRecord& record) {
    attempts = record.attempts;
    throttled = record.throttled;
  });
  const Time before = clock_.Now();
  Result<NetworkInterfacePage> page = ec2_->DescribeNetworkInterfaces({});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->interfaces.size(), 1u);
  EXPECT_EQ(transport_.requests().size(), 3u);
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(throttled, 2);
  ASSERT_EQ(sleeper_.waits().size(), 2u);
  EXPECT_LE(sleeper_.waits()[0], seconds(1));
  EXPECT_LE(sleeper_.waits()[1], seconds(2));
  EXPECT_GT(sleeper_.waits()[0] + sleeper_.waits()[1], Duration(0));
  EXPECT_EQ(clock_.Now() - before, sleeper_.waits()[0] + sleeper_.waits()[1]);
  EXPECT_EQ(Sent(0), Sent(2));  // the retry resends the same form
}

TEST_F(Ec2DescribeNetworkInterfaces, ThrottlingThatOutlastsTheAttemptsIsUnavailable) {
  for (int i = 0; i < 3; ++i)
    transport_.Push(503, Ec2Error("RequestLimitExceeded", "Request limit exceeded."));
  Result<NetworkInterfacePage> page = ec2_->DescribeNetworkInterfaces({});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(page.status().reason(), "RequestLimitExceeded");
  EXPECT_EQ(transport_.requests().size(), 3u);
}

TEST_F(Ec2DescribeNetworkInterfaces, MaxResultsOutOfRangeOrWithIdsIsRefusedBeforeSending) {
  DescribeNetworkInterfacesRequest with_ids;
  with_ids.network_interface_ids = {"eni-1"};
  with_ids.max_results = 5;
  EXPECT_EQ(ec2_->DescribeNetworkInterfaces(with_ids).status().code(), StatusCode::kInvalidArgument);
  for (int max_results : {-1, 4, 1001}) {
    DescribeNetworkInterfacesRequest request;
    request.max_results = max_results;
    EXPECT_EQ(ec2_->DescribeNetworkInterfaces(request).status().code(), StatusCode::kInvalidArgument)
        << max_results;
  }
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(Ec2DescribeNetworkInterfaces, EveryTruncationOfTheReplyIsAnErrorWithAMessage) {
  const std::string_view xml = kDescribeNetworkInterfacesReply;
  const size_t last = xml.rfind('>');
  for (size_t n = 0; n < last; ++n) {
    Result<NetworkInterfacePage> page = ParseDescribeNetworkInterfacesResponse(xml.substr(0, n));
    ASSERT_FALSE(page.ok()) << "prefix of " << n << " bytes parsed";
    EXPECT_EQ(page.status().code(), StatusCode::kInternal);
    EXPECT_FALSE(page.status().message().empty());
  }
}

TEST_F(Ec2DescribeNetworkInterfaces, ATruncatedReplyFromTheServiceIsInternal) {
  transport_.Push(200, std::string(kDescribeNetworkInterfacesReply.substr(0, 400)));
  Result<NetworkInterfacePage> page = ec2_->DescribeNetworkInterfaces({});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kInternal);
  EXPECT_NE(page.status().message().find("not well-formed XML"), std::string::npos)
      << page.status().message();
}

TEST_F(Ec2DescribeNetworkInterfaces, GarbageAndTheWrongRootElementAreErrors) {
  for (std::string_view xml :
       {std::string_view(""), std::string_view("not xml at all"), std::string_view("{\"json\":true}"),
        std::string_view("<a><b></a>"), std::string_view("\0\xff\xfe<", 4), kDescribeSubnetsReply,
        std::string_view("<DescribeNetworkInterfacesResponse>")}) {
    Result<NetworkInterfacePage> page = ParseDescribeNetworkInterfacesResponse(xml);
    ASSERT_FALSE(page.ok()) << xml;
    EXPECT_FALSE(page.status().message().empty());
  }
  Result<NetworkInterfacePage> wrong_root = ParseDescribeNetworkInterfacesResponse(kDescribeSubnetsReply);
  EXPECT_NE(wrong_root.status().message().find("<DescribeSubnetsResponse>"), std::string::npos)
      << wrong_root.status().message();
}

TEST_F(Ec2DescribeNetworkInterfaces, UnreadableFieldsAreErrorsNamingTheField) {
  const std::string head = "<DescribeNetworkInterfacesResponse><networkInterfaceSet><item>";
  const std::string tail = "</item></networkInterfaceSet></DescribeNetworkInterfacesResponse>";
  struct Case {
    std::string item;
    std::string expected;
  };
  for (const Case& c : std::vector<Case>{
           {"<networkInterfaceId>eni-1</networkInterfaceId><requesterManaged>maybe</requesterManaged>",
            "requesterManaged"},
           {"<networkInterfaceId>eni-1</networkInterfaceId><attachment><attachTime>yesterday</attachTime>"
            "</attachment>",
            "attachTime"},
           {"<status>available</status>", "networkInterfaceId"},
       }) {
    Result<NetworkInterfacePage> page = ParseDescribeNetworkInterfacesResponse(head + c.item + tail);
    ASSERT_FALSE(page.ok()) << c.item;
    EXPECT_EQ(page.status().code(), StatusCode::kInternal);
    EXPECT_NE(page.status().message().find(c.expected), std::string::npos) << page.status().message();
  }
}

TEST_F(Ec2DescribeSubnets, SendsIdsAndFiltersAndParsesEveryField) {
  transport_.Push(200, std::string(kDescribeSubnetsReply));
  DescribeSubnetsRequest request;
  request.subnet_ids = {"subnet-123", "subnet-456"};
  request.filters = {{"vpc-id", {"vpc-1"}}};
  Result<std::vector<Subnet>> subnets = ec2_->DescribeSubnets(request);
  ASSERT_TRUE(subnets.ok()) << subnets.status().ToString();
  EXPECT_EQ(Sent(0), (QueryParams{{"Action", "DescribeSubnets"},
                                  {"Version", "2016-11-15"},
                                  {"Filter.1.Name", "vpc-id"},
                                  {"Filter.1.Value.1", "vpc-1"},
                                  {"SubnetId.1", "subnet-123"},
                                  {"SubnetId.2", "subnet-456"}}));
  ASSERT_EQ(subnets->size(), 2u);
  const Subnet& a = (*subnets)[0];
  EXPECT_EQ(a.subnet_id, "subnet-9d4a7b6c");
  EXPECT_EQ(a.vpc_id, "vpc-1a2b3c4d");
  EXPECT_EQ(a.cidr_block, "10.0.1.0/24");
  EXPECT_EQ(a.available_ip_address_count, 251);
  EXPECT_EQ(a.availability_zone, "us-east-1a");
  EXPECT_EQ(a.state, "available");
  EXPECT_TRUE(a.tags.empty());
  const Subnet& b = (*subnets)[1];
  EXPECT_EQ(b.subnet_id, "subnet-2");
  EXPECT_EQ(b.available_ip_address_count, 0);
  EXPECT_EQ(b.state, "pending");
  EXPECT_EQ(b.availability_zone, "us-east-1b");
  EXPECT_EQ(b.tags, (Ec2Tags{{"Name", "glue-b"}, {"team", "data"}}));
}

TEST_F(Ec2DescribeSubnets, FollowsNextTokenAcrossPages) {
  transport_.Push(200,
                  "<DescribeSubnetsResponse><subnetSet><item><subnetId>subnet-1</subnetId></item></subnetSet>"
                  "<nextToken>T2</nextToken></DescribeSubnetsResponse>");
  transport_.Push(200,
                  "<DescribeSubnetsResponse><subnetSet><item><subnetId>subnet-2</subnetId></item></subnetSet>"
                  "</DescribeSubnetsResponse>");
  Result<std::vector<Subnet>> subnets = ec2_->DescribeSubnets({});
  ASSERT_TRUE(subnets.ok()) << subnets.status().ToString();
  ASSERT_EQ(subnets->size(), 2u);
  EXPECT_EQ((*subnets)[1].subnet_id, "subnet-2");
  EXPECT_EQ(Sent(1),
            (QueryParams{{"Action", "DescribeSubnets"}, {"Version", "2016-11-15"}, {"NextToken", "T2"}}));
}

TEST_F(Ec2DescribeSubnets, UnknownSubnetIsNotFound) {
  transport_.Push(400, Ec2Error("InvalidSubnetID.NotFound", "The subnet ID 'subnet-x' does not exist"));
  Result<std::vector<Subnet>> subnets = ec2_->DescribeSubnets({{"subnet-x"}, {}});
  EXPECT_EQ(subnets.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(subnets.status().reason(), "InvalidSubnetID.NotFound");
}

TEST_F(Ec2DescribeSubnets, ANonNumericIpCountIsAnError) {
  Result<SubnetPage> page = ParseDescribeSubnetsResponse(
      "<DescribeSubnetsResponse><subnetSet><item><subnetId>subnet-1</subnetId>"
      "<availableIpAddressCount>12x</availableIpAddressCount></item></subnetSet></DescribeSubnetsResponse>");
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.status().message().find("availableIpAddressCount"), std::string::npos)
      << page.status().message();
}

TEST_F(Ec2DescribeSubnets, EveryTruncationOfTheReplyIsAnError) {
  const std::string_view xml = kDescribeSubnetsReply;
  for (size_t n = 0; n < xml.size(); ++n) {
    ASSERT_FALSE(ParseDescribeSubnetsResponse(xml.substr(0, n)).ok()) << "prefix of " << n << " bytes parsed";
  }
}

TEST_F(Ec2DeleteNetworkInterface, SendsTheIdAndAcceptsReturnTrue) {
  transport_.Push(200,
                  "<DeleteNetworkInterfaceResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                  "<requestId>e1c6d73b</requestId><return>true</return></DeleteNetworkInterfaceResponse>");
  const Status s = ec2_->DeleteNetworkInterface("eni-0123456789abcdef0");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(transport_.requests().at(0).body,
            "Action=DeleteNetworkInterface&Version=2016-11-15&NetworkInterfaceId=eni-0123456789abcdef0");
}

TEST_F(Ec2DeleteNetworkInterface, AnInUseInterfaceComesBackAsTheReason) {
  transport_.Push(400, Ec2Error("InvalidNetworkInterface.InUse", "Interface: [eni-1] in use."));
  const Status s = ec2_->DeleteNetworkInterface("eni-1");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.reason(), "InvalidNetworkInterface.InUse");
}

TEST_F(Ec2DeleteNetworkInterface, InvalidParameterValueIsInvalidArgumentWithTheReason) {
  transport_.Push(400, Ec2Error("InvalidParameterValue", "Network interface 'eni-1' is currently in use."));
  const Status s = ec2_->DeleteNetworkInterface("eni-1");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.reason(), "InvalidParameterValue");
}

TEST_F(Ec2DeleteNetworkInterface, AMissingInterfaceIsNotFound) {
  transport_.Push(400, Ec2Error("InvalidNetworkInterfaceID.NotFound", "does not exist"));
  EXPECT_EQ(ec2_->DeleteNetworkInterface("eni-gone").code(), StatusCode::kNotFound);
}

// The bug: a 200 without <return> was reported as a failed delete although the ENI was gone.
TEST_F(Ec2DeleteNetworkInterface, A200WithoutReturnIsSuccessAsTheSdksTreatIt) {
  transport_.Push(200,
                  "<DeleteNetworkInterfaceResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
                  "<requestId>e1c6d73b</requestId></DeleteNetworkInterfaceResponse>");
  transport_.Push(200, "");
  const Status without_return = ec2_->DeleteNetworkInterface("eni-1");
  EXPECT_TRUE(without_return.ok()) << without_return.ToString();
  const Status empty = ec2_->DeleteNetworkInterface("eni-2");
  EXPECT_TRUE(empty.ok()) << empty.ToString();
}

TEST_F(Ec2DeleteNetworkInterface, OnlyReturnFalseIsAnError) {
  transport_.Push(200,
                  "<DeleteNetworkInterfaceResponse><return>false</return></DeleteNetworkInterfaceResponse>");
  const Status s = ec2_->DeleteNetworkInterface("eni-1");
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("<return>false</return>"), std::string::npos) << s.ToString();

  EXPECT_TRUE(ParseNoOutputResponse("DeleteNetworkInterface", "<DeleteNetworkInterfaceResponse/>").ok());
  EXPECT_TRUE(
      ParseNoOutputResponse("DeleteNetworkInterface", "<DeleteNetworkInterfaceResponse><return>tr").ok());
  EXPECT_TRUE(ParseNoOutputResponse("DeleteNetworkInterface", "<Other><return>true</return></Other>").ok());
  EXPECT_TRUE(ParseNoOutputResponse("DeleteNetworkInterface", "not xml at all").ok());
  EXPECT_EQ(ParseNoOutputResponse("DeleteNetworkInterface", "<R>\n  <return> false </return></R>").code(),
            StatusCode::kInternal);
}

// Which EC2 actions glueguard sends have no output in botocore's model (Debian's python3-botocore, what the
// AWS CLI reads replies with): those are read by ParseNoOutputResponse, the others by their own parser.
TEST(Ec2BotocoreModel, TheActionsReadAsNoOutputAreTheOnesTheModelGivesNoOutput) {
  const std::string path = "/usr/lib/python3/dist-packages/botocore/data/ec2/2016-11-15/service-2.json";
  std::ifstream in(path);
  if (!in) GTEST_SKIP() << path << " is not installed (apt-get install python3-botocore)";
  const nlohmann::json model = nlohmann::json::parse(in);
  const std::map<std::string, bool> sent_with_output = {
      {"DescribeNetworkInterfaces", true}, {"DescribeSubnets", true}, {"DeleteNetworkInterface", false}};
  for (const auto& [action, has_output] : sent_with_output) {
    ASSERT_TRUE(model["operations"].contains(action)) << action;
    EXPECT_EQ(model["operations"][action].contains("output"), has_output) << action;
  }
}

TEST_F(Ec2DeleteNetworkInterface, AnEmptyIdIsRefusedBeforeSending) {
  EXPECT_EQ(ec2_->DeleteNetworkInterface("").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(transport_.requests().empty());
}

NetworkInterface Eni(std::string status, std::string description) {
  NetworkInterface eni;
  eni.id = "eni-" + status;
  eni.status = std::move(status);
  eni.description = std::move(description);
  return eni;
}

TEST(Ec2IsGlueEni, RecognisesGlueDescriptionPrefixesOnly) {
  EXPECT_TRUE(IsGlueEni(Eni("in-use", "Attached to Glue using role: arn:aws:iam::1:role/R")));
  EXPECT_TRUE(IsGlueEni(Eni("available", "Glue_session_abc")));
  EXPECT_FALSE(IsGlueEni(Eni("in-use", "")));
  EXPECT_FALSE(IsGlueEni(Eni("in-use", "AWS Lambda VPC ENI-fn")));
  EXPECT_FALSE(IsGlueEni(Eni("in-use", "glue_lowercase")));
  EXPECT_FALSE(IsGlueEni(Eni("in-use", "Not Attached to Glue using role:")));
}

TEST(Ec2CountEnis, CountsByStatusAndGlueOwnership) {
  const EniCounts counts = CountEnis({
      Eni("in-use", "Attached to Glue using role: r"),
      Eni("in-use", "Primary network interface"),
      Eni("available", "Glue_1"),
      Eni("available", ""),
      Eni("available", ""),
      Eni("attaching", "Glue_2"),
      Eni("detaching", ""),
      Eni("associated", ""),
      Eni("some-future-status", ""),
  });
  EXPECT_EQ(counts.total, 9);
  EXPECT_EQ(counts.in_use, 2);
  EXPECT_EQ(counts.available, 3);
  EXPECT_EQ(counts.other, 4);
  EXPECT_EQ(counts.glue, 3);
  EXPECT_EQ(counts.total, counts.in_use + counts.available + counts.other);
}

TEST(Ec2CountEnis, NoInterfacesIsAllZero) {
  const EniCounts counts = CountEnis({});
  EXPECT_EQ(counts.total, 0);
  EXPECT_EQ(counts.glue, 0);
}

}  // namespace
}  // namespace glueguard
