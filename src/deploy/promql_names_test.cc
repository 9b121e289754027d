#include "testing/promql_names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace glueguard {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Names(std::string_view expr) {
  Result<std::vector<std::string>> names = MetricNamesInPromQL(expr);
  EXPECT_TRUE(names.ok()) << names.status().ToString();
  return names.ok() ? *names : std::vector<std::string>{};
}

TEST(MetricNamesInPromQL, FindsTheSelectorsAndSkipsFunctionsLabelsAndDurations) {
  EXPECT_THAT(Names(R"(sum by (subnet, state) (rate(glueguard_subnet_enis{state="in-use"}[5m] offset 1h)))"),
              ElementsAre("glueguard_subnet_enis"));
  EXPECT_THAT(Names("glueguard_subnet_utilisation_ratio >= glueguard_subnet_alert_threshold_ratio"),
              ElementsAre("glueguard_subnet_utilisation_ratio", "glueguard_subnet_alert_threshold_ratio"));
  EXPECT_THAT(Names("histogram_quantile(0.9, sum(rate(a_bucket[1m])) by (le)) > bool 1e-3"),
              ElementsAre("a_bucket"));
  EXPECT_THAT(Names("a unless on (job, instance) b * ignoring(x) group_left(y) c or d and e"),
              ElementsAre("a", "b", "c", "d", "e"));
  EXPECT_THAT(Names("max_over_time((timestamp(increase(x[5m]) > 0))[30d:5m]) - time()"), ElementsAre("x"));
  EXPECT_THAT(Names(R"q(count_values("code", x) + label_replace(y, "dst", "$1", "src", "(.*)"))q"),
              ElementsAre("x", "y"));
  EXPECT_THAT(Names("SUM BY (subnet) (x) + 2 * Inf"), ElementsAre("x"));
}

TEST(MetricNamesInPromQL, ANameMatcherSelectsItsMetric) {
  EXPECT_THAT(Names(R"({__name__="glueguard_subnet_waiters", subnet="a"})"),
              ElementsAre("glueguard_subnet_waiters"));
  EXPECT_THAT(Names(R"({__name__=~"glueguard_.*"})"), IsEmpty());
}

TEST(MetricNamesInPromQL, SkipsGrafanaTemplateVariables) {
  EXPECT_THAT(Names(R"(avg_over_time(glueguard_subnet_enis{subnet=~"$subnet"}[$__range]))"),
              ElementsAre("glueguard_subnet_enis"));
  EXPECT_THAT(Names("rate(x{subnet=~\"${subnet:regex}\"}[$__rate_interval]) * $scale"), ElementsAre("x"));
}

TEST(MetricNamesInPromQL, AnUnterminatedStringMatcherOrRangeIsAnError) {
  for (const char* bad : {"x{a=\"b}", "x{a=\"b\"", "rate(x[5m)", "sum by (a x"}) {
    Result<std::vector<std::string>> names = MetricNamesInPromQL(bad);
    ASSERT_FALSE(names.ok()) << bad;
    EXPECT_EQ(names.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(names.status().message().find("unterminated"), std::string::npos) << names.status().ToString();
  }
}

TEST(UnknownMetricNames, NamesWhatIsNotExposedAndAcceptsWhatIs) {
  const std::set<std::string> exposed = {"glueguard_subnet_enis",
                                         "glueguard_aws_call_duration_seconds_bucket"};
  Result<std::vector<std::string>> unknown = UnknownMetricNames(
      "rate(glueguard_subnet_utilization_ratio[5m]) + glueguard_subnet_enis + node_load1", exposed);
  ASSERT_TRUE(unknown.ok());
  EXPECT_THAT(*unknown, ElementsAre("glueguard_subnet_utilization_ratio", "node_load1"));
  unknown = UnknownMetricNames(
      "histogram_quantile(0.99, sum by (le) (rate(glueguard_aws_call_duration_seconds_bucket[5m])))",
      exposed);
  ASSERT_TRUE(unknown.ok());
  EXPECT_THAT(*unknown, IsEmpty());
}

TEST(ExposedSampleNames, AHistogramExposesItsBucketSumAndCountSeries) {
  MetricsRegistry registry;
  ASSERT_TRUE(registry.AddHistogram("glueguard_x_seconds", "X.", {1, 2}).ok());
  ASSERT_TRUE(registry.AddCounter("glueguard_y_total", "Y.").ok());
  EXPECT_THAT(ExposedSampleNames(registry.Collect()),
              ElementsAre("glueguard_x_seconds_bucket", "glueguard_x_seconds_count",
                          "glueguard_x_seconds_sum", "glueguard_y_total"));
}

}  // namespace
}  // namespace glueguard
