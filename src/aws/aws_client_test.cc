#include "aws/aws_client.h"

#include <gtest/gtest.h>

#include "net/fake_transport.h"
#include "net/url.h"

namespace glueguard {
namespace {

using std::chrono::seconds;

class AwsClientTest : public ::testing::Test {
 protected:
  AwsClientTest() { Rebuild({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", "http://127.0.0.1:4566"}}); }

  void Rebuild(std::map<std::string, std::string> env) {
    environment_ = std::make_unique<AwsEnvironment>(*AwsEnvironment::FromConfig(FixedEnv(std::move(env)), {}));
    client_ = std::make_unique<AwsClient>(transport_, credentials_, *environment_, clock_, random_, sleeper_);
  }

  static std::string Ec2Error(const std::string& code) {
    return "<Response><Errors><Error><Code>" + code + "</Code><Message>slow down</Message></Error></Errors>"
           "<RequestID>req-1</RequestID></Response>";
  }

  FakeTransport transport_;
  StaticCredentialsProvider credentials_{Credentials{"AKIDEXAMPLE", "secret", "", {}, "test"}};
  FakeClock clock_;
  FakeSleeper sleeper_{clock_};
  SeededRandom random_{7};
  std::unique_ptr<AwsEnvironment> environment_;
  std::unique_ptr<AwsClient> client_;
};

TEST_F(AwsClientTest, QueryCallPostsASignedFormWithActionAndVersion) {
  transport_.Push(200, "<DescribeSubnetsResponse/>");
  Result<AwsResponse> r = client_->Query(kEc2Service, "DescribeSubnets", {{"SubnetId.1", "subnet-1"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const HttpRequest sent = transport_.requests().at(0);
  EXPECT_EQ(sent.url, "http://127.0.0.1:4566/");
  EXPECT_EQ(sent.body, "Action=DescribeSubnets&Version=2016-11-15&SubnetId.1=subnet-1");
  EXPECT_EQ(*FindHeader(sent.headers, "Host"), "127.0.0.1:4566");
  EXPECT_EQ(*FindHeader(sent.headers, "Content-Type"), "application/x-www-form-urlencoded; charset=utf-8");
  ASSERT_NE(FindHeader(sent.headers, "Authorization"), nullptr);
  EXPECT_NE(FindHeader(sent.headers, "Authorization")->find("/us-east-1/ec2/aws4_request"), std::string::npos);
  EXPECT_NE(FindHeader(sent.headers, "X-Amz-Date"), nullptr);
  EXPECT_EQ(FindHeader(sent.headers, "X-Amz-Security-Token"), nullptr);
  EXPECT_NE(FindHeader(sent.headers, "User-Agent")->find("glueguard/"), std::string::npos);
}

TEST_F(AwsClientTest, JsonCallSetsTargetAndContentType) {
  transport_.Push(200, "{}");
  ASSERT_TRUE(client_->Json(kGlueService, "GetSession", R"({"Id":"s"})").ok());
  const HttpRequest sent = transport_.requests().at(0);
  EXPECT_EQ(*FindHeader(sent.headers, "X-Amz-Target"), "AWSGlue.GetSession");
  EXPECT_EQ(*FindHeader(sent.headers, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_NE(FindHeader(sent.headers, "Authorization")->find("SignedHeaders=content-type;host;x-amz-date;x-amz-target"),
            std::string::npos);
}

TEST_F(AwsClientTest, ThrottlingIsRetriedWithBackoffThenSucceeds) {
  transport_.Push(503, Ec2Error("RequestLimitExceeded"));
  transport_.Push(503, Ec2Error("RequestLimitExceeded"));
  transport_.Push(200, "<ok/>");
  int observed_attempts = 0;
  int observed_throttles = 0;
  client_->set_observer([&](const AwsCallRecord& record) {
    observed_attempts = record.attempts;
    observed_throttles = record.throttled;
  });
  Result<AwsResponse> r = client_->Query(kEc2Service, "DescribeNetworkInterfaces", {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(transport_.requests().size(), 3u);
  ASSERT_EQ(sleeper_.waits().size(), 2u);
  EXPECT_LE(sleeper_.waits()[0], seconds(1));  // full jitter: U(0, 1 s), then U(0, 2 s)
  EXPECT_LE(sleeper_.waits()[1], seconds(2));
  EXPECT_EQ(observed_attempts, 3);
  EXPECT_EQ(observed_throttles, 2);
}

TEST_F(AwsClientTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  for (int i = 0; i < 3; ++i) transport_.Push(503, Ec2Error("RequestLimitExceeded"));
  Result<AwsResponse> r = client_->Query(kEc2Service, "DescribeNetworkInterfaces", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().reason(), "RequestLimitExceeded");
  EXPECT_NE(r.status().message().find("after 3 attempts"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("request id req-1"), std::string::npos) << r.status().message();
  EXPECT_EQ(transport_.requests().size(), 3u);
}

TEST_F(AwsClientTest, MaxAttemptsComesFromTheEnvironment) {
  Rebuild({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", "http://127.0.0.1:4566"}, {"AWS_MAX_ATTEMPTS", "5"}});
  for (int i = 0; i < 5; ++i) transport_.Push(500, "<Response/>");
  EXPECT_FALSE(client_->Query(kEc2Service, "DescribeSubnets", {}).ok());
  EXPECT_EQ(transport_.requests().size(), 5u);
  EXPECT_EQ(sleeper_.waits().size(), 4u);
}

TEST_F(AwsClientTest, ClientErrorsAreNotRetried) {
  transport_.Push(400, "<Response><Errors><Error><Code>InvalidParameterValue</Code><Message>bad</Message></Error>"
                       "</Errors><RequestID>r</RequestID></Response>");
  Result<AwsResponse> r = client_->Query(kEc2Service, "DeleteNetworkInterface", {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().reason(), "InvalidParameterValue");
  EXPECT_EQ(transport_.requests().size(), 1u);
  EXPECT_TRUE(sleeper_.waits().empty());
}

TEST_F(AwsClientTest, ConnectionResetsAndTimeoutsAreRetried) {
  transport_.PushConnectionReset();
  transport_.PushTimeout();
  transport_.Push(200, "{}");
  EXPECT_TRUE(client_->Json(kGlueService, "ListSessions", "{}").ok());
  EXPECT_EQ(transport_.requests().size(), 3u);
}

TEST_F(AwsClientTest, RetryQuotaStopsRetryStorms) {
  transport_.set_handler([](const HttpRequest&) -> Result<HttpResponse> {
    return HttpResponse{500, {}, "<Response/>"};
  });
  // 500 tokens at 5 per retry: 100 retries, then failures come back at once.
  int calls = 0;
  while (calls < 200) {
    (void)client_->Query(kEc2Service, "DescribeSubnets", {});
    ++calls;
  }
  EXPECT_EQ(sleeper_.waits().size(), 100u);
  const size_t sent_before = transport_.requests().size();
  Result<AwsResponse> r = client_->Query(kEc2Service, "DescribeSubnets", {});
  EXPECT_EQ(transport_.requests().size(), sent_before + 1);
  EXPECT_NE(r.status().message().find("retry quota exhausted"), std::string::npos);
}

TEST_F(AwsClientTest, JsonErrorCodeDropsTheNamespaceAndTakesTheRequestIdHeader) {
  transport_.Push(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
                       R"("message":"The conditional request failed"})",
                  {{"x-amzn-RequestId", "ABC123"}});
  Result<AwsResponse> r = client_->Json(kDynamoDbService, "PutItem", "{}");
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().reason(), "ConditionalCheckFailedException");
  EXPECT_NE(r.status().message().find("The conditional request failed"), std::string::npos);
  EXPECT_NE(r.status().message().find("ABC123"), std::string::npos);
}

TEST_F(AwsClientTest, QueryProtocolErrorShape) {
  transport_.Push(404, "<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist"
                       "</Message></Error><RequestId>rq</RequestId></ErrorResponse>");
  Result<AwsResponse> r = client_->Query(kSnsService, "Publish", {});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().reason(), "NotFound");
}

TEST_F(AwsClientTest, UnparseableErrorBodyStillSaysWhatCameBack) {
  transport_.Push(403, "<html>proxy says no</html>");
  Result<AwsResponse> r = client_->Query(kEc2Service, "DescribeSubnets", {});
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(r.status().reason(), "HTTP403");
  EXPECT_NE(r.status().message().find("proxy says no"), std::string::npos);
}

TEST_F(AwsClientTest, UnsignedCallsCarryNoAuthorization) {
  transport_.Push(200, "<ok/>");
  AwsCallOptions options;
  options.sign = false;
  ASSERT_TRUE(client_->Query(kStsService, "AssumeRoleWithWebIdentity", {}, options).ok());
  EXPECT_EQ(FindHeader(transport_.requests()[0].headers, "Authorization"), nullptr);
  EXPECT_EQ(FindHeader(transport_.requests()[0].headers, "X-Amz-Date"), nullptr);
}

TEST_F(AwsClientTest, MissingRegionIsAClearError) {
  Rebuild({});
  Result<AwsResponse> r = client_->Query(kEc2Service, "DescribeSubnets", {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("AWS_REGION"), std::string::npos);
  EXPECT_TRUE(transport_.requests().empty());
}

class FailingCredentials final : public CredentialsProvider {
 public:
  Result<Credentials> Get() override { return Status::NotFound("no credentials in the chain"); }
};

TEST_F(AwsClientTest, CredentialErrorsStopTheCallBeforeSending) {
  FailingCredentials none;
  AwsClient client(transport_, none, *environment_, clock_, random_, sleeper_);
  Result<AwsResponse> r = client.Query(kEc2Service, "DescribeSubnets", {});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("no credentials"), std::string::npos);
  EXPECT_TRUE(transport_.requests().empty());
}

}  // namespace
}  // namespace glueguard
