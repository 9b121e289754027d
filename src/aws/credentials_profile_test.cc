#include "aws/credentials_profile.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "aws/credentials_process.h"
#include "net/fake_transport.h"
#include "net/url.h"
#include "testing/form.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

using testing::FormOf;

// The access key id a request was signed with ("" when unsigned).
std::string SigningKey(const HttpRequest& request) {
  const std::string* authorization = FindHeader(request.headers, "Authorization");
  if (authorization == nullptr) return "";
  const size_t start = authorization->find("Credential=") + 11;
  return authorization->substr(start, authorization->find('/', start) - start);
}

// Answers STS AssumeRole / AssumeRoleWithWebIdentity with key id "ASIA" + the role's name.
Result<HttpResponse> StsReply(const HttpRequest& request) {
  const auto form = FormOf(request);
  const std::string& action = form.at("Action");
  const std::string& arn = form.at("RoleArn");
  HttpResponse response;
  response.status = 200;
  response.body =
      "<" + action + "Response><" + action + "Result><Credentials><AccessKeyId>ASIA" +
      arn.substr(arn.rfind('/') + 1) +
      "</AccessKeyId><SecretAccessKey>role-secret</SecretAccessKey><SessionToken>role-token"
      "</SessionToken><Expiration>2026-01-01T01:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>" +
      arn + "</Arn></AssumedRoleUser></" + action + "Result></" + action + "Response>";
  return response;
}

class ProfileCredentialsTest : public ::testing::Test {
 protected:
  ProfileCredentialsTest()
      : environment_(*AwsEnvironment::FromConfig(
            FixedEnv({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", "http://127.0.0.1:4566"}}), {})) {
    transport_.set_handler(StsReply);
  }

  Result<Credentials> Get(const std::string& profile, const std::string& config,
                          const std::string& credentials = "", ProfileCredentialsOptions options = {}) {
    Result<SharedConfig> parsed = SharedConfig::Parse(config, credentials);
    if (!parsed.ok()) return parsed.status();
    config_ = std::move(*parsed);
    ProfileCredentialsProvider provider(config_, profile, sts_, clock_, options);
    return provider.Get();
  }

  // Writes an executable shell script and returns its path.
  std::string Script(const std::string& name, const std::string& body) {
    std::string path = dir_.Write(name, "#!/bin/sh\n" + body);
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return path;
  }

  testing::TempDir dir_;
  FakeTransport transport_;
  FakeClock clock_{*ParseTime("2026-01-01T00:00:00Z")};
  FakeSleeper sleeper_{clock_};
  SeededRandom random_{1};
  AwsEnvironment environment_;
  SharedConfig config_;
  StsFactory sts_ = MakeStsFactory(transport_, environment_, clock_, random_, sleeper_);
};

TEST_F(ProfileCredentialsTest, StaticKeysWithSessionToken) {
  Result<Credentials> c = Get("default", "",
                              "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = file-secret\n"
                              "aws_session_token = file-token\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDFILE");
  EXPECT_EQ(c->secret_access_key, "file-secret");
  EXPECT_EQ(c->session_token, "file-token");
  EXPECT_EQ(c->source, "profile default");
}

TEST_F(ProfileCredentialsTest, StaticKeysMayComeFromTheConfigFile) {
  Result<Credentials> c =
      Get("dev", "[profile dev]\naws_access_key_id = AKIDCONF\naws_secret_access_key = s\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDCONF");
  EXPECT_EQ(c->session_token, "");
}

TEST_F(ProfileCredentialsTest, KeyWithoutSecretIsAnErrorNamingTheProfile) {
  Result<Credentials> c = Get("dev", "", "[dev]\naws_access_key_id = AKIDFILE\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("profile dev"), std::string::npos);
  EXPECT_NE(c.status().message().find("aws_secret_access_key"), std::string::npos);
}

TEST_F(ProfileCredentialsTest, ProfileWithoutCredentialKeysIsNotFound) {
  EXPECT_EQ(Get("default", "[default]\nregion = eu-west-1\n").status().code(), StatusCode::kNotFound);
}

TEST_F(ProfileCredentialsTest, MissingProfileIsNotFoundUnlessNamedExplicitly) {
  EXPECT_EQ(Get("default", "").status().code(), StatusCode::kNotFound);
  Result<Credentials> c = Get("typo", "", "", {.profile_named_explicitly = true});
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("typo"), std::string::npos);
}

TEST_F(ProfileCredentialsTest, AssumeRoleIsSignedWithTheSourceProfilesCredentials) {
  Result<Credentials> c = Get("dev",
                              "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/Deploy\n"
                              "source_profile = base\nrole_session_name = me\nexternal_id = ext-1\n"
                              "duration_seconds = 1800\n",
                              "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIADeploy");
  EXPECT_EQ(c->session_token, "role-token");
  EXPECT_EQ(c->expiration, *ParseTime("2026-01-01T01:00:00Z"));
  EXPECT_NE(c->source.find("arn:aws:iam::123456789012:role/Deploy"), std::string::npos);
  ASSERT_EQ(transport_.requests().size(), 1u);
  const HttpRequest sent = transport_.requests()[0];
  EXPECT_EQ(SigningKey(sent), "AKIDBASE");
  const auto form = FormOf(sent);
  EXPECT_EQ(form.at("Action"), "AssumeRole");
  EXPECT_EQ(form.at("RoleSessionName"), "me");
  EXPECT_EQ(form.at("ExternalId"), "ext-1");
  EXPECT_EQ(form.at("DurationSeconds"), "1800");
}

TEST_F(ProfileCredentialsTest, RoleSessionNameIsGeneratedWhenUnset) {
  ASSERT_TRUE(Get("dev", "[profile dev]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = base\n",
                  "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n")
                  .ok());
  EXPECT_EQ(FormOf(transport_.requests().at(0)).at("RoleSessionName"),
            "glueguard-" + std::to_string(ToUnixMillis(clock_.Now())));
  EXPECT_EQ(FormOf(transport_.requests().at(0)).count("ExternalId"), 0u);
}

TEST_F(ProfileCredentialsTest, RolesChainThroughSourceProfiles) {
  Result<Credentials> c =
      Get("outer",
          "[profile outer]\nrole_arn = arn:aws:iam::1:role/Outer\nsource_profile = middle\n"
          "[profile middle]\nrole_arn = arn:aws:iam::1:role/Middle\nsource_profile = base\n",
          "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIAOuter");
  ASSERT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(FormOf(transport_.requests()[0]).at("RoleArn"), "arn:aws:iam::1:role/Middle");
  EXPECT_EQ(SigningKey(transport_.requests()[0]), "AKIDBASE");
  EXPECT_EQ(FormOf(transport_.requests()[1]).at("RoleArn"), "arn:aws:iam::1:role/Outer");
  EXPECT_EQ(SigningKey(transport_.requests()[1]), "ASIAMiddle");
}

TEST_F(ProfileCredentialsTest, ProfileMayBeItsOwnSourceProfile) {
  Result<Credentials> c = Get("self", "",
                              "[self]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = self\n"
                              "aws_access_key_id = AKIDSELF\naws_secret_access_key = s\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIAR");
  EXPECT_EQ(SigningKey(transport_.requests().at(0)), "AKIDSELF");
}

TEST_F(ProfileCredentialsTest, SourceProfileCycleIsAnErrorListingIt) {
  Result<Credentials> c = Get("a",
                              "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n"
                              "[profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = a\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("a -> b -> a"), std::string::npos) << c.status().message();
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(ProfileCredentialsTest, MissingSourceProfileIsAnError) {
  Result<Credentials> c = Get("a", "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = gone\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("gone"), std::string::npos);
}

TEST_F(ProfileCredentialsTest, SourceProfileWithoutCredentialsIsAnErrorNotNotFound) {
  Result<Credentials> c = Get("a",
                              "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = empty\n"
                              "[profile empty]\nregion = us-east-1\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ProfileCredentialsTest, RoleArnWithoutASourceIsAnError) {
  EXPECT_EQ(Get("a", "[profile a]\nrole_arn = arn:aws:iam::1:role/A\n").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      Get("a", "[profile a]\nrole_arn = arn:aws:iam::1:role/A\ncredential_source = Ec2InstanceMetadata\n")
          .status()
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(Get("a",
                "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\nmfa_serial = arn:mfa\n"
                "[profile b]\naws_access_key_id = K\naws_secret_access_key = S\n")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ProfileCredentialsTest, MalformedDurationSecondsIsAnError) {
  Result<Credentials> c =
      Get("a",
          "[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n"
          "duration_seconds = 1h\n[profile b]\naws_access_key_id = K\naws_secret_access_key = S\n");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("duration_seconds"), std::string::npos);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(ProfileCredentialsTest, AssumeRoleRefusalNamesTheProfileButNoSecret) {
  transport_.Push(403,
                  "<ErrorResponse><Error><Code>AccessDenied</Code><Message>not allowed</Message></Error>"
                  "<RequestId>r</RequestId></ErrorResponse>");
  Result<Credentials> c =
      Get("dev", "[profile dev]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = base\n",
          "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(c.status().message().find("profile dev"), std::string::npos);
  EXPECT_EQ(c.status().message().find("base-secret"), std::string::npos);
}

TEST_F(ProfileCredentialsTest, RoleArnWithWebIdentityTokenFileIsUnsigned) {
  const std::string token = dir_.Write("token", "profile-jwt");
  Result<Credentials> c = Get(
      "eks", "[profile eks]\nrole_arn = arn:aws:iam::1:role/Pod\nweb_identity_token_file = " + token + "\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIAPod");
  const HttpRequest sent = transport_.requests().at(0);
  EXPECT_EQ(SigningKey(sent), "");
  EXPECT_EQ(FormOf(sent).at("Action"), "AssumeRoleWithWebIdentity");
  EXPECT_EQ(FormOf(sent).at("WebIdentityToken"), "profile-jwt");
}

// ---- credential_process

TEST_F(ProfileCredentialsTest, CredentialProcessOutputIsParsed) {
  const std::string script = Script("creds.sh", R"(echo '{"Version": 1, "AccessKeyId": "'"$1"'",
  "SecretAccessKey": "process-secret", "SessionToken": "process-token", "Expiration": "2026-01-01T02:00:00Z"}'
)");
  Result<Credentials> c = Get("tool", "[profile tool]\ncredential_process = " + script + " AKIDPROCESS\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDPROCESS");
  EXPECT_EQ(c->secret_access_key, "process-secret");
  EXPECT_EQ(c->session_token, "process-token");
  EXPECT_EQ(c->expiration, *ParseTime("2026-01-01T02:00:00Z"));
  EXPECT_EQ(c->source, "credential_process of profile tool");
}

TEST_F(ProfileCredentialsTest, CredentialProcessRunsThroughTheShell) {
  Result<Credentials> c =
      Get("tool",
          "[profile tool]\ncredential_process = printf '%s' "
          "'{\"Version\":1,\"AccessKeyId\":\"AKIDSH\",\"SecretAccessKey\":\"s\"}' | cat\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDSH");
  EXPECT_FALSE(c->expires());
}

TEST_F(ProfileCredentialsTest, StaticKeysWinOverCredentialProcess) {
  Result<Credentials> c = Get("both",
                              "[profile both]\naws_access_key_id = AKIDSTATIC\naws_secret_access_key = s\n"
                              "credential_process = false\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIDSTATIC");
}

TEST_F(ProfileCredentialsTest, CredentialProcessFailureNamesTheProfileButNotTheOutput) {
  const std::string script = Script(
      "fail.sh", R"(echo '{"Version":1,"AccessKeyId":"AKIDLEAK","SecretAccessKey":"leaked-secret"}'; exit 3
)");
  Result<Credentials> c =
      Get("tool", "[profile tool]\ncredential_process = " + script + " --password hunter2\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(c.status().message().find("profile tool"), std::string::npos);
  EXPECT_NE(c.status().message().find("status 3"), std::string::npos) << c.status().message();
  EXPECT_EQ(c.status().message().find("leaked-secret"), std::string::npos);
  EXPECT_EQ(c.status().message().find("hunter2"), std::string::npos);
}

TEST_F(ProfileCredentialsTest, CredentialProcessWithBadJsonIsAnError) {
  Result<Credentials> c = Get("tool", "[profile tool]\ncredential_process = echo not-json-secret\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("profile tool"), std::string::npos);
  EXPECT_EQ(c.status().message().find("not-json-secret"), std::string::npos);
}

TEST(CredentialProcess, OutputMustBeVersionOneWithKeyAndSecret) {
  EXPECT_TRUE(
      ParseCredentialProcessOutput(R"({"Version":1,"AccessKeyId":"K","SecretAccessKey":"S"})", "p").ok());
  EXPECT_FALSE(
      ParseCredentialProcessOutput(R"({"Version":2,"AccessKeyId":"K","SecretAccessKey":"S"})", "p").ok());
  EXPECT_FALSE(ParseCredentialProcessOutput(R"({"AccessKeyId":"K","SecretAccessKey":"S"})", "p").ok());
  Result<Credentials> no_secret = ParseCredentialProcessOutput(R"({"Version":1,"AccessKeyId":"K"})", "p");
  ASSERT_FALSE(no_secret.ok());
  EXPECT_NE(no_secret.status().message().find("SecretAccessKey"), std::string::npos);
  EXPECT_FALSE(ParseCredentialProcessOutput(R"([1])", "p").ok());
  EXPECT_FALSE(ParseCredentialProcessOutput("", "p").ok());
}

TEST(CredentialProcess, CommandThatCannotBeFoundIsAnError) {
  Result<Credentials> c = RunCredentialProcess("/nonexistent/glueguard-helper", "p");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(c.status().message().find("status 127"), std::string::npos) << c.status().message();
}

TEST(CredentialProcess, CommandRunningPastTheTimeoutIsKilled) {
  const auto started = std::chrono::steady_clock::now();
  Result<Credentials> c = RunCredentialProcess("exec sleep 30", "slow", std::chrono::milliseconds(100));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(c.status().message().find("did not finish within"), std::string::npos) << c.status().message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

}  // namespace
}  // namespace glueguard
