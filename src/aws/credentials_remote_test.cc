// The container and instance-metadata providers, against a real HTTP server on loopback (cpp-httplib, port
// chosen by the kernel) through CurlTransport, plus a few rules checked with FakeTransport.
#include "aws/credentials_remote.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include "testing/loopback_server.h"

#include <mutex>
#include <thread>

#include "net/curl_transport.h"
#include "net/fake_transport.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

constexpr const char* kCredentialsJson =
    R"({"AccessKeyId":"ASIAREMOTE","SecretAccessKey":"remote-secret","Token":"remote-token",)"
    R"("Expiration":"2099-11-23T14:00:00Z"})";

using testing::LoopbackServer;

// What the server saw: one line per request, "METHOD path header=value". Thread-safe.
class RequestLog {
 public:
  void Add(std::string line) {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.push_back(std::move(line));
  }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

// ---- container

class ContainerCredentialsTest : public ::testing::Test {
 protected:
  Result<Credentials> GetWith(std::map<std::string, std::string> env) {
    auto provider = ContainerCredentialsProvider::FromEnv(FixedEnv(std::move(env)), transport_, sleeper_);
    if (!provider.ok()) return provider.status();
    return (*provider)->Get();
  }

  LoopbackServer loopback_;
  RequestLog log_;
  CurlTransport transport_;
  FakeClock clock_;
  FakeSleeper sleeper_{clock_};
  testing::TempDir dir_;
};

TEST_F(ContainerCredentialsTest, FullUriOnLoopbackGetsCredentialsWithTheAuthorizationToken) {
  loopback_.server().Get("/creds", [&](const httplib::Request& req, httplib::Response& res) {
    log_.Add("GET " + req.path + " authorization=" + req.get_header_value("Authorization") +
             " accept=" + req.get_header_value("Accept"));
    res.set_content(kCredentialsJson, "application/json");
  });
  Result<Credentials> c = GetWith({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", loopback_.Url("/creds")},
                                   {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc"}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIAREMOTE");
  EXPECT_EQ(c->secret_access_key, "remote-secret");
  EXPECT_EQ(c->session_token, "remote-token");
  EXPECT_EQ(c->expiration, *ParseTime("2099-11-23T14:00:00Z"));
  EXPECT_EQ(log_.lines(),
            std::vector<std::string>{"GET /creds authorization=Basic abc accept=application/json"});
}

TEST_F(ContainerCredentialsTest, TokenFileWinsOverTheTokenAndIsReadOnEveryGet) {
  loopback_.server().Get("/creds", [&](const httplib::Request& req, httplib::Response& res) {
    log_.Add(req.get_header_value("Authorization"));
    res.set_content(kCredentialsJson, "application/json");
  });
  const std::string file = dir_.Write("token", "pod-token-1\n");
  auto provider = ContainerCredentialsProvider::FromEnv(
      FixedEnv({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", loopback_.Url("/creds")},
                {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-env"},
                {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", file}}),
      transport_, sleeper_);
  ASSERT_TRUE(provider.ok()) << provider.status().ToString();
  ASSERT_TRUE((*provider)->Get().ok());
  dir_.Write("token", "pod-token-2");
  ASSERT_TRUE((*provider)->Get().ok());
  EXPECT_EQ(log_.lines(), (std::vector<std::string>{"pod-token-1", "pod-token-2"}));
}

TEST_F(ContainerCredentialsTest, TokenWithALineBreakIsRefusedBeforeAnyRequest) {
  const std::string file = dir_.Write("token", "a\r\nX-Injected: 1");
  Result<Credentials> c = GetWith({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", loopback_.Url("/creds")},
                                   {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", file}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(c.status().message().find("X-Injected"), std::string::npos);
  EXPECT_TRUE(log_.lines().empty());
}

TEST_F(ContainerCredentialsTest, UnauthorizedIsPermissionDenied) {
  loopback_.server().Get("/creds", [](const httplib::Request&, httplib::Response& res) { res.status = 401; });
  Result<Credentials> c = GetWith({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", loopback_.Url("/creds")}});
  EXPECT_EQ(c.status().code(), StatusCode::kPermissionDenied);
}

TEST_F(ContainerCredentialsTest, ServerErrorsAreTriedThreeTimesOneSecondApart) {
  loopback_.server().Get("/creds", [&](const httplib::Request&, httplib::Response& res) {
    log_.Add("hit");
    res.status = 500;
  });
  Result<Credentials> c = GetWith({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", loopback_.Url("/creds")}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(log_.lines().size(), 3u);
  EXPECT_EQ(sleeper_.waits(), (std::vector<Duration>{std::chrono::seconds(1), std::chrono::seconds(1)}));
}

TEST_F(ContainerCredentialsTest, ServerErrorThenSuccessSucceeds) {
  loopback_.server().Get("/creds", [&](const httplib::Request&, httplib::Response& res) {
    log_.Add("hit");
    if (log_.lines().size() == 1) {
      res.status = 503;
      return;
    }
    res.set_content(kCredentialsJson, "application/json");
  });
  Result<Credentials> c = GetWith({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", loopback_.Url("/creds")}});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(log_.lines().size(), 2u);
}

TEST_F(ContainerCredentialsTest, MalformedReplyIsInternalWithoutItsContent) {
  loopback_.server().Get("/creds", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"AccessKeyId":"ASIAREMOTE","Token":"leaky-token"})", "application/json");
  });
  Result<Credentials> c = GetWith({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", loopback_.Url("/creds")}});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInternal);
  EXPECT_NE(c.status().message().find("SecretAccessKey"), std::string::npos);
  EXPECT_EQ(c.status().message().find("leaky-token"), std::string::npos);
}

TEST(ContainerCredentialsRules, RelativeUriGoesToTheEcsAgentAddress) {
  FakeTransport transport;
  transport.Push(200, kCredentialsJson);
  FakeClock clock;
  FakeSleeper sleeper(clock);
  auto provider = ContainerCredentialsProvider::FromEnv(
      FixedEnv({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"},
                {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/ignored"}}),
      transport, sleeper);
  ASSERT_TRUE(provider.ok());
  ASSERT_TRUE((*provider)->Get().ok());
  EXPECT_EQ(transport.requests().at(0).url, "http://169.254.170.2/v2/credentials/abc");
  EXPECT_EQ(transport.requests().at(0).method, "GET");
  EXPECT_EQ(FindHeader(transport.requests().at(0).headers, "Authorization"), nullptr);
}

TEST(ContainerCredentialsRules, NotFoundWhenNoUriIsSet) {
  FakeTransport transport;
  FakeClock clock;
  FakeSleeper sleeper(clock);
  auto provider = ContainerCredentialsProvider::FromEnv(FixedEnv({}), transport, sleeper);
  ASSERT_TRUE(provider.ok());
  EXPECT_EQ((*provider)->Get().status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(transport.requests().empty());
}

TEST(ContainerCredentialsRules, FullUriHostsAllowed) {
  for (const char* url :
       {"http://169.254.170.2/creds", "http://169.254.170.23/v1/credentials",
        "http://[fd00:ec2::23]/v1/credentials", "http://localhost:8080/c", "http://127.0.0.1:9/c",
        "http://127.1.2.3/c", "http://[::1]:80/c", "https://creds.example.com/c"}) {
    EXPECT_TRUE(IsAllowedContainerCredentialsUrl(url)) << url;
  }
  for (const char* url : {"http://169.254.169.254/c", "http://example.com/c", "http://128.0.0.1/c",
                          "http://127.0.0.1.example.com/c", "http://localhost.evil.com/c",
                          "ftp://127.0.0.1/c", "http://user@example.com/c", "not a url"}) {
    EXPECT_FALSE(IsAllowedContainerCredentialsUrl(url)) << url;
  }
}

// ---- instance metadata

class InstanceMetadataTest : public ::testing::Test {
 protected:
  // Serves IMDS; the token PUT answers `token_status` (200 gives the token "tok-1").
  void ServeImds(int token_status) {
    loopback_.server().Put("/latest/api/token", [this, token_status](const httplib::Request& req,
                                                                     httplib::Response& res) {
      log_.Add("PUT " + req.path + " ttl=" + req.get_header_value("x-aws-ec2-metadata-token-ttl-seconds"));
      res.status = token_status;
      if (token_status == 200) res.set_content("tok-1", "text/plain");
    });
    loopback_.server().Get("/latest/meta-data/iam/security-credentials/(.*)", [this](
                                                                                  const httplib::Request& req,
                                                                                  httplib::Response& res) {
      log_.Add("GET " + req.path + " token=" + req.get_header_value("x-aws-ec2-metadata-token"));
      if (req.matches[1] == "") {
        res.set_content("InstanceRole\n", "text/plain");
      } else if (req.matches[1] == "InstanceRole") {
        res.set_content(R"({"Code":"Success","Type":"AWS-HMAC",)" + std::string(kCredentialsJson).substr(1),
                        "application/json");
      } else {
        res.status = 404;
      }
    });
  }

  Result<Credentials> Get(std::map<std::string, std::string> env = {}) {
    env.emplace("AWS_EC2_METADATA_SERVICE_ENDPOINT", loopback_.Url("/"));
    auto provider =
        InstanceMetadataCredentialsProvider::FromEnv(FixedEnv(std::move(env)), config_, transport_);
    if (!provider.ok()) return provider.status();
    return (*provider)->Get();
  }

  LoopbackServer loopback_;
  RequestLog log_;
  CurlTransport transport_;
  SharedConfig config_;
};

TEST_F(InstanceMetadataTest, ImdsV2PutsForATokenAndSendsItOnEveryGet) {
  ServeImds(200);
  Result<Credentials> c = Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIAREMOTE");
  EXPECT_EQ(c->secret_access_key, "remote-secret");
  EXPECT_EQ(c->session_token, "remote-token");
  EXPECT_EQ(c->expiration, *ParseTime("2099-11-23T14:00:00Z"));
  EXPECT_NE(c->source.find("InstanceRole"), std::string::npos);
  EXPECT_EQ(log_.lines(), (std::vector<std::string>{
                              "PUT /latest/api/token ttl=21600",
                              "GET /latest/meta-data/iam/security-credentials/ token=tok-1",
                              "GET /latest/meta-data/iam/security-credentials/InstanceRole token=tok-1",
                          }));
}

TEST_F(InstanceMetadataTest, TokenRefusedWith403404Or405FallsBackToImdsV1) {
  for (int status : {403, 404, 405}) {
    SCOPED_TRACE(status);
    LoopbackServer fresh;
    loopback_.Stop();
    // Each status gets its own server: rebuild the fixture's state by hand.
    RequestLog log;
    fresh.server().Put("/latest/api/token", [&log, status](const httplib::Request&, httplib::Response& res) {
      log.Add("PUT");
      res.status = status;
    });
    fresh.server().Get("/latest/meta-data/iam/security-credentials/(.*)", [&log](const httplib::Request& req,
                                                                                 httplib::Response& res) {
      log.Add("GET token=" + req.get_header_value("x-aws-ec2-metadata-token") +
              " has_token_header=" + (req.has_header("x-aws-ec2-metadata-token") ? "yes" : "no"));
      if (req.matches[1] == "") {
        res.set_content("InstanceRole", "text/plain");
      } else {
        res.set_content(kCredentialsJson, "application/json");
      }
    });
    auto provider = InstanceMetadataCredentialsProvider::FromEnv(
        FixedEnv({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", fresh.Url()}}), config_, transport_);
    ASSERT_TRUE(provider.ok());
    Result<Credentials> c = (*provider)->Get();
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->access_key_id, "ASIAREMOTE");
    EXPECT_EQ(log.lines(), (std::vector<std::string>{"PUT", "GET token= has_token_header=no",
                                                     "GET token= has_token_header=no"}));
    fresh.Stop();
  }
}

TEST_F(InstanceMetadataTest, TokenRefusedWith400IsAnError) {
  ServeImds(400);
  Result<Credentials> c = Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log_.lines().size(), 1u);
}

TEST_F(InstanceMetadataTest, InstanceWithoutARoleIsNotFound) {
  loopback_.server().Put("/latest/api/token", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("tok", "text/plain");
  });
  loopback_.server().Get("/latest/meta-data/iam/security-credentials/",
                         [](const httplib::Request&, httplib::Response& res) { res.status = 404; });
  Result<Credentials> c = Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_NE(c.status().message().find("no IAM role"), std::string::npos);
}

TEST_F(InstanceMetadataTest, NothingListeningIsNotFound) {
  const std::string url = loopback_.Url();
  loopback_.Stop();
  auto provider = InstanceMetadataCredentialsProvider::FromEnv(
      FixedEnv({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", url}}), config_, transport_);
  ASSERT_TRUE(provider.ok());
  Result<Credentials> c = (*provider)->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound) << c.status().ToString();
}

TEST_F(InstanceMetadataTest, CodeOtherThanSuccessIsUnavailable) {
  loopback_.server().Put("/latest/api/token", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("tok", "text/plain");
  });
  loopback_.server().Get("/latest/meta-data/iam/security-credentials/(.*)", [](const httplib::Request& req,
                                                                               httplib::Response& res) {
    if (req.matches[1] == "") {
      res.set_content("R", "text/plain");
    } else {
      res.set_content(R"({"Code":"AssumeRoleUnauthorizedAccess"})", "application/json");
    }
  });
  Result<Credentials> c = Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(c.status().message().find("AssumeRoleUnauthorizedAccess"), std::string::npos);
}

TEST(InstanceMetadataRules, DisabledMeansNotFoundWithoutARequest) {
  FakeTransport transport;
  auto provider = InstanceMetadataCredentialsProvider::FromEnv(
      FixedEnv({{"AWS_EC2_METADATA_DISABLED", "TRUE"}}), {}, transport);
  ASSERT_TRUE(provider.ok());
  EXPECT_EQ((*provider)->Get().status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(transport.requests().empty());
}

TEST(InstanceMetadataRules, EndpointDefaultsAndOverrides) {
  auto first_url = [](const EnvLookup& env, const SharedConfig& config) {
    FakeTransport transport;
    transport.PushConnectionReset();
    auto provider = InstanceMetadataCredentialsProvider::FromEnv(env, config, transport);
    if (!provider.ok()) return provider.status().ToString();
    (void)(*provider)->Get();
    const HttpRequest sent = transport.requests().at(0);
    EXPECT_EQ(sent.method, "PUT");
    EXPECT_EQ(sent.timeout, std::chrono::seconds(1));
    EXPECT_EQ(sent.connect_timeout, std::chrono::seconds(1));
    return sent.url;
  };
  EXPECT_EQ(first_url(FixedEnv({}), {}), "http://169.254.169.254/latest/api/token");
  EXPECT_EQ(first_url(FixedEnv({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}}), {}),
            "http://[fd00:ec2::254]/latest/api/token");
  EXPECT_EQ(first_url(FixedEnv({}), *SharedConfig::Parse(
                                        "[default]\nec2_metadata_service_endpoint = http://10.0.0.1/\n", "")),
            "http://10.0.0.1/latest/api/token");
  EXPECT_NE(first_url(FixedEnv({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "169.254.169.254"}}), {})
                .find("invalid_argument"),
            std::string::npos);
}

}  // namespace
}  // namespace glueguard
