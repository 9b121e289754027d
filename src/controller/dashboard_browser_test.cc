// The dashboard in a real browser: simcloud and the controller in this process, some activity (admissions,
// holds, a failure report, an alert), then tests/browser/dashboard_check.mjs opens the page in Debian's
// headless Chromium (playwright-core) and prints every panel's numbers, which must be the API's. Screenshots
// go to test-artifacts/ in the build directory (dashboard.png, dashboard-dark.png).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "net/curl_transport.h"
#include "aws/ec2.h"
#include "aws/environment.h"
#include "aws/glue.h"
#include "base/env.h"
#include "controller/server.h"
#include "simcloud/simcloud.h"
#include "store/sqlite_store.h"
#include "testing/process.h"
#include "testing/seed_after_simcloud.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr char kNode[] = "/usr/bin/node";
constexpr char kChromium[] = "/usr/bin/chromium";
constexpr char kSubnetA[] = "subnet-0a1b2c3d4e5f60001";
constexpr char kSubnetB[] = "subnet-0a1b2c3d4e5f60002";

std::string ArtifactDir() {
  return (std::filesystem::path(GLUEGUARD_BINARY).parent_path() / "test-artifacts").string();
}

class DashboardInBrowser : public testing::SeedAfterSimcloudTest {
 protected:
  DashboardInBrowser() : SeedAfterSimcloudTest(FromUnixMillis(1'795'000'000'000), 21) {}

  void SetUp() override {
    if (!std::filesystem::exists(kChromium)) GTEST_SKIP() << "chromium is missing (scripts/install-deps)";
    if (!std::filesystem::exists(kNode)) GTEST_SKIP() << "node is missing (scripts/install-deps)";
    if (!std::filesystem::exists(Source("tests/browser/node_modules/playwright-core/package.json"))) {
      GTEST_SKIP() << "tests/browser/node_modules is missing (scripts/install-deps runs npm ci there)";
    }
    ASSERT_TRUE(StartCloud(22));
    config_.store.path = dir_.File("glueguard.db");
    store_ = std::move(*SqliteStore::Open(config_.store.path));
    ControllerServerDeps deps{config_, *store_, *ec2_, nullptr, transport_, clock_, random_, metrics_};
    deps.dead_letter_count = [] { return std::optional<int64_t>(2); };
    ControllerServerOptions server_options;
    server_options.port = 0;
    server_options.run_ticker = false;  // the clock is fake: nothing moves while the browser looks
    Result<std::unique_ptr<ControllerServer>> server = ControllerServer::Start(deps, server_options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }

  json Send(const std::string& method, const std::string& path, const std::string& body = "") {
    HttpRequest r;
    r.method = method;
    r.url = server_->url() + path;
    if (!body.empty()) r.headers = {{"Content-Type", "application/json"}};
    r.body = body;
    Result<HttpResponse> response = transport_.Send(r);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? json::parse(response->body, nullptr, false) : json();
  }
  json Admit(const std::string& category, int workers, const std::string& run_id) {
    return Send("POST", "/v1/admissions",
                json{{"category", category}, {"workers", workers}, {"run_id", run_id}}.dump());
  }

  void StartRun(const std::string& job, int workers) {
    GlueClient glue(aws_->client);
    StartJobRunRequest start;
    start.job_name = job;
    start.number_of_workers = workers;
    Result<std::string> run = glue.StartJobRun(start);
    ASSERT_TRUE(run.ok()) << job << ": " << run.status().ToString();
  }
  void Minutes(int n) {
    for (int i = 0; i < n; ++i) {
      clock_.Advance(seconds(60));
      server_->controller().Tick();
    }
  }
  int TotalEnis(const std::string& subnet_id) {
    const json subnets = Send("GET", "/v1/subnets");
    for (const json& s : subnets["subnets"]) {
      if (s["id"] == subnet_id) return s["latest"]["total"];
    }
    return -1;
  }

  // A morning in small, observed every minute: job runs on every subnet; critical launches until subnet A
  // holds some; an IP-exhaustion failure on B, whose next launch waits out the cool-off and then goes; a
  // console run that pushes A past its 80 % alert; an ad-hoc launch on C.
  void MakeActivity() {
    server_->controller().Tick();
    StartRun("reporting", 15);
    Minutes(3);
    StartRun("customer-analytics", 15);
    Minutes(3);
    StartRun("backfill", 10);
    Minutes(4);
    StartRun("aggregations", 20);
    Minutes(20);
    for (int i = 0; i < 6; ++i) Admit("critical", 10, fmt::format("daily_metrics/run-{}/load", i));
    Send("POST", "/v1/failures", R"({"category":"non-critical"})");
    Minutes(1);
    EXPECT_EQ(Admit("non-critical", 10, "reporting/run-2/build")["code"], "cool_off");
    Minutes(15);
    const json second = Admit("non-critical", 10, "reporting/run-2/build");
    EXPECT_EQ(second["outcome"], "admit") << second.dump();
    const int total_a = TotalEnis(kSubnetA);
    ASSERT_GT(total_a, 0);
    StartRun("product-metrics", 49 - total_a);  // 49 of 59: 83 %
    Minutes(2);
    EXPECT_EQ(Admit("ad-hoc", 5, "backfill/run-7/load")["outcome"], "admit");
    Minutes(1);
  }

  MetricsRegistry metrics_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<ControllerServer> server_;
};

// The text of a panel, or "<missing NAME>".
std::string Text(const json& panels, const std::string& testid) {
  if (!panels.contains(testid)) return "<missing " + testid + ">";
  return panels[testid]["text"].get<std::string>();
}
std::string Value(const json& panels, const std::string& testid) {
  if (!panels.contains(testid) || !panels[testid].contains("value")) return "<no value " + testid + ">";
  return panels[testid]["value"].get<std::string>();
}
double Number(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

TEST_F(DashboardInBrowser, EveryPanelShowsWhatTheApiReturns) {
  MakeActivity();
  const json summary = Send("GET", "/v1/summary?range=1h");
  ASSERT_TRUE(summary.is_object());
  const json& totals = summary["totals"];
  // The activity did what the page is meant to show.
  ASSERT_GE(totals["held_today"].get<int>(), 2);
  ASSERT_GE(totals["recovered_today"].get<int>(), 1);
  ASSERT_EQ(totals["exhaustion_failures_today"], 1);
  ASSERT_EQ(summary["alerts"].size(), 1u);
  ASSERT_EQ(summary["alerts"][0]["subnet"], kSubnetA);

  const std::string artifacts = ArtifactDir();
  testing::ChildProcess node(
      {kNode, Source("tests/browser/dashboard_check.mjs"), server_->url(), artifacts},
      {"PATH=/usr/bin:/bin", "HOME=" + dir_.path().string(), "TMPDIR=" + dir_.path().string()},
      Source("tests/browser"));
  ASSERT_TRUE(node.started());
  const int exit_code = node.Finish();
  const std::string& output = node.output();
  const size_t marker = output.find("DASHBOARD_JSON ");
  ASSERT_NE(marker, std::string::npos) << output;
  const size_t end = output.find('\n', marker);
  const json result = json::parse(output.substr(marker + 15, end - marker - 15), nullptr, false);
  ASSERT_TRUE(result.is_object()) << output;
  ASSERT_EQ(exit_code, 0) << output;
  EXPECT_TRUE(result["problems"].empty()) << result["problems"].dump();
  const json& panels = result["panels"];

  // Across subnets.
  EXPECT_EQ(Text(panels, "held-today"), std::to_string(totals["held_today"].get<int>()));
  EXPECT_EQ(Text(panels, "recovered-today"), std::to_string(totals["recovered_today"].get<int>()));
  EXPECT_EQ(Text(panels, "launches-today"), std::to_string(totals["launches_today"].get<int>()));
  EXPECT_EQ(Text(panels, "exhaustion-today"), "1");
  EXPECT_EQ(Value(panels, "exhaustion-streak"), std::to_string(totals["streak_seconds"].get<int64_t>()));
  EXPECT_NE(Text(panels, "exhaustion-streak").find("19m"), std::string::npos)
      << Text(panels, "exhaustion-streak");
  EXPECT_EQ(Text(panels, "alerts-count"), "1");
  const json& alert = summary["alerts"][0];
  const std::string alert_subnet = alert["subnet"];
  EXPECT_EQ(Value(panels, "alert-since-" + alert_subnet), alert["since"].get<std::string>());
  EXPECT_EQ(Text(panels, "alert-why-" + alert_subnet), alert["why"].get<std::string>());
  EXPECT_EQ(Text(panels, "dead-letters"), "2");
  EXPECT_EQ(Value(panels, "now"), summary["now"].get<std::string>());

  // B's early runs ended and simcloud deleted their ENIs after their cleanup tails: measured, in minutes.
  const json tail_b = Send("GET", std::string("/v1/subnets/") + kSubnetB + "/cleanup-tail");
  ASSERT_GT(tail_b["count"].get<int>(), 0) << tail_b.dump();
  EXPECT_GT(tail_b["p50_minutes"].get<double>(), 0.0) << tail_b.dump();
  EXPECT_LE(tail_b["p50_minutes"].get<double>(), tail_b["p95_minutes"].get<double>()) << tail_b.dump();
  ASSERT_EQ(tail_b["by_role"].size(), 1u) << tail_b.dump();

  // Per subnet.
  for (const json& s : summary["subnets"]) {
    const std::string id = s["id"];
    SCOPED_TRACE(id);
    const json series = Send("GET", "/v1/subnets/" + id + "/series?range=1h");
    const json series_24h = Send("GET", "/v1/subnets/" + id + "/series?range=24h");
    EXPECT_EQ(Text(panels, "name-" + id), s["name"].get<std::string>());
    EXPECT_EQ(Text(panels, "used-" + id), std::to_string(s["used"].get<int>()));
    EXPECT_EQ(Text(panels, "capacity-" + id), std::to_string(s["capacity"].get<int>()));
    EXPECT_DOUBLE_EQ(Number(Value(panels, "utilisation-" + id)), s["utilisation"].get<double>());
    EXPECT_NEAR(Number(Text(panels, "utilisation-" + id)), 100 * s["utilisation"].get<double>(), 0.05);
    EXPECT_NEAR(Number(Text(panels, "threshold-" + id)), 100 * s["alert_threshold"].get<double>(), 0.05);
    EXPECT_EQ(Value(panels, "peak-" + id), std::to_string(s["peak_today"]["total"].get<int>()));
    EXPECT_DOUBLE_EQ(Number(Value(panels, "lingering-" + id)), s["lingering_avg"].get<double>());
    EXPECT_NEAR(Number(Text(panels, "lingering-" + id)), s["lingering_avg"].get<double>(), 0.05);
    // The cleanup tail in minutes, as measured: p50 / p95.
    const json& tail = s["cleanup_tail"];
    if (tail["count"].get<int>() == 0) {
      EXPECT_EQ(Text(panels, "tail-" + id), "—");
    } else {
      EXPECT_DOUBLE_EQ(Number(Value(panels, "tail-" + id)), tail["p50_minutes"].get<double>());
      const std::string text = Text(panels, "tail-" + id);  // "p50 / p95 min"
      EXPECT_NE(text.find(" min"), std::string::npos) << text;
      EXPECT_NEAR(Number(text), tail["p50_minutes"].get<double>(), 0.051) << text;
      const size_t slash = text.find(" / ");
      ASSERT_NE(slash, std::string::npos) << text;
      EXPECT_NEAR(Number(text.substr(slash + 3)), tail["p95_minutes"].get<double>(), 0.051) << text;
    }
    EXPECT_EQ(Text(panels, "jobs-" + id), std::to_string(s["jobs_running"].get<int>()));
    EXPECT_EQ(Text(panels, "buffer-" + id), std::to_string(s["buffer"].get<int>()));
    EXPECT_EQ(Text(panels, "reserved-" + id), std::to_string(s["reserved"].get<int>()));
    EXPECT_EQ(Text(panels, "waiters-" + id), std::to_string(s["waiters"].get<int>()));
    const json& recent = s["recent_observations"];
    ASSERT_FALSE(recent.empty());
    for (size_t i = 0; i < recent.size(); ++i) {
      const std::string row = fmt::format("recent-{}-{}", id, i);
      EXPECT_EQ(Text(panels, row + "-total"), std::to_string(recent[i]["total"].get<int>()));
      EXPECT_EQ(Text(panels, row + "-in-use"), std::to_string(recent[i]["in_use"].get<int>()));
      EXPECT_EQ(Text(panels, row + "-available"), std::to_string(recent[i]["available"].get<int>()));
    }
    EXPECT_FALSE(panels.contains(fmt::format("recent-{}-{}", id, recent.size())));
    int launches = 0, holds = 0;
    for (const json& m : series["marks"]) (m["kind"] == "launch" ? launches : holds) += 1;
    EXPECT_EQ(Text(panels, "chart-points-" + id), std::to_string(series["points"].size()));
    EXPECT_EQ(Text(panels, "chart-launches-" + id), std::to_string(launches));
    EXPECT_EQ(Text(panels, "chart-holds-" + id), std::to_string(holds));
    EXPECT_EQ(Text(result["panels_24h"], "chart-points-" + id), std::to_string(series_24h["points"].size()));
  }
  // Subnet A is over its threshold and shows it: the alert colour on its card.
  EXPECT_EQ(result["over_threshold"], json::array({std::string("subnet-") + kSubnetA}));
  EXPECT_EQ(result["range_24h_pressed"], "true");
  EXPECT_EQ(result["dark_background"], "rgb(15, 19, 24)");  // prefers-color-scheme: dark
  for (const json& png : result["screenshots"]) {
    EXPECT_GT(std::filesystem::file_size(png.get<std::string>()), 10000u) << png;
  }
}

}  // namespace
}  // namespace glueguard
