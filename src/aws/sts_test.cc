#include "aws/sts.h"

#include <gtest/gtest.h>

#include "net/fake_transport.h"
#include "net/url.h"
#include "testing/form.h"

namespace glueguard {
namespace {

constexpr const char* kCallerIdentityReply =
    R"(<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/Alice</Arn>
    <UserId>AIDAEXAMPLEUSERID</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>)";

std::string AssumeRoleReply(const std::string& operation,
                            const std::string& expiration = "2026-01-01T01:00:00Z") {
  return "<" + operation + R"(Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <)" + operation +
         R"(Result>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/GlueRole/sess1</Arn>
      <AssumedRoleId>AROAEXAMPLEID:sess1</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAROLEKEY</AccessKeyId>
      <SecretAccessKey>role-secret-value</SecretAccessKey>
      <SessionToken>role-session-token</SessionToken>
      <Expiration>)" +
         expiration + R"(</Expiration>
    </Credentials>
  </)" + operation +
         R"(Result>
  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
</)" + operation +
         "Response>";
}

std::string ErrorReply(const std::string& code, const std::string& message) {
  return R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>)" +
         code + "</Code><Message>" + message +
         "</Message></Error><RequestId>req-err</RequestId></ErrorResponse>";
}

// A provider that fails the test if it is asked: for calls that must not be signed.
class MustNotBeAskedProvider final : public CredentialsProvider {
 public:
  Result<Credentials> Get() override {
    ADD_FAILURE() << "credentials were asked for an unsigned call";
    return Status::Internal("asked");
  }
};

class StsClientTest : public ::testing::Test {
 protected:
  StsClientTest()
      : environment_(*AwsEnvironment::FromConfig(
            FixedEnv({{"AWS_REGION", "eu-west-1"}, {"AWS_ENDPOINT_URL", "http://127.0.0.1:4566"}}), {})) {}

  StsClient MakeClient(CredentialsProvider& credentials) {
    client_ = std::make_unique<AwsClient>(transport_, credentials, environment_, clock_, random_, sleeper_);
    return StsClient(*client_);
  }

  FakeTransport transport_;
  StaticCredentialsProvider credentials_{Credentials{"AKIDCALLER", "caller-secret", "", {}, "test"}};
  FakeClock clock_;
  FakeSleeper sleeper_{clock_};
  SeededRandom random_{1};
  AwsEnvironment environment_;
  std::unique_ptr<AwsClient> client_;
};

TEST_F(StsClientTest, GetCallerIdentityIsSignedAndParsed) {
  transport_.Push(200, kCallerIdentityReply);
  StsClient sts = MakeClient(credentials_);
  Result<CallerIdentity> identity = sts.GetCallerIdentity();
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_EQ(identity->user_id, "AIDAEXAMPLEUSERID");
  EXPECT_EQ(identity->account, "123456789012");
  EXPECT_EQ(identity->arn, "arn:aws:iam::123456789012:user/Alice");
  const HttpRequest sent = transport_.requests().at(0);
  EXPECT_EQ(sent.body, "Action=GetCallerIdentity&Version=2011-06-15");
  ASSERT_NE(FindHeader(sent.headers, "Authorization"), nullptr);
  EXPECT_NE(FindHeader(sent.headers, "Authorization")->find("Credential=AKIDCALLER/"), std::string::npos);
  EXPECT_NE(FindHeader(sent.headers, "Authorization")->find("/eu-west-1/sts/aws4_request"),
            std::string::npos);
}

TEST_F(StsClientTest, AssumeRoleSendsEveryParameterAndParsesTheCredentials) {
  transport_.Push(200, AssumeRoleReply("AssumeRole"));
  StsClient sts = MakeClient(credentials_);
  Result<AssumedRole> role =
      sts.AssumeRole({"arn:aws:iam::123456789012:role/GlueRole", "sess1", 3600, std::string("ext-42")});
  ASSERT_TRUE(role.ok()) << role.status().ToString();
  EXPECT_EQ(role->credentials.access_key_id, "ASIAROLEKEY");
  EXPECT_EQ(role->credentials.secret_access_key, "role-secret-value");
  EXPECT_EQ(role->credentials.session_token, "role-session-token");
  EXPECT_EQ(role->credentials.expiration, *ParseTime("2026-01-01T01:00:00Z"));
  EXPECT_EQ(role->arn, "arn:aws:sts::123456789012:assumed-role/GlueRole/sess1");
  EXPECT_EQ(role->assumed_role_id, "AROAEXAMPLEID:sess1");
  const auto form = testing::FormOf(transport_.requests().at(0));
  EXPECT_EQ(form.at("Action"), "AssumeRole");
  EXPECT_EQ(form.at("Version"), "2011-06-15");
  EXPECT_EQ(form.at("RoleArn"), "arn:aws:iam::123456789012:role/GlueRole");
  EXPECT_EQ(form.at("RoleSessionName"), "sess1");
  EXPECT_EQ(form.at("DurationSeconds"), "3600");
  EXPECT_EQ(form.at("ExternalId"), "ext-42");
  EXPECT_NE(FindHeader(transport_.requests().at(0).headers, "Authorization"), nullptr);
}

TEST_F(StsClientTest, AssumeRoleLeavesOutUnsetOptionalParameters) {
  transport_.Push(200, AssumeRoleReply("AssumeRole"));
  StsClient sts = MakeClient(credentials_);
  ASSERT_TRUE(
      sts.AssumeRole({"arn:aws:iam::123456789012:role/GlueRole", "sess1", std::nullopt, std::nullopt}).ok());
  const auto form = testing::FormOf(transport_.requests().at(0));
  EXPECT_EQ(form.count("DurationSeconds"), 0u);
  EXPECT_EQ(form.count("ExternalId"), 0u);
}

TEST_F(StsClientTest, AssumeRoleWithWebIdentityIsSentUnsigned) {
  transport_.Push(200, AssumeRoleReply("AssumeRoleWithWebIdentity"));
  MustNotBeAskedProvider no_credentials;
  StsClient sts = MakeClient(no_credentials);
  Result<AssumedRole> role = sts.AssumeRoleWithWebIdentity(
      {"arn:aws:iam::123456789012:role/R", "sess1", "eyJhbGciOi.TOKEN.sig", 900});
  ASSERT_TRUE(role.ok()) << role.status().ToString();
  EXPECT_EQ(role->credentials.access_key_id, "ASIAROLEKEY");
  const HttpRequest sent = transport_.requests().at(0);
  EXPECT_EQ(FindHeader(sent.headers, "Authorization"), nullptr);
  EXPECT_EQ(FindHeader(sent.headers, "X-Amz-Date"), nullptr);
  EXPECT_EQ(FindHeader(sent.headers, "X-Amz-Security-Token"), nullptr);
  EXPECT_EQ(
      sent.body,
      "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%"
      "2FR&RoleSessionName=sess1&WebIdentityToken=eyJhbGciOi.TOKEN.sig&DurationSeconds=900");
}

TEST_F(StsClientTest, AccessDeniedIsPermissionDeniedWithTheAwsCode) {
  transport_.Push(403, ErrorReply("AccessDenied", "User is not authorized to perform: sts:AssumeRole"));
  StsClient sts = MakeClient(credentials_);
  Result<AssumedRole> role =
      sts.AssumeRole({"arn:aws:iam::123456789012:role/R", "s", std::nullopt, std::nullopt});
  ASSERT_FALSE(role.ok());
  EXPECT_EQ(role.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(role.status().reason(), "AccessDenied");
  EXPECT_NE(role.status().message().find("not authorized"), std::string::npos);
  EXPECT_NE(role.status().message().find("req-err"), std::string::npos);
}

TEST_F(StsClientTest, ExpiredTokenIsPermissionDenied) {
  transport_.Push(400, ErrorReply("ExpiredToken", "The security token included in the request is expired"));
  StsClient sts = MakeClient(credentials_);
  Result<CallerIdentity> identity = sts.GetCallerIdentity();
  ASSERT_FALSE(identity.ok());
  EXPECT_EQ(identity.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(identity.status().reason(), "ExpiredToken");
}

TEST_F(StsClientTest, TruncatedSuccessReplyIsAnInternalError) {
  const std::string full = AssumeRoleReply("AssumeRole");
  transport_.Push(200, full.substr(0, full.size() / 2));
  StsClient sts = MakeClient(credentials_);
  Result<AssumedRole> role =
      sts.AssumeRole({"arn:aws:iam::123456789012:role/R", "s", std::nullopt, std::nullopt});
  ASSERT_FALSE(role.ok());
  EXPECT_EQ(role.status().code(), StatusCode::kInternal);
  EXPECT_NE(role.status().message().find("not well-formed XML"), std::string::npos)
      << role.status().message();
}

TEST_F(StsClientTest, FactorySignsWithTheCredentialsItIsGiven) {
  transport_.Push(200, AssumeRoleReply("AssumeRole"));
  StsFactory factory = MakeStsFactory(transport_, environment_, clock_, random_, sleeper_);
  StaticCredentialsProvider source(
      Credentials{"AKIDSOURCE", "source-secret", "source-token", {}, "profile src"});
  std::unique_ptr<StsApi> sts = factory(source);
  ASSERT_TRUE(sts->AssumeRole({"arn:aws:iam::123456789012:role/R", "s", std::nullopt, std::nullopt}).ok());
  const HttpRequest sent = transport_.requests().at(0);
  ASSERT_NE(FindHeader(sent.headers, "Authorization"), nullptr);
  EXPECT_NE(FindHeader(sent.headers, "Authorization")->find("Credential=AKIDSOURCE/"), std::string::npos);
  ASSERT_NE(FindHeader(sent.headers, "X-Amz-Security-Token"), nullptr);
  EXPECT_EQ(*FindHeader(sent.headers, "X-Amz-Security-Token"), "source-token");
}

TEST(StsParse, ExpirationMayHaveFractionalSecondsOrAUtcOffset) {
  Result<AssumedRole> fractional =
      ParseAssumeRoleResponse(AssumeRoleReply("AssumeRole", "2026-01-01T01:00:00.250Z"), "AssumeRole");
  ASSERT_TRUE(fractional.ok()) << fractional.status().ToString();
  EXPECT_EQ(fractional->credentials.expiration, *ParseTime("2026-01-01T01:00:00.250Z"));
  Result<AssumedRole> offset =
      ParseAssumeRoleResponse(AssumeRoleReply("AssumeRole", "2026-01-01T01:00:00+00:00"), "AssumeRole");
  ASSERT_TRUE(offset.ok()) << offset.status().ToString();
  EXPECT_EQ(offset->credentials.expiration, *ParseTime("2026-01-01T01:00:00Z"));
  Result<AssumedRole> other_zone =
      ParseAssumeRoleResponse(AssumeRoleReply("AssumeRole", "2026-01-01T01:00:00+02:00"), "AssumeRole");
  EXPECT_FALSE(other_zone.ok());
}

TEST(StsParse, EveryTruncationOfAReplyIsAnErrorNotACrash) {
  const std::string full = AssumeRoleReply("AssumeRole");
  for (size_t n = 0; n < full.size(); ++n) {
    Result<AssumedRole> role = ParseAssumeRoleResponse(std::string_view(full).substr(0, n), "AssumeRole");
    ASSERT_FALSE(role.ok()) << "prefix of " << n << " bytes parsed";
    EXPECT_EQ(role.status().code(), StatusCode::kInternal);
    EXPECT_FALSE(role.status().message().empty());
    EXPECT_EQ(role.status().message().find("role-secret-value"), std::string::npos);
  }
  const std::string identity = kCallerIdentityReply;
  for (size_t n = 0; n < identity.size(); ++n) {
    EXPECT_FALSE(ParseGetCallerIdentityResponse(std::string_view(identity).substr(0, n)).ok());
  }
}

TEST(StsParse, AnotherOperationsReplyIsRejected) {
  Result<AssumedRole> role =
      ParseAssumeRoleResponse(AssumeRoleReply("AssumeRoleWithWebIdentity"), "AssumeRole");
  ASSERT_FALSE(role.ok());
  EXPECT_NE(role.status().message().find("expected <AssumeRoleResponse>"), std::string::npos);
}

TEST(StsParse, ErrorResponseWithStatus200IsAnError) {
  Result<CallerIdentity> identity = ParseGetCallerIdentityResponse(ErrorReply("Throttling", "Rate exceeded"));
  ASSERT_FALSE(identity.ok());
  EXPECT_EQ(identity.status().code(), StatusCode::kInternal);
}

TEST(StsParse, MissingCredentialFieldIsNamedWithoutLeakingTheOthers) {
  std::string reply = AssumeRoleReply("AssumeRole");
  const std::string token = "<SessionToken>role-session-token</SessionToken>";
  reply.erase(reply.find(token), token.size());
  Result<AssumedRole> role = ParseAssumeRoleResponse(reply, "AssumeRole");
  ASSERT_FALSE(role.ok());
  EXPECT_NE(role.status().message().find("Credentials/SessionToken"), std::string::npos)
      << role.status().message();
  EXPECT_EQ(role.status().message().find("role-secret-value"), std::string::npos);
  EXPECT_EQ(role.status().message().find("ASIAROLEKEY"), std::string::npos);
}

TEST(StsParse, MalformedExpirationIsAnError) {
  Result<AssumedRole> role = ParseAssumeRoleResponse(AssumeRoleReply("AssumeRole", "tomorrow"), "AssumeRole");
  ASSERT_FALSE(role.ok());
  EXPECT_NE(role.status().message().find("Expiration"), std::string::npos);
}

}  // namespace
}  // namespace glueguard
