// deploy/prometheus/: promtool accepts the scrape configuration and the alert rules, the rules' unit tests
// pass (and catch a broken threshold comparison), every rule reads only metrics glueguard exports, and every
// alert carries what an on-call person needs, with a runbook link that resolves in docs/observability.md.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "deploy/deploy_testing.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

using deploy_testing::kPromtool;
using deploy_testing::RunTool;
using deploy_testing::Source;
using deploy_testing::ToolRun;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class PrometheusRules : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPromtool)) GTEST_SKIP() << "promtool missing (apt-get install prometheus)";
  }
};

TEST_F(PrometheusRules, PromtoolAcceptsTheAlertRules) {
  const ToolRun run = RunTool({kPromtool, "check", "rules", Source("deploy/prometheus/alerts.yml")});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, ::testing::HasSubstr("SUCCESS"));
}

TEST_F(PrometheusRules, PromtoolAcceptsTheScrapeConfigurationAndFindsItsRuleFile) {
  const ToolRun run = RunTool({kPromtool, "check", "config", Source("deploy/prometheus/prometheus.yml")});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, ::testing::HasSubstr("SUCCESS: 1 rule files found"));
}

TEST_F(PrometheusRules, TheRulesUnitTestsPass) {
  const ToolRun run = RunTool({kPromtool, "test", "rules", Source("deploy/prometheus/alerts_test.yml")});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, ::testing::HasSubstr("SUCCESS"));
}

// The unit tests bite: with ">" instead of ">=", utilisation of exactly 80 % against a threshold of 0.80 no
// longer fires, and `promtool test rules` says so.
TEST_F(PrometheusRules, TheUnitTestsFailWhenTheThresholdComparisonIsStrict) {
  testing::TempDir dir;
  std::string rules = ReadFile(Source("deploy/prometheus/alerts.yml"));
  const std::string comparison =
      "glueguard_subnet_utilisation_ratio >= glueguard_subnet_alert_threshold_ratio";
  const size_t at = rules.find(comparison);
  ASSERT_NE(at, std::string::npos);
  rules.replace(at, comparison.size(),
                "glueguard_subnet_utilisation_ratio > glueguard_subnet_alert_threshold_ratio");
  dir.Write("alerts.yml", rules);
  const std::string test =
      dir.Write("alerts_test.yml", ReadFile(Source("deploy/prometheus/alerts_test.yml")));
  const ToolRun run = RunTool({kPromtool, "test", "rules", test});
  EXPECT_NE(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, ::testing::HasSubstr("alertname: GlueguardSubnetUtilisationHigh, time: 3m"));
}

// GitHub's anchor for a Markdown heading: lower case, punctuation other than '-' and '_' dropped, spaces as
// '-'.
std::set<std::string> HeadingAnchors(const std::string& markdown) {
  std::set<std::string> anchors;
  std::istringstream lines(markdown);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] != '#') continue;
    const size_t text = line.find_first_not_of('#');
    if (text == std::string::npos || line[text] != ' ') continue;
    std::string anchor;
    for (char c : line.substr(text + 1)) {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') {
        anchor += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      } else if (c == ' ') {
        anchor += '-';
      }
    }
    anchors.insert(anchor);
  }
  return anchors;
}

TEST(HeadingAnchors, FollowGitHubsRules) {
  EXPECT_THAT(HeadingAnchors(
                  "# Top\n## IP exhaustion reported\ntext # not a heading\n### glueguard down (up == 0)\n"),
              ::testing::ElementsAre("glueguard-down-up--0", "ip-exhaustion-reported", "top"));
}

TEST(PrometheusAlerts, EveryAlertHasSeveritySummaryDescriptionAndARunbookThatResolves) {
  const YAML::Node file = YAML::LoadFile(Source("deploy/prometheus/alerts.yml"));
  const std::set<std::string> anchors = HeadingAnchors(ReadFile(Source("docs/observability.md")));
  const std::regex runbook(R"(docs/observability\.md#([a-z0-9_-]+))");
  int alerts = 0;
  for (const YAML::Node& group : file["groups"]) {
    for (const YAML::Node& rule : group["rules"]) {
      const std::string name = rule["alert"].as<std::string>("");
      if (name.empty()) continue;
      ++alerts;
      SCOPED_TRACE(name);
      EXPECT_THAT(rule["labels"]["severity"].as<std::string>(""), ::testing::AnyOf("critical", "warning"));
      EXPECT_FALSE(rule["annotations"]["summary"].as<std::string>("").empty());
      EXPECT_FALSE(rule["annotations"]["description"].as<std::string>("").empty());
      std::smatch m;
      const std::string url = rule["annotations"]["runbook_url"].as<std::string>("");
      ASSERT_TRUE(std::regex_match(url, m, runbook)) << url;
      EXPECT_TRUE(anchors.contains(m[1].str())) << "no heading in docs/observability.md for #" << m[1];
    }
  }
  EXPECT_GE(alerts, 8);
}

// Every metric a rule reads is one glueguard exports; `up` is the one Prometheus writes for every scrape.
TEST(PrometheusAlerts, EveryRuleReadsOnlyMetricsGlueguardExports) {
  std::set<std::string> exposed = deploy_testing::GlueguardSampleNames();
  ASSERT_TRUE(exposed.contains("glueguard_subnet_utilisation_ratio"));
  ASSERT_TRUE(exposed.contains("glueguard_session_dead_letters"));
  exposed.insert("up");
  const YAML::Node file = YAML::LoadFile(Source("deploy/prometheus/alerts.yml"));
  std::set<std::string> read;
  for (const YAML::Node& group : file["groups"]) {
    for (const YAML::Node& rule : group["rules"]) {
      const std::string expr = rule["expr"].as<std::string>();
      Result<std::vector<std::string>> unknown = UnknownMetricNames(expr, exposed);
      ASSERT_TRUE(unknown.ok()) << unknown.status().ToString();
      EXPECT_THAT(*unknown, ::testing::IsEmpty()) << expr;
      const Result<std::vector<std::string>> names = MetricNamesInPromQL(expr);
      ASSERT_TRUE(names.ok());
      read.insert(names->begin(), names->end());
    }
  }
  // The alerts the issue asks for, by what they read.
  for (const char* metric :
       {"glueguard_subnet_utilisation_ratio", "glueguard_subnet_alert_threshold_ratio",
        "glueguard_subnet_stale", "glueguard_store_errors_total", "glueguard_admission_decisions_total",
        "glueguard_exhaustion_reports_total", "glueguard_aws_throttled_attempts_total",
        "glueguard_session_dead_letters", "glueguard_session_events_dead_lettered_total", "up"}) {
    EXPECT_TRUE(read.contains(metric)) << "no rule reads " << metric;
  }
}

}  // namespace
}  // namespace glueguard
