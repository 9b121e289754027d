#include "aws/credentials_chain.h"

#include <gtest/gtest.h>

#include <deque>
#include <thread>

#include "net/fake_transport.h"
#include "net/url.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

Credentials Expiring(const std::string& key, Time expiration) {
  return Credentials{key, "secret-" + key, "token-" + key, expiration, "scripted"};
}

// Answers from a script, then repeats the last answer; counts calls. Thread-safe.
class ScriptedProvider final : public CredentialsProvider {
 public:
  explicit ScriptedProvider(std::deque<Result<Credentials>> script) : script_(std::move(script)) {}
  Result<Credentials> Get() override {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_;
    Result<Credentials> next = script_.front();
    if (script_.size() > 1) script_.pop_front();
    return next;
  }
  int calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::deque<Result<Credentials>> script_;
  int calls_ = 0;
};

// ---- ChainCredentialsProvider

std::vector<ChainCredentialsProvider::Link> Links(
    std::vector<std::pair<std::string, ScriptedProvider*>>& out,
    const std::vector<std::pair<std::string, Result<Credentials>>>& answers) {
  std::vector<ChainCredentialsProvider::Link> links;
  for (const auto& [name, answer] : answers) {
    auto provider = std::make_unique<ScriptedProvider>(std::deque<Result<Credentials>>{answer});
    out.emplace_back(name, provider.get());
    links.push_back({name, std::move(provider)});
  }
  return links;
}

TEST(ChainCredentials, SkipsNotFoundAndReturnsTheFirstCredentials) {
  std::vector<std::pair<std::string, ScriptedProvider*>> providers;
  ChainCredentialsProvider chain(Links(providers, {{"first", Status::NotFound("nothing here")},
                                                   {"second", Expiring("AKID2", Time{})},
                                                   {"third", Expiring("AKID3", Time{})}}));
  Result<Credentials> c = chain.Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKID2");
  EXPECT_EQ(providers[0].second->calls(), 1);
  EXPECT_EQ(providers[2].second->calls(), 0);
}

TEST(ChainCredentials, StopsAtTheFirstErrorThatIsNotNotFound) {
  std::vector<std::pair<std::string, ScriptedProvider*>> providers;
  ChainCredentialsProvider chain(Links(providers, {{"environment", Status::NotFound("unset")},
                                                   {"profile p", Status::InvalidArgument("broken profile")},
                                                   {"container", Expiring("AKID3", Time{})}}));
  Result<Credentials> c = chain.Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("profile p"), std::string::npos);
  EXPECT_NE(c.status().message().find("broken profile"), std::string::npos);
  EXPECT_EQ(providers[2].second->calls(), 0);
}

TEST(ChainCredentials, NothingFoundListsEverySourceTried) {
  std::vector<std::pair<std::string, ScriptedProvider*>> providers;
  ChainCredentialsProvider chain(
      Links(providers, {{"environment", Status::NotFound("AWS_ACCESS_KEY_ID unset")},
                        {"instance metadata", Status::NotFound("disabled")}}));
  Result<Credentials> c = chain.Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_NE(c.status().message().find("environment (AWS_ACCESS_KEY_ID unset)"), std::string::npos);
  EXPECT_NE(c.status().message().find("instance metadata (disabled)"), std::string::npos);
}

// ---- CachingCredentialsProvider

class CachingCredentialsTest : public ::testing::Test {
 protected:
  FakeClock clock_{*ParseTime("2026-01-01T00:00:00Z")};
  Time In(Duration d) const { return clock_.Now() + d; }
};

TEST_F(CachingCredentialsTest, CredentialsWithoutExpirationAreFetchedOnce) {
  auto inner = std::make_unique<ScriptedProvider>(std::deque<Result<Credentials>>{Expiring("AKID", Time{})});
  ScriptedProvider& scripted = *inner;
  CachingCredentialsProvider cache(std::move(inner), clock_);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(cache.Get().ok());
    clock_.Advance(std::chrono::hours(24));
  }
  EXPECT_EQ(scripted.calls(), 1);
}

TEST_F(CachingCredentialsTest, RefreshesOnceFifteenMinutesOrLessRemain) {
  auto inner = std::make_unique<ScriptedProvider>(std::deque<Result<Credentials>>{
      Expiring("OLD", In(std::chrono::hours(1))), Expiring("NEW", In(std::chrono::hours(2)))});
  ScriptedProvider& scripted = *inner;
  CachingCredentialsProvider cache(std::move(inner), clock_);
  EXPECT_EQ(cache.Get()->access_key_id, "OLD");
  clock_.Advance(minutes(44) + seconds(59));
  EXPECT_EQ(cache.Get()->access_key_id, "OLD");
  EXPECT_EQ(scripted.calls(), 1);
  clock_.Advance(seconds(1));  // exactly 15 minutes left
  EXPECT_EQ(cache.Get()->access_key_id, "NEW");
  EXPECT_EQ(scripted.calls(), 2);
  EXPECT_EQ(cache.Get()->access_key_id, "NEW");
  EXPECT_EQ(scripted.calls(), 2);
}

TEST_F(CachingCredentialsTest, FailedRefreshKeepsCredentialsThatAreStillValid) {
  auto inner = std::make_unique<ScriptedProvider>(std::deque<Result<Credentials>>{
      Expiring("OLD", In(std::chrono::hours(1))), Status::Unavailable("sts is down")});
  ScriptedProvider& scripted = *inner;
  CachingCredentialsProvider cache(std::move(inner), clock_);
  ASSERT_TRUE(cache.Get().ok());
  clock_.Advance(minutes(50));
  Result<Credentials> c = cache.Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "OLD");
  EXPECT_EQ(scripted.calls(), 2);
  EXPECT_TRUE(cache.Get().ok());  // not asked again right away
  EXPECT_EQ(scripted.calls(), 2);
  clock_.Advance(CachingCredentialsProvider::kRetryInterval);
  EXPECT_TRUE(cache.Get().ok());
  EXPECT_EQ(scripted.calls(), 3);
}

TEST_F(CachingCredentialsTest, FailedRefreshAfterExpiryIsReturned) {
  auto inner = std::make_unique<ScriptedProvider>(std::deque<Result<Credentials>>{
      Expiring("OLD", In(std::chrono::hours(1))), Status::Unavailable("sts is down")});
  CachingCredentialsProvider cache(std::move(inner), clock_);
  ASSERT_TRUE(cache.Get().ok());
  clock_.Advance(std::chrono::hours(1));
  Result<Credentials> c = cache.Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
}

TEST_F(CachingCredentialsTest, ErrorsAreNotCached) {
  auto inner = std::make_unique<ScriptedProvider>(
      std::deque<Result<Credentials>>{Status::Unavailable("not yet"), Expiring("AKID", Time{})});
  CachingCredentialsProvider cache(std::move(inner), clock_);
  EXPECT_FALSE(cache.Get().ok());
  EXPECT_TRUE(cache.Get().ok());
}

TEST_F(CachingCredentialsTest, CredentialsArrivingInsideTheWindowAreNotFetchedOnEveryCall) {
  auto inner =
      std::make_unique<ScriptedProvider>(std::deque<Result<Credentials>>{Expiring("SHORT", In(minutes(10)))});
  ScriptedProvider& scripted = *inner;
  CachingCredentialsProvider cache(std::move(inner), clock_);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(cache.Get()->access_key_id, "SHORT");
  EXPECT_EQ(scripted.calls(), 1);
  clock_.Advance(CachingCredentialsProvider::kRetryInterval);
  EXPECT_TRUE(cache.Get().ok());
  EXPECT_EQ(scripted.calls(), 2);
}

TEST_F(CachingCredentialsTest, ConcurrentCallersShareOneFetch) {
  auto inner = std::make_unique<ScriptedProvider>(
      std::deque<Result<Credentials>>{Expiring("AKID", In(std::chrono::hours(1)))});
  ScriptedProvider& scripted = *inner;
  CachingCredentialsProvider cache(std::move(inner), clock_);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 100; ++j) ok += cache.Get().ok() ? 1 : 0;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 800);
  EXPECT_EQ(scripted.calls(), 1);
}

// ---- MakeDefaultCredentialsChain

class DefaultChainTest : public ::testing::Test {
 protected:
  // Builds the chain over `env` (plus a region and a local STS endpoint) and the given file texts.
  Result<std::unique_ptr<CredentialsProvider>> Build(std::map<std::string, std::string> env,
                                                     const std::string& config = "",
                                                     const std::string& credentials = "") {
    env.emplace("AWS_REGION", "us-east-1");
    env.emplace("AWS_ENDPOINT_URL", "http://127.0.0.1:4566");
    Result<SharedConfig> parsed = SharedConfig::Parse(config, credentials);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    if (auto p = env.find("AWS_PROFILE"); p != env.end()) parsed->set_profile(p->second);
    environment_ = std::make_unique<AwsEnvironment>(*AwsEnvironment::FromConfig(FixedEnv(env), *parsed));
    return MakeDefaultCredentialsChain(*environment_, transport_,
                                       MakeStsFactory(transport_, *environment_, clock_, random_, sleeper_),
                                       clock_, sleeper_);
  }

  std::string AccessKeyFrom(std::map<std::string, std::string> env, const std::string& config = "",
                            const std::string& credentials = "") {
    auto chain = Build(std::move(env), config, credentials);
    if (!chain.ok()) return "build failed: " + chain.status().ToString();
    Result<Credentials> c = (*chain)->Get();
    if (!c.ok()) return "get failed: " + c.status().ToString();
    return c->access_key_id;
  }

  // Answers every request the way the service at its URL would: STS, the container endpoint, IMDS.
  void ServeEverything() {
    transport_.set_handler([](const HttpRequest& request) -> Result<HttpResponse> {
      HttpResponse response;
      response.status = 200;
      if (request.url.starts_with("http://127.0.0.1:4566")) {
        response.body =
            "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
            "<AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t"
            "</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
            "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
      } else if (request.url.starts_with("http://169.254.170.2")) {
        response.body = R"({"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"s","Token":"t",)"
                        R"("Expiration":"2099-01-01T00:00:00Z"})";
      } else if (request.url == "http://169.254.169.254/latest/api/token") {
        response.body = "imds-token";
      } else if (request.url == "http://169.254.169.254/latest/meta-data/iam/security-credentials/") {
        response.body = "InstanceRole";
      } else if (request.url ==
                 "http://169.254.169.254/latest/meta-data/iam/security-credentials/InstanceRole") {
        response.body = R"({"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":"s","Token":"t",)"
                        R"("Expiration":"2099-01-01T00:00:00Z"})";
      } else {
        response.status = 404;
      }
      return response;
    });
  }

  testing::TempDir dir_;
  FakeTransport transport_;
  FakeClock clock_{*ParseTime("2026-01-01T00:00:00Z")};
  FakeSleeper sleeper_{clock_};
  SeededRandom random_{1};
  std::unique_ptr<AwsEnvironment> environment_;
};

constexpr const char* kStaticProfile =
    "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = p\n";

TEST_F(DefaultChainTest, EnvironmentWinsOverProfile) {
  ServeEverything();
  EXPECT_EQ(
      AccessKeyFrom({{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "e"}}, "", kStaticProfile),
      "AKIDENV");
}

TEST_F(DefaultChainTest, ProfileWinsOverWebIdentityContainerAndInstanceMetadata) {
  ServeEverything();
  const std::string token = dir_.Write("token", "jwt");
  EXPECT_EQ(AccessKeyFrom({{"AWS_WEB_IDENTITY_TOKEN_FILE", token},
                           {"AWS_ROLE_ARN", "arn:aws:iam::1:role/R"},
                           {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds"}},
                          "", kStaticProfile),
            "AKIDPROFILE");
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(DefaultChainTest, WebIdentityWinsOverContainer) {
  ServeEverything();
  const std::string token = dir_.Write("token", "jwt");
  EXPECT_EQ(AccessKeyFrom({{"AWS_WEB_IDENTITY_TOKEN_FILE", token},
                           {"AWS_ROLE_ARN", "arn:aws:iam::1:role/R"},
                           {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds"}}),
            "ASIAWEB");
}

TEST_F(DefaultChainTest, ContainerWinsOverInstanceMetadata) {
  ServeEverything();
  EXPECT_EQ(AccessKeyFrom({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds"}}), "ASIACONTAINER");
  EXPECT_EQ(transport_.requests().at(0).url, "http://169.254.170.2/v2/creds");
}

TEST_F(DefaultChainTest, InstanceMetadataIsTheLastResort) {
  ServeEverything();
  EXPECT_EQ(AccessKeyFrom({}), "ASIAIMDS");
}

TEST_F(DefaultChainTest, NothingConfiguredListsEverySourceTried) {
  transport_.set_handler([](const HttpRequest&) -> Result<HttpResponse> {
    return Status(StatusCode::kDeadlineExceeded, "timed out").WithReason("Timeout");
  });
  auto chain = Build({});
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  Result<Credentials> c = (*chain)->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  for (const char* source :
       {"environment", "profile default", "web identity", "container", "instance metadata"}) {
    EXPECT_NE(c.status().message().find(source), std::string::npos)
        << source << " in " << c.status().message();
  }
}

TEST_F(DefaultChainTest, BrokenProfileStopsTheChain) {
  ServeEverything();
  const std::string result = AccessKeyFrom({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds"}}, "",
                                           "[default]\naws_access_key_id = AKIDPROFILE\n");
  EXPECT_NE(result.find("invalid_argument"), std::string::npos) << result;
  EXPECT_NE(result.find("aws_secret_access_key"), std::string::npos) << result;
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(DefaultChainTest, ExplicitlyNamedProfileThatDoesNotExistIsAnError) {
  ServeEverything();
  const std::string result = AccessKeyFrom({{"AWS_PROFILE", "typo"}}, "", kStaticProfile);
  EXPECT_NE(result.find("invalid_argument"), std::string::npos) << result;
  EXPECT_NE(result.find("typo"), std::string::npos) << result;
}

TEST_F(DefaultChainTest, ProfileNamedByAwsProfileIsUsed) {
  EXPECT_EQ(AccessKeyFrom({{"AWS_PROFILE", "work"}}, "",
                          std::string(kStaticProfile) +
                              "[work]\naws_access_key_id = AKIDWORK\naws_secret_access_key = w\n"),
            "AKIDWORK");
}

TEST_F(DefaultChainTest, DisabledInstanceMetadataIsNotAsked) {
  ServeEverything();
  auto chain = Build({{"AWS_EC2_METADATA_DISABLED", "true"}});
  ASSERT_TRUE(chain.ok());
  EXPECT_EQ((*chain)->Get().status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(DefaultChainTest, DisallowedContainerUriFailsToBuild) {
  auto chain = Build({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://evil.example.com/creds"}});
  ASSERT_FALSE(chain.ok());
  EXPECT_EQ(chain.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(DefaultChainTest, CredentialsAreCachedUntilCloseToExpiry) {
  ServeEverything();
  auto chain = Build({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds"}});
  ASSERT_TRUE(chain.ok());
  ASSERT_TRUE((*chain)->Get().ok());
  clock_.Advance(std::chrono::hours(24));
  ASSERT_TRUE((*chain)->Get().ok());
  EXPECT_EQ(transport_.requests().size(), 1u);
}

}  // namespace
}  // namespace glueguard
