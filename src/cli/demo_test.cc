// `glueguard demo` as a user runs it, from the repository's root: it starts, launches go through admission,
// and Ctrl-C ends it with a summary.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "aws/curl_transport.h"
#include "testing/process.h"

namespace glueguard {
namespace {

TEST(Demo, LaunchesGoThroughAdmissionAndCtrlCPrintsASummary) {
  testing::ChildProcess demo({GLUEGUARD_BINARY, "demo", "--speed", "3600", "--listen", "127.0.0.1:0"},
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

}  // namespace
}  // namespace glueguard
