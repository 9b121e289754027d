// deploy/grafana/glueguard.json: the board parses, has the panels of the built-in dashboard, uses the
// ${datasource} and $subnet variables, and every query in it is valid PromQL naming only metrics glueguard
// exports.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "deploy/deploy_testing.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

using deploy_testing::Source;
using nlohmann::json;
using ::testing::Contains;
using ::testing::IsEmpty;

json LoadBoard() {
  std::ifstream in(Source("deploy/grafana/glueguard.json"));
  return json::parse(in, nullptr, /*allow_exceptions=*/false);
}

// Every PromQL query of the board with where it is: panel targets, annotation queries, variable queries.
std::vector<std::pair<std::string, std::string>> Queries(const json& board) {
  std::vector<std::pair<std::string, std::string>> queries;
  for (const json& panel : board.value("panels", json::array())) {
    for (const json& target : panel.value("targets", json::array())) {
      queries.emplace_back("panel '" + panel.value("title", "") + "'", target.value("expr", ""));
    }
  }
  for (const json& annotation : board["annotations"].value("list", json::array())) {
    if (annotation.contains("expr"))
      queries.emplace_back("annotation '" + annotation.value("name", "") + "'", annotation["expr"]);
  }
  return queries;
}

// The problems with the board's queries: an empty query, one that does not tokenize, or one that names a
// metric not in `exposed`.
std::vector<std::string> QueryProblems(const json& board, const std::set<std::string>& exposed) {
  std::vector<std::string> problems;
  for (const auto& [where, expr] : Queries(board)) {
    if (expr.empty()) {
      problems.push_back(where + ": empty query");
      continue;
    }
    Result<std::vector<std::string>> unknown = UnknownMetricNames(expr, exposed);
    if (!unknown.ok()) {
      problems.push_back(where + ": " + unknown.status().message());
      continue;
    }
    for (const std::string& name : *unknown) problems.push_back(where + ": unknown metric " + name);
  }
  return problems;
}

std::set<std::string> PanelTitles(const json& board) {
  std::set<std::string> titles;
  for (const json& panel : board["panels"]) titles.insert(panel.value("title", ""));
  return titles;
}

const json* FindPanel(const json& board, const std::string& title) {
  for (const json& panel : board["panels"]) {
    if (panel.value("title", "") == title) return &panel;
  }
  return nullptr;
}

TEST(GrafanaBoard, IsValidJsonForACurrentGrafana) {
  const json board = LoadBoard();
  ASSERT_FALSE(board.is_discarded()) << "deploy/grafana/glueguard.json is not valid JSON";
  EXPECT_EQ(board["uid"], "glueguard");
  EXPECT_GE(board["schemaVersion"].get<int>(), 36);
  std::set<int> ids;
  for (const json& panel : board["panels"]) {
    EXPECT_TRUE(ids.insert(panel["id"].get<int>()).second) << "panel id repeated: " << panel["id"];
    for (const char* key : {"h", "w", "x", "y"})
      EXPECT_TRUE(panel["gridPos"].contains(key)) << panel["title"];
  }
}

TEST(GrafanaBoard, ReadsADatasourceVariableAndASubnetVariable) {
  const json board = LoadBoard();
  ASSERT_FALSE(board.is_discarded());
  const json& variables = board["templating"]["list"];
  ASSERT_EQ(variables.size(), 2u);
  EXPECT_EQ(variables[0]["name"], "datasource");
  EXPECT_EQ(variables[0]["type"], "datasource");
  EXPECT_EQ(variables[0]["query"], "prometheus");
  EXPECT_EQ(variables[1]["name"], "subnet");
  EXPECT_EQ(variables[1]["definition"], "label_values(glueguard_subnet_capacity_ips, subnet)");
  EXPECT_TRUE(deploy_testing::GlueguardSampleNames().contains("glueguard_subnet_capacity_ips"));
  // Every panel queries the chosen Prometheus.
  for (const json& panel : board["panels"]) {
    if (panel["type"] == "row") continue;
    EXPECT_EQ(panel["datasource"]["uid"], "${datasource}") << panel["title"];
    EXPECT_FALSE(panel.value("targets", json::array()).empty()) << panel["title"];
    for (const json& target : panel["targets"]) EXPECT_EQ(target["datasource"]["uid"], "${datasource}");
  }
}

TEST(GrafanaBoard, HasThePanelsOfTheBuiltInDashboard) {
  const json board = LoadBoard();
  ASSERT_FALSE(board.is_discarded());
  const std::set<std::string> titles = PanelTitles(board);
  for (const char* title :
       {"Utilisation per subnet", "Utilisation over its alert threshold", "ENI count over time: $subnet",
        "Reserved IPs and waiters", "Subnets now", "Peak utilisation (24 h)", "Average cleanup tail",
        "Launches held (24 h)", "Recovered after waiting (24 h)", "IP-exhaustion reports (24 h)",
        "Since the last IP exhaustion", "Firing alerts", "AWS calls", "AWS throttling", "Session events",
        "Dead-lettered session events"}) {
    EXPECT_THAT(titles, Contains(title));
  }
  // The ENI chart: in-use, available (the cleanup tail), the buffer and the alert line, one chart per subnet.
  const json* enis = FindPanel(board, "ENI count over time: $subnet");
  ASSERT_NE(enis, nullptr);
  EXPECT_EQ((*enis)["repeat"], "subnet");
  std::string exprs;
  for (const json& target : (*enis)["targets"]) exprs += target["expr"].get<std::string>() + "\n";
  EXPECT_THAT(exprs, ::testing::HasSubstr(R"(state="in-use")"));
  EXPECT_THAT(exprs, ::testing::HasSubstr(R"(state="available")"));
  EXPECT_THAT(exprs, ::testing::HasSubstr("glueguard_subnet_buffer_ips"));
  EXPECT_THAT(exprs, ::testing::HasSubstr("glueguard_subnet_alert_threshold_ratio"));
  // Utilisation turns red at the default alert threshold.
  const json* utilisation = FindPanel(board, "Utilisation per subnet");
  ASSERT_NE(utilisation, nullptr);
  EXPECT_EQ((*utilisation)["fieldConfig"]["defaults"]["unit"], "percentunit");
  EXPECT_EQ((*utilisation)["fieldConfig"]["defaults"]["thresholds"]["steps"].back()["value"], 0.8);
}

TEST(GrafanaBoard, EveryQueryNamesOnlyMetricsGlueguardExports) {
  const json board = LoadBoard();
  ASSERT_FALSE(board.is_discarded());
  const std::set<std::string> exposed = deploy_testing::GlueguardSampleNames();
  ASSERT_TRUE(exposed.contains("glueguard_subnet_enis"));
  ASSERT_TRUE(exposed.contains("glueguard_aws_call_duration_seconds_bucket"));
  ASSERT_TRUE(exposed.contains("glueguard_session_events_total"));
  EXPECT_GE(Queries(board).size(), 30u);
  EXPECT_THAT(QueryProblems(board, exposed), IsEmpty());
}

// The check above can fail: a query naming a metric glueguard does not export (a typo here) is reported.
TEST(GrafanaBoard, TheQueryCheckReportsAnUnknownMetric) {
  json board = LoadBoard();
  ASSERT_FALSE(board.is_discarded());
  board["panels"][1]["targets"][0]["expr"] = R"(glueguard_subnet_utilization_ratio{subnet=~"$subnet"})";
  board["annotations"]["list"][1]["expr"] = "rate(glueguard_admission_decisions_total[1m";
  const std::vector<std::string> problems = QueryProblems(board, deploy_testing::GlueguardSampleNames());
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_THAT(problems[0], ::testing::HasSubstr("unknown metric glueguard_subnet_utilization_ratio"));
  EXPECT_THAT(problems[1], ::testing::HasSubstr("annotation 'Launches held': unterminated range"));
}

// Grafana substitutes its variables before Prometheus sees a query; with plausible values in their place,
// every query must be PromQL that promtool accepts (as recording rules, one per query).
TEST(GrafanaBoard, EveryQueryIsValidPromQL) {
  if (!std::filesystem::exists(deploy_testing::kPromtool)) GTEST_SKIP() << "promtool missing";
  const json board = LoadBoard();
  ASSERT_FALSE(board.is_discarded());
  json rules = json::array();
  for (const auto& [where, expr] : Queries(board)) {
    std::string substituted = expr;
    for (const auto& [variable, value] : std::vector<std::pair<std::string, std::string>>{
             {"$__rate_interval", "1m"}, {"$__range", "6h"}, {"$subnet", ".+"}}) {
      size_t at = substituted.find(variable);
      while (at != std::string::npos) {
        substituted.replace(at, variable.size(), value);
        at = substituted.find(variable, at + value.size());
      }
    }
    rules.push_back({{"record", "grafana:query_" + std::to_string(rules.size())}, {"expr", substituted}});
  }
  testing::TempDir dir;
  // JSON is YAML: promtool reads the rule file as is.
  const std::string file =
      dir.Write("board_queries.yml", json{{"groups", {{{"name", "board"}, {"rules", rules}}}}}.dump(2));
  const deploy_testing::ToolRun run =
      deploy_testing::RunTool({deploy_testing::kPromtool, "check", "rules", file});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_THAT(run.output, ::testing::HasSubstr("SUCCESS: " + std::to_string(rules.size()) + " rules found"));
}

}  // namespace
}  // namespace glueguard
