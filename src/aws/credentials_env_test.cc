#include "aws/credentials_env.h"

#include <gtest/gtest.h>

#include "net/fake_transport.h"
#include "net/url.h"
#include "testing/form.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

using testing::FormOf;

// Answers STS AssumeRoleWithWebIdentity with credentials whose key id is "ASIA" + the session name.
Result<HttpResponse> StsWebIdentityReply(const HttpRequest& request) {
  const auto form = FormOf(request);
  HttpResponse response;
  response.status = 200;
  response.body =
      "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
      "<AccessKeyId>ASIA" +
      form.at("RoleSessionName") +
      "</AccessKeyId><SecretAccessKey>web-secret</SecretAccessKey><SessionToken>web-token</SessionToken>"
      "<Expiration>2026-01-01T06:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
      "</AssumeRoleWithWebIdentityResponse>";
  return response;
}

TEST(EnvironmentCredentials, ReadsKeySecretAndSessionToken) {
  EnvironmentCredentialsProvider provider(FixedEnv({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                                    {"AWS_SECRET_ACCESS_KEY", "env-secret"},
                                                    {"AWS_SESSION_TOKEN", "env-token"}}));
  Result<Credentials> c = provider.Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDENV");
  EXPECT_EQ(c->secret_access_key, "env-secret");
  EXPECT_EQ(c->session_token, "env-token");
  EXPECT_FALSE(c->expires());
  EXPECT_EQ(c->source, "environment");
}

TEST(EnvironmentCredentials, SessionTokenIsOptional) {
  EnvironmentCredentialsProvider provider(
      FixedEnv({{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "env-secret"}}));
  Result<Credentials> c = provider.Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->session_token, "");
}

TEST(EnvironmentCredentials, LegacySecurityTokenIsUsedWhenSessionTokenIsUnset) {
  EnvironmentCredentialsProvider provider(FixedEnv({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                                    {"AWS_SECRET_ACCESS_KEY", "s"},
                                                    {"AWS_SECURITY_TOKEN", "legacy-token"}}));
  EXPECT_EQ(provider.Get()->session_token, "legacy-token");
}

TEST(EnvironmentCredentials, ExpirationComesFromAwsCredentialExpiration) {
  EnvironmentCredentialsProvider provider(FixedEnv({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                                    {"AWS_SECRET_ACCESS_KEY", "s"},
                                                    {"AWS_CREDENTIAL_EXPIRATION", "2026-03-01T00:00:00Z"}}));
  EXPECT_EQ(provider.Get()->expiration, *ParseTime("2026-03-01T00:00:00Z"));
}

TEST(EnvironmentCredentials, NotFoundWhenTheAccessKeyIsUnsetOrEmpty) {
  EXPECT_EQ(EnvironmentCredentialsProvider(FixedEnv({})).Get().status().code(), StatusCode::kNotFound);
  EXPECT_EQ(
      EnvironmentCredentialsProvider(FixedEnv({{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", "s"}}))
          .Get()
          .status()
          .code(),
      StatusCode::kNotFound);
}

TEST(EnvironmentCredentials, AccessKeyWithoutSecretIsAnErrorNamingTheMissingVariable) {
  Result<Credentials> c = EnvironmentCredentialsProvider(FixedEnv({{"AWS_ACCESS_KEY_ID", "AKIDENV"}})).Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

class WebIdentityTest : public ::testing::Test {
 protected:
  WebIdentityTest()
      : environment_(*AwsEnvironment::FromConfig(
            FixedEnv({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", "http://127.0.0.1:4566"}}), {})) {
    transport_.set_handler(StsWebIdentityReply);
  }

  std::unique_ptr<WebIdentityCredentialsProvider> FromEnv(std::map<std::string, std::string> env) {
    return WebIdentityCredentialsProvider::FromEnv(FixedEnv(std::move(env)), sts_, clock_);
  }

  testing::TempDir dir_;
  FakeTransport transport_;
  FakeClock clock_{*ParseTime("2026-01-01T00:00:00Z")};
  FakeSleeper sleeper_{clock_};
  SeededRandom random_{1};
  AwsEnvironment environment_;
  StsFactory sts_ = MakeStsFactory(transport_, environment_, clock_, random_, sleeper_);
};

TEST_F(WebIdentityTest, NotFoundUnlessTokenFileAndRoleArnAreBothSet) {
  const std::string file = dir_.Write("token", "jwt");
  EXPECT_EQ(FromEnv({})->Get().status().code(), StatusCode::kNotFound);
  EXPECT_EQ(FromEnv({{"AWS_WEB_IDENTITY_TOKEN_FILE", file}})->Get().status().code(), StatusCode::kNotFound);
  EXPECT_EQ(FromEnv({{"AWS_ROLE_ARN", "arn:aws:iam::1:role/R"}})->Get().status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(WebIdentityTest, ExchangesTheTokenInTheFileWithAnUnsignedStsCall) {
  const std::string file = dir_.Write("token", "eyJ.first.sig\n");
  auto provider = FromEnv({{"AWS_WEB_IDENTITY_TOKEN_FILE", file},
                           {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/R"},
                           {"AWS_ROLE_SESSION_NAME", "pod-1"}});
  Result<Credentials> c = provider->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIApod-1");
  EXPECT_EQ(c->secret_access_key, "web-secret");
  EXPECT_EQ(c->session_token, "web-token");
  EXPECT_EQ(c->expiration, *ParseTime("2026-01-01T06:00:00Z"));
  const HttpRequest sent = transport_.requests().at(0);
  EXPECT_EQ(FindHeader(sent.headers, "Authorization"), nullptr);
  const auto form = FormOf(sent);
  EXPECT_EQ(form.at("Action"), "AssumeRoleWithWebIdentity");
  EXPECT_EQ(form.at("RoleArn"), "arn:aws:iam::123456789012:role/R");
  EXPECT_EQ(form.at("WebIdentityToken"), "eyJ.first.sig");  // the trailing newline is not part of the token
}

TEST_F(WebIdentityTest, TheTokenFileIsReadAgainOnEveryGet) {
  const std::string file = dir_.Write("token", "token-one");
  auto provider =
      FromEnv({{"AWS_WEB_IDENTITY_TOKEN_FILE", file}, {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/R"}});
  ASSERT_TRUE(provider->Get().ok());
  dir_.Write("token", "token-two");
  ASSERT_TRUE(provider->Get().ok());
  ASSERT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(FormOf(transport_.requests()[0]).at("WebIdentityToken"), "token-one");
  EXPECT_EQ(FormOf(transport_.requests()[1]).at("WebIdentityToken"), "token-two");
}

TEST_F(WebIdentityTest, SessionNameIsGeneratedWhenUnset) {
  const std::string file = dir_.Write("token", "jwt");
  auto provider =
      FromEnv({{"AWS_WEB_IDENTITY_TOKEN_FILE", file}, {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/R"}});
  ASSERT_TRUE(provider->Get().ok());
  EXPECT_EQ(FormOf(transport_.requests().at(0)).at("RoleSessionName"),
            "glueguard-" + std::to_string(ToUnixMillis(clock_.Now())));
}

TEST_F(WebIdentityTest, MissingTokenFileIsAnErrorNamingTheFile) {
  auto provider = FromEnv({{"AWS_WEB_IDENTITY_TOKEN_FILE", dir_.File("absent")},
                           {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/R"}});
  Result<Credentials> c = provider->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(c.status().message().find(dir_.File("absent")), std::string::npos);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(WebIdentityTest, StsRefusalStopsWithContextAndWithoutTheToken) {
  transport_.Push(
      400,
      "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad token</Message></Error>"
      "<RequestId>r</RequestId></ErrorResponse>");
  const std::string file = dir_.Write("token", "secret-jwt-value");
  auto provider =
      FromEnv({{"AWS_WEB_IDENTITY_TOKEN_FILE", file}, {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/R"}});
  Result<Credentials> c = provider->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(c.status().reason(), "InvalidIdentityToken");
  EXPECT_NE(c.status().message().find("arn:aws:iam::123456789012:role/R"), std::string::npos);
  EXPECT_EQ(c.status().message().find("secret-jwt-value"), std::string::npos);
}

}  // namespace
}  // namespace glueguard
