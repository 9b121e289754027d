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
      eni.description = "Attached to Glue using role: arn:aws:iam::123456789012:role/GlueJobRole";
      page.interfaces.push_back(eni);
    }
    for (int i = 0; i < available; ++i) {
      NetworkInterface eni;
      eni.id = "eni-a" + std::to_string(i);
      eni.subnet_id = r.filters.at(0).values.at(0);
      eni.status = "available";
      eni.description = "Attached to Glue using role: arn:aws:iam::123456789012:role/GlueJobRole";
      page.interfaces.push_back(eni);
    }
    return page;
  }
  Result<std::vector<Subnet>> DescribeSubnets(const DescribeSubnetsRequest&) override {
    return std::vector<Subnet>{};
  }
  Status DeleteNetworkInterface(const std::string&) override { return Status::Ok(); }
  int in_use = 0;
  int available = 0;
  int calls = 0;
  bool fail = false;
};

ServerRequest Request(std::string method, std::string path, std::string body = "", std::string token = "") {
  ServerRequest r;
  r.method = std::move(method);
  if (const size_t q = path.find('?'); q != std::string::npos) {
    r.query = path.substr(q + 1);
    const size_t eq = r.query.find('=');
    r.query_params = {{r.query.substr(0, eq), r.query.substr(eq + 1)}};
    path.resize(q);
  }
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
  MetricsRegistry metrics2_;  // for a second controller over the same store (a restart)
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

TEST_F(ControllerApiTest, AWaiterRefreshesTheViewOnlyWhenAWaiterCouldFitOrThePollIsDue) {
  ec2_.in_use = 45;  // 14 free: a launch of 10 waits behind the floor of 10
  ASSERT_EQ(Body(Admit(R"({"category":"batch","workers":10,"run_id":"r1"})"))["outcome"], "wait");
  const int after_first = ec2_.calls;
  EXPECT_EQ(after_first, 1);  // a new launch gets a fresh view
  // Re-pokes on a view that admits no waiter: no call, however old the view, until the poll is due.
  for (int i = 0; i < 4; ++i) {
    clock_.Advance(std::chrono::seconds(11));  // past on_demand_max_age each time
    ASSERT_EQ(Body(Admit(R"({"category":"batch","workers":10,"run_id":"r1"})"))["outcome"], "wait");
  }
  EXPECT_EQ(ec2_.calls, after_first);
  clock_.Advance(std::chrono::seconds(20));  // 64 s: the poll is due
  ASSERT_EQ(Body(Admit(R"({"category":"batch","workers":10,"run_id":"r1"})"))["outcome"], "wait");
  EXPECT_EQ(ec2_.calls, after_first + 1);
  // Room appears (the background poll sees it): the next re-poke refreshes and is admitted.
  ec2_.in_use = 20;
  clock_.Advance(std::chrono::seconds(61));
  controller_->Tick();
  const int after_poll = ec2_.calls;
  clock_.Advance(std::chrono::seconds(11));
  EXPECT_EQ(Body(Admit(R"({"category":"batch","workers":10,"run_id":"r1"})"))["outcome"], "admit");
  EXPECT_EQ(ec2_.calls, after_poll + 1);
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

// A day of the dashboard's story: a launch, a hold that recovers, an exhaustion report, and an alert.
class DashboardApiTest : public ControllerApiTest {
 protected:
  // The day is scripted one admission at a time, each on the view as the script just set it.
  DashboardApiTest() { config_.server.refresh_for_every_waiter = true; }

  void Step(int in_use, int available) {
    ec2_.in_use = in_use;
    ec2_.available = available;
    clock_.Advance(std::chrono::seconds(30));  // past on_demand_max_age: the next admission observes
  }
  nlohmann::json Get(const std::string& path) {
    ServerResponse r = api_->Handle(Request("GET", path));
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return Body(r);
  }
  void PlayTheDay() {
    ASSERT_EQ(Body(Admit(R"({"category":"batch","workers":10,"run_id":"r1"})"))["outcome"], "admit");
    Step(40, 2);
    ASSERT_EQ(Body(Admit(R"({"category":"batch","workers":10,"run_id":"r2"})"))["outcome"], "wait");
    Step(20, 6);
    ASSERT_EQ(Body(Admit(R"({"category":"batch","workers":10,"run_id":"r2"})"))["outcome"], "admit");
    ASSERT_EQ(Get("/v1/summary")["subnets"][0]["jobs_running"], 1);  // r2's ENIs are not there yet
    ASSERT_EQ(api_->Handle(Request("POST", "/v1/failures", R"({"category":"batch"})", "t")).status, 202);
    reported_at_ = clock_.Now();
    Step(45, 4);
    ASSERT_EQ(Body(Admit(R"({"category":"batch","workers":1,"run_id":"r3"})"))["code"], "cool_off");
    clock_.Advance(std::chrono::seconds(5));
  }
  Time reported_at_{};
};

TEST_F(DashboardApiTest, SummaryCountsTheDayPerSubnetAndAcrossSubnets) {
  PlayTheDay();
  const nlohmann::json summary = Get("/v1/summary?range=1h");
  EXPECT_EQ(summary["now"], FormatTime(clock_.Now()));
  EXPECT_EQ(summary["today"], "2026-01-01T00:00:00.000Z");
  const nlohmann::json a = summary["subnets"][0];
  EXPECT_EQ(a["name"], "a");
  EXPECT_EQ(a["used"], 49);
  EXPECT_EQ(a["capacity"], 59);
  EXPECT_NEAR(a["utilisation"].get<double>(), 49.0 / 59, 1e-9);
  EXPECT_EQ(a["over_threshold"], true);
  EXPECT_EQ(a["alert_firing"], true);
  EXPECT_EQ(a["peak_today"]["total"], 49);
  EXPECT_NEAR(a["lingering_avg"].get<double>(), (0 + 2 + 6 + 4) / 4.0, 1e-9);  // mean `available`
  // eni-a4 and eni-a5 were seen available and then gone: two measured cleanup tails, in minutes, the same
  // numbers the subnet's own endpoint gives.
  EXPECT_EQ(a["cleanup_tail"]["count"], 2);
  EXPECT_GT(a["cleanup_tail"]["p50_minutes"].get<double>(), 0.0);
  const nlohmann::json tail = Get("/v1/subnets/a/cleanup-tail");
  EXPECT_EQ(tail["subnet_id"], "subnet-1");
  EXPECT_EQ(tail["count"], 2);
  EXPECT_EQ(tail["p50_minutes"], a["cleanup_tail"]["p50_minutes"]);
  EXPECT_EQ(tail["p95_minutes"], a["cleanup_tail"]["p95_minutes"]);
  ASSERT_EQ(tail["by_role"].size(), 1u);
  EXPECT_EQ(tail["by_role"][0]["role"], "arn:aws:iam::123456789012:role/GlueJobRole");
  EXPECT_EQ(api_->Handle(Request("GET", "/v1/subnets/nope/cleanup-tail")).status, 404);
  EXPECT_EQ(a["jobs_running"], 0);  // r2's ENIs appeared: its reservation settled
  EXPECT_EQ(a["buffer"], 10);       // rolling max of available (6) under the floor (10)
  ASSERT_EQ(a["recent_observations"].size(), 4u);
  EXPECT_EQ(a["recent_observations"][0]["total"], 49);
  EXPECT_EQ(a["recent_observations"][3]["total"], 0);
  EXPECT_EQ(a["held_today"], 2);
  EXPECT_EQ(a["recovered_today"], 1);
  EXPECT_EQ(a["exhaustion_failures_today"], 1);

  const nlohmann::json totals = summary["totals"];
  EXPECT_EQ(totals["launches_today"], 3);
  EXPECT_EQ(totals["held_today"], 2);
  EXPECT_EQ(totals["recovered_today"], 1);
  EXPECT_EQ(totals["exhaustion_failures_today"], 1);
  EXPECT_EQ(totals["last_exhaustion"], FormatTime(reported_at_));
  EXPECT_EQ(totals["streak_seconds"], 35);
  EXPECT_EQ(totals["alerts_firing"], 1);
  EXPECT_EQ(totals["sessions_configured"], false);
  EXPECT_TRUE(totals["dead_letters"].is_null());
  ASSERT_EQ(summary["alerts"].size(), 1u);
  EXPECT_EQ(summary["alerts"][0]["name"], "a");
  EXPECT_NE(summary["alerts"][0]["why"].get<std::string>().find("49 of 59 IPs taken (83%)"),
            std::string::npos)
      << summary["alerts"][0]["why"];

  ServerResponse bad = api_->Handle(Request("GET", "/v1/summary?range=2d"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(Body(bad)["error"]["message"].get<std::string>().find("1h, 6h, 24h or 7d"), std::string::npos);
}

TEST_F(DashboardApiTest, TheNextDayStartsFromZeroButTheStreakRemembersTheLastFailure) {
  PlayTheDay();
  clock_.Advance(std::chrono::hours(24));
  const nlohmann::json totals = Get("/v1/summary")["totals"];
  EXPECT_EQ(totals["held_today"], 0);
  EXPECT_EQ(totals["exhaustion_failures_today"], 0);
  EXPECT_EQ(totals["streak_seconds"], 24 * 3600 + 35);
}

TEST_F(DashboardApiTest, AnExhaustionReportSurvivesARestartOfTheController) {
  PlayTheDay();
  controller_ = std::move(
      *Controller::Create(ControllerDeps{config_, store_, ec2_, notifier_, clock_, random_, metrics2_}));
  api_ = std::make_unique<ControllerApi>(*controller_, "t", [] { return std::string(); });
  const nlohmann::json totals = Get("/v1/summary")["totals"];
  EXPECT_EQ(totals["exhaustion_failures_today"], 1);
  EXPECT_EQ(totals["last_exhaustion"], FormatTime(reported_at_));
  EXPECT_EQ(totals["held_today"], 2);  // from the decision log
}

TEST_F(DashboardApiTest, SeriesChartsEachObservationWithTheBufferAndMarksLaunchesAndHolds) {
  PlayTheDay();
  const nlohmann::json series = Get("/v1/subnets/a/series?range=1h");
  EXPECT_EQ(series["subnet"], "subnet-1");
  EXPECT_EQ(series["range"], "1h");
  EXPECT_EQ(series["bucket_seconds"], 12);
  EXPECT_EQ(series["capacity"], 59);
  EXPECT_NEAR(series["threshold_enis"].get<double>(), 0.8 * 59, 1e-9);
  ASSERT_EQ(series["points"].size(), 4u);
  EXPECT_EQ(series["points"][3]["total"], 49);
  EXPECT_EQ(series["points"][3]["in_use"], 45);
  EXPECT_EQ(series["points"][3]["buffer"], 10);
  std::vector<std::string> marks;
  for (const auto& m : series["marks"])
    marks.push_back(m["kind"].get<std::string>() + ":" + m["run_id"].get<std::string>());
  EXPECT_EQ(marks, (std::vector<std::string>{"launch:r1", "hold:r2", "launch:r2", "hold:r3"}));
  // A week in 300 buckets of 2016 s: the four observations share one, which keeps each count's maximum.
  const nlohmann::json week = Get("/v1/subnets/subnet-1/series?range=7d");
  EXPECT_EQ(week["bucket_seconds"], 2016);
  ASSERT_EQ(week["points"].size(), 1u);
  EXPECT_EQ(week["points"][0]["total"], 49);
  EXPECT_EQ(week["points"][0]["available"], 6);

  EXPECT_EQ(api_->Handle(Request("GET", "/v1/subnets/zzz/series")).status, 404);
  EXPECT_EQ(api_->Handle(Request("GET", "/v1/subnets/a/series?range=1y")).status, 400);
}

TEST_F(ControllerApiTest, DeadLettersAndSessionEventsComeFromTheirHooks) {
  EXPECT_EQ(api_->Handle(Request("POST", "/v1/events", "{}")).status, 401);  // the token is checked first
  ServerResponse unset = api_->Handle(Request("POST", "/v1/events", "{}", "t"));
  EXPECT_EQ(unset.status, 404);
  EXPECT_EQ(Body(unset)["error"]["message"], "session boundaries are not configured");

  ControllerApiHooks hooks;
  hooks.dead_letter_count = [] { return std::optional<int64_t>(3); };
  std::string seen;
  bool authenticated = false;
  hooks.events_handler = [&seen, &authenticated](const ServerRequest& r, bool with_token) {
    seen = r.body;
    authenticated = with_token;
    ServerResponse response;
    response.status = 202;
    return response;
  };
  ControllerApi api(
      *controller_, "t", [] { return std::string(); }, hooks);
  EXPECT_EQ(api.Handle(Request("POST", "/v1/events", R"({"id":"e1"})", "t")).status, 202);
  EXPECT_EQ(seen, R"({"id":"e1"})");
  EXPECT_TRUE(authenticated);  // the API has a token and the request carried it
  EXPECT_EQ(api.Handle(Request("GET", "/v1/events")).status, 405);
  const nlohmann::json totals = Body(api.Handle(Request("GET", "/v1/summary")))["totals"];
  EXPECT_EQ(totals["sessions_configured"], true);
  EXPECT_EQ(totals["dead_letters"], 3);

  hooks.dead_letter_count = [] { return std::optional<int64_t>(); };  // configured later, or not reachable
  ControllerApi unknown(
      *controller_, "t", [] { return std::string(); }, hooks);
  EXPECT_EQ(Body(unknown.Handle(Request("GET", "/v1/summary")))["totals"]["sessions_configured"], false);
}

TEST_F(ControllerApiTest, ServesTheDashboardPageAndItsAssetsWithTheirTypes) {
  struct Case {
    const char* path;
    const char* type;
    const char* contains;
    const char* cache;
  };
  for (const Case& c :
       {Case{"/", "text/html; charset=utf-8", "data-testid=\"held-today\"", "no-cache"},
        Case{"/assets/dashboard.js", "text/javascript; charset=utf-8", "/v1/summary", "no-cache"},
        Case{"/assets/dashboard.css", "text/css; charset=utf-8", "prefers-color-scheme", "no-cache"},
        Case{"/assets/chart.umd.js", "text/javascript; charset=utf-8", "Chart.js v",
             "public, max-age=86400"}}) {
    ServerResponse r = api_->Handle(Request("GET", c.path));
    EXPECT_EQ(r.status, 200) << c.path;
    EXPECT_EQ(r.content_type, c.type) << c.path;
    EXPECT_NE(r.body.find(c.contains), std::string::npos) << c.path;
    const std::string* cache = FindHeader(r.headers, "Cache-Control");
    ASSERT_NE(cache, nullptr) << c.path;
    EXPECT_EQ(*cache, c.cache);
    const std::string* etag = FindHeader(r.headers, "ETag");
    ASSERT_NE(etag, nullptr);
    ServerRequest again = Request("GET", c.path);
    again.headers.push_back({"If-None-Match", *etag});
    ServerResponse cached = api_->Handle(again);
    EXPECT_EQ(cached.status, 304) << c.path;
    EXPECT_TRUE(cached.body.empty());
  }
  EXPECT_NE(FindHeader(api_->Handle(Request("GET", "/")).headers, "Content-Security-Policy"), nullptr);
  EXPECT_EQ(api_->Handle(Request("GET", "/assets/nope.js")).status, 404);
  EXPECT_EQ(api_->Handle(Request("GET", "/assets/dashboard.html")).status, 404);
  EXPECT_EQ(api_->Handle(Request("POST", "/", "", "t")).status, 405);
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
