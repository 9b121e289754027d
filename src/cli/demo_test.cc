// `glueguard demo` as a user runs it, from the repository's root: it starts, launches go through admission,
// and Ctrl-C ends it with a summary.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "net/curl_transport.h"
#include "testing/process.h"
#include "testing/run_command.h"

namespace glueguard {
namespace {

TEST(Demo, LaunchesGoThroughAdmissionAndCtrlCPrintsASummary) {
  testing::ChildProcess demo({GLUEGUARD_BINARY, "demo", "--speed", "1200", "--listen", "127.0.0.1:0"},
                             {"PATH=/usr/bin:/bin"}, GLUEGUARD_SOURCE_DIR);
  ASSERT_TRUE(demo.started());
  // Read until the first admitted launch, then interrupt it.
  ASSERT_TRUE(demo.ReadUntil([](const std::string& out) { return out.find("ADMIT") != std::string::npos; }))
      << demo.output();
  // The dashboard is where the demo says, and its data follows the simulated clock.
  const std::string said = "dashboard       ";
  const size_t at = demo.output().find(said);
  ASSERT_NE(at, std::string::npos) << demo.output();
  const std::string url =
      demo.output().substr(at + said.size(), demo.output().find(' ', at + said.size()) - at - said.size());
  CurlTransport http;
  HttpRequest page;
  page.method = "GET";
  page.url = url;
  Result<HttpResponse> html = http.Send(page);
  ASSERT_TRUE(html.ok()) << url << ": " << html.status().ToString();
  EXPECT_EQ(html->status, 200);
  EXPECT_NE(html->body.find("<title>glueguard"), std::string::npos);
  HttpRequest summary = page;
  summary.url = url + "v1/summary";
  Result<HttpResponse> numbers = http.Send(summary);
  ASSERT_TRUE(numbers.ok());
  const nlohmann::json j = nlohmann::json::parse(numbers->body);
  EXPECT_EQ(j["subnets"].size(), 3u);
  EXPECT_GE(j["totals"]["launches_today"].get<int>(), 1);
  demo.Signal(SIGINT);
  EXPECT_EQ(demo.Finish(), 0) << demo.output();
  const std::string& output = demo.output();
  EXPECT_NE(output.find("controller API  http://127.0.0.1:"), std::string::npos) << output;
  EXPECT_NE(output.find("critical      customer-analytics@"), std::string::npos) << output;
  EXPECT_NE(output.find("glueguard demo: stopped at simulated"), std::string::npos) << output;
  EXPECT_NE(output.find("IP-exhaustion failures  0"), std::string::npos) << output;
}

// The dashboard's address, from the demo's banner; empty until it has been printed.
std::string DashboardUrl(const std::string& output) {
  const std::string said = "dashboard       ";
  const size_t at = output.find(said);
  if (at == std::string::npos) return "";
  return output.substr(at + said.size(), output.find(' ', at + said.size()) - at - said.size());
}

// The bug: the controller's ticker ran once a real second at any speed; at x600 that is every ten simulated
// minutes, and a view goes stale after two, so the dashboard showed every subnet as a stale view.
TEST(Demo, AtSpeed600EverySubnetsViewStaysFresh) {
  testing::ChildProcess demo({GLUEGUARD_BINARY, "demo", "--speed", "600", "--listen", "127.0.0.1:0"},
                             {"PATH=/usr/bin:/bin"}, GLUEGUARD_SOURCE_DIR);
  ASSERT_TRUE(demo.started());
  ASSERT_TRUE(demo.ReadUntil([](const std::string& out) { return !DashboardUrl(out).empty(); }))
      << demo.output();
  CurlTransport http;
  HttpRequest request;
  request.method = "GET";
  request.url = DashboardUrl(demo.output()) + "v1/subnets";
  // Ask until every subnet has been observed five more times (five poll intervals of simulated time, half a
  // real second); the old ticker would have needed five real seconds, stale for most of them.
  std::map<std::string, int64_t> first;
  int samples = 0, stale = 0;
  bool done = false;
  for (int i = 0; i < 20000 && !done; ++i) {
    Result<HttpResponse> response = http.Send(request);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    const nlohmann::json subnets = nlohmann::json::parse(response->body)["subnets"];
    ASSERT_EQ(subnets.size(), 3u) << response->body;
    bool all_observed = true;
    for (const nlohmann::json& s : subnets)
      all_observed = all_observed && s["observations"].get<int64_t>() > 0;
    if (!all_observed) continue;  // the first tick has not run yet
    ++samples;
    done = true;
    for (const nlohmann::json& s : subnets) {
      if (s["stale"].get<bool>()) ++stale;
      const std::string id = s["id"].get<std::string>();
      if (!first.count(id)) first[id] = s["observations"].get<int64_t>();
      done = done && s["observations"].get<int64_t>() >= first[id] + 5;
    }
  }
  EXPECT_TRUE(done) << samples << " samples";
  EXPECT_EQ(stale, 0) << "stale views in " << samples << " samples of 3 subnets";
  demo.Signal(SIGINT);
  EXPECT_EQ(demo.Finish(), 0) << demo.output();
}

// A newcomer runs `make demo` with no flags and learns why glueguard exists: launches held while ENIs
// linger and admitted as they drain, a console run in the wrong subnet tripping the alert, a doctor pass,
// and the same day with and without admission side by side; then the demo ends on its own.
TEST(Demo, TellsTheSeedsStoryAndEndsOnItsOwn) {
  testing::ChildProcess demo({GLUEGUARD_BINARY, "demo", "--speed", "600", "--listen", "127.0.0.1:0"},
                             {"PATH=/usr/bin:/bin"}, GLUEGUARD_SOURCE_DIR);
  ASSERT_TRUE(demo.started());
  EXPECT_EQ(demo.Finish(), 0) << demo.output();
  const std::string& out = demo.output();
  // Held, then admitted: a launch's WAIT line and, later, its ADMIT line saying how long it waited.
  std::smatch admitted;
  ASSERT_TRUE(std::regex_search(out, admitted, std::regex(R"((\S+@\d+) +ADMIT .*\(after \S+\))"))) << out;
  const size_t wait_at = out.find(admitted[1].str() + std::string(40 - admitted[1].length(), ' ') + " WAIT");
  EXPECT_NE(wait_at, std::string::npos) << admitted[1] << "\n" << out;
  EXPECT_LT(wait_at, static_cast<size_t>(admitted.position(0))) << out;
  EXPECT_NE(out.find("adhoc-exploration@"), std::string::npos) << out;
  EXPECT_NE(out.find("bypass: started from the console, never asked"), std::string::npos) << out;
  EXPECT_NE(out.find("ALERT glueguard: subnet subnet-a at"), std::string::npos) << out;
  EXPECT_NE(out.find("glueguard doctor (dry run"), std::string::npos) << out;
  EXPECT_NE(out.find("SUBNET                     NAME"), std::string::npos) << out;
  EXPECT_NE(out.find("glueguard demo: stopped at simulated 2026-01-05T09:0"), std::string::npos) << out;
  EXPECT_NE(out.find("IP-exhaustion failures  0"), std::string::npos) << out;
  // The side-by-side: without admission a run fails for lack of IPs; with it, none does.
  EXPECT_NE(out.find("without glueguard      with glueguard      exact (oracle)"), std::string::npos) << out;
  std::smatch failed;
  ASSERT_TRUE(std::regex_search(out, failed, std::regex(R"(runs FAILED for lack of IPs +(\d+) +(\d+) +(\d+))")))
      << out;
  EXPECT_GE(std::stoi(failed[1]), 1) << out;
  EXPECT_EQ(std::stoi(failed[2]), 0) << out;
  // A month of the same workload by buffer policy: the forecast, once it has learned, holds fewer launches
  // for nothing than rolling-max.
  const size_t month = out.find("over 30 days, by buffer policy");
  ASSERT_NE(month, std::string::npos) << out;
  const std::string table = out.substr(month);
  EXPECT_NE(table.find("rolling-max      forecast        oracle"), std::string::npos) << table;
  std::smatch holds;
  ASSERT_TRUE(std::regex_search(table, holds, std::regex(R"(holds a perfect view would skip +(\d+) +(\d+) +(\d+))")))
      << table;
  EXPECT_LT(std::stoi(holds[2]), std::stoi(holds[1])) << table;
  EXPECT_EQ(std::stoi(holds[3]), 0) << table;
}

TEST(Demo, RefusesASpeedItCannotKeepUpWithAndSaysWhy) {
  const std::string source = GLUEGUARD_SOURCE_DIR;
  testing::CommandRun r = testing::RunCommand({"demo", "--speed", "3600", "--listen", "127.0.0.1:0",
                                               "--workload", source + "/examples/workloads/seed-after.yaml",
                                               "--config", source + "/examples/glueguard.yaml"});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--speed 3600 is faster than the demo can keep up with"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("use --speed 1200 or less"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace glueguard
