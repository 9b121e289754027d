#include "controller/api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "base/env.h"
#include "store/memory_store.h"

namespace glueguard {
namespace {

// Answers every DescribeNetworkInterfaces with `in_use` ENIs in the asked subnet.
class ScriptedEc2 final : public Ec2Api {
 public:
  Result<NetworkInterfacePage> DescribeNetworkInterfaces(const DescribeNetworkInterfacesRequest& r) override {
    ++calls;
    if (fail) return Status::Unavailable("throttled").WithReason("RequestLimitExceeded");
    NetworkInterfacePage page;
    for (int i = 0; i < in_use; ++i) {
      NetworkInterface eni;
      eni.id = "eni-" + std::to_string(i);
      eni.subnet_id = r.filters.at(0).values.at(0);
      eni.status = "in-use";
      page.interfaces.push_back(eni);
    }
    return page;
  }
  Result<std::vector<Subnet>> DescribeSubnets(const DescribeSubnetsRequest&) override {
    return std::vector<Subnet>{};
  }
  Status DeleteNetworkInterface(const std::string&) override { return Status::Ok(); }
  int in_use = 0;
  int calls = 0;
  bool fail = false;
};

ServerRequest Request(std::string method, std::string path, std::string body = "", std::string token = "") {
  ServerRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.body = std::move(body);
  if (!token.empty()) r.headers.push_back({"Authorization", "Bearer " + token});
  return r;
}

class ControllerApiTest : public ::testing::Test {
 protected:
  ControllerApiTest() {
    config_ = *ParseConfig(R"(
subnets:
  - {id: subnet-1, name: a, cidr: 10.0.0.0/26}
categories:
  - {name: batch, subnet: a, priority: 10}
)",
                           "test.yaml", FixedEnv({}));
    controller_ = std::move(
        *Controller::Create(ControllerDeps{config_, store_, ec2_, notifier_, clock_, random_, metrics_}));
    api_ = std::make_unique<ControllerApi>(*controller_, "t", [] { return std::string("metrics\n"); });
  }

  nlohmann::json Body(const ServerResponse& r) { return nlohmann::json::parse(r.body); }
  ServerResponse Admit(const std::string& body, const std::string& token = "t") {
    return api_->Handle(Request("POST", "/v1/admissions", body, token));
  }

  Config config_;
  MemoryStore store_;
  ScriptedEc2 ec2_;
  RecordingNotifier notifier_;
  FakeClock clock_;
  SeededRandom random_{1};
  MetricsRegistry metrics_;
  std::unique_ptr<Controller> controller_;
  std::unique_ptr<ControllerApi> api_;
};

TEST_F(ControllerApiTest, AdmitsWaitsAndRejectsWithTheirStatusCodes) {
  ServerResponse admit = Admit(R"({"category":"batch","workers":10,"run_id":"r1"})");
  EXPECT_EQ(admit.status, 200);
  EXPECT_EQ(Body(admit)["outcome"], "admit");
  ec2_.in_use = 40;
  clock_.Advance(std::chrono::seconds(11));  // the view refreshes on demand
  ServerResponse wait = Admit(R"({"category":"batch","workers":10,"run_id":"r2"})");
  EXPECT_EQ(wait.status, 200);
  EXPECT_EQ(Body(wait)["outcome"], "wait");
  ASSERT_FALSE(wait.headers.empty());
  EXPECT_EQ(wait.headers[0].name, "Retry-After");
  EXPECT_EQ(wait.headers[0].value, "60");
  ServerResponse reject = Admit(R"({"category":"batch","workers":100,"run_id":"r3"})");
  EXPECT_EQ(reject.status, 409);
  EXPECT_EQ(Body(reject)["code"], "never_fits");
  ServerResponse unknown = Admit(R"({"category":"nope","workers":1,"run_id":"r4"})");
  EXPECT_EQ(unknown.status, 409);
  EXPECT_EQ(Body(unknown)["code"], "unknown_category");
}

TEST_F(ControllerApiTest, MalformedRequestsAreRefusedWithAMessageThatNamesTheProblem) {
  struct Case {
    const char* body;
    const char* says;
  };
  for (const Case& c :
       {Case{"not json", "JSON object"}, Case{"[1]", "JSON object"},
        Case{R"({"workers":1,"run_id":"r"})", "\"category\""},
        Case{R"({"category":"batch","workers":"ten","run_id":"r"})", "\"workers\""},
        Case{R"({"category":"batch","workers":0,"run_id":"r"})", "1..100000"},
        Case{R"({"category":"batch","workers":1})", "\"run_id\""},
        Case{R"({"category":"batch","workers":1,"run_id":"r","prio":1})", "unknown field \"prio\""},
        Case{R"({"category":"batch","workers":1,"run_id":"r","priority":"high"})", "\"priority\""}}) {
    ServerResponse r = Admit(c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(Body(r)["error"]["code"], "bad_request");
    EXPECT_NE(Body(r)["error"]["message"].get<std::string>().find(c.says), std::string::npos) << r.body;
  }
  EXPECT_EQ(ec2_.calls, 0);  // nothing was decided, nothing observed
}

TEST_F(ControllerApiTest, WritesNeedTheTokenReadsDoNot) {
  EXPECT_EQ(Admit(R"({"category":"batch","workers":1,"run_id":"r"})", "").status, 401);
  EXPECT_EQ(Admit(R"({"category":"batch","workers":1,"run_id":"r"})", "x").status, 403);
  EXPECT_EQ(api_->Handle(Request("DELETE", "/v1/admissions/rsv-1")).status, 401);
  EXPECT_EQ(api_->Handle(Request("POST", "/v1/failures", R"({"category":"batch"})")).status, 401);
  EXPECT_EQ(api_->Handle(Request("GET", "/v1/subnets")).status, 200);
  EXPECT_EQ(api_->Handle(Request("GET", "/metrics")).body, "metrics\n");
  EXPECT_EQ(api_->Handle(Request("GET", "/healthz")).status, 200);
}

TEST_F(ControllerApiTest, ReleaseFailuresObservationsAndReadiness) {
  EXPECT_EQ(api_->Handle(Request("GET", "/readyz")).status, 503);  // never observed
  const std::string id = Body(Admit(R"({"category":"batch","workers":10,"run_id":"r1"})"))["reservation_id"];
  EXPECT_EQ(api_->Handle(Request("GET", "/readyz")).status, 200);
  EXPECT_EQ(api_->Handle(Request("DELETE", "/v1/admissions/" + id, "", "t")).status, 204);
  EXPECT_EQ(api_->Handle(Request("DELETE", "/v1/admissions/" + id, "", "t")).status, 404);
  EXPECT_EQ(api_->Handle(Request("POST", "/v1/failures", R"({"category":"batch"})", "t")).status, 202);
  EXPECT_EQ(api_->Handle(Request("POST", "/v1/failures", R"({"category":"nope"})", "t")).status, 404);
  EXPECT_EQ(api_->Handle(Request("POST", "/v1/failures", "{}", "t")).status, 400);
  ServerResponse observations = api_->Handle(Request("GET", "/v1/subnets/a/observations"));
  EXPECT_EQ(observations.status, 200);
  EXPECT_EQ(Body(observations)["observations"].size(), 1u);
  EXPECT_EQ(api_->Handle(Request("GET", "/v1/subnets/zzz/observations")).status, 404);
  ServerRequest bad_limit = Request("GET", "/v1/subnets/a/observations");
  bad_limit.query_params = {{"limit", "0"}};
  EXPECT_EQ(api_->Handle(bad_limit).status, 400);
  EXPECT_EQ(api_->Handle(Request("PUT", "/v1/admissions", "", "t")).status, 405);
  EXPECT_EQ(api_->Handle(Request("GET", "/nope")).status, 404);
}

TEST(DecisionJson, RoundTrips) {
  Decision d;
  d.outcome = Outcome::kWait;
  d.code = DecisionCode::kCoolOff;
  d.reason = "cooling off";
  d.category = "batch";
  d.subnet_id = "subnet-1";
  d.run_id = "r";
  d.workers = 3;
  d.needed = 3;
  d.retry_after = std::chrono::seconds(60);
  d.waited = std::chrono::seconds(90);
  d.decided_at = FromUnixMillis(1'767'225'600'000);
  Result<Decision> back = ParseDecisionJson(DecisionJson(d));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->outcome, Outcome::kWait);
  EXPECT_EQ(back->code, DecisionCode::kCoolOff);
  EXPECT_EQ(back->retry_after, std::chrono::seconds(60));
  EXPECT_EQ(back->waited, std::chrono::seconds(90));
  EXPECT_EQ(back->decided_at, d.decided_at);
  EXPECT_FALSE(ParseDecisionJson("{}").ok());
  EXPECT_FALSE(ParseDecisionJson(R"({"outcome":"maybe","code":"fits"})").ok());
}

}  // namespace
}  // namespace glueguard
