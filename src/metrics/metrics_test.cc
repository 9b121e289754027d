#include "metrics/metrics.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace glueguard {
namespace {

template <typename T>
T* Must(Result<T*> result) {
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : nullptr;
}

TEST(MetricsRender, PrintsFamiliesSortedByNameAndSeriesSortedByLabels) {
  MetricsRegistry registry;
  GaugeFamily* running = Must(registry.AddGauge("glueguard_jobs_running", "Glue job runs in progress."));
  CounterFamily* decisions =
      Must(registry.AddCounter("glueguard_admission_decisions_total",
                               "Admission decisions by subnet and outcome.", {"subnet", "outcome"}));
  HistogramFamily* wait = Must(registry.AddHistogram(
      "glueguard_admission_wait_seconds", "Time admissions waited for capacity.", {0.5, 1, 2.5}, {"subnet"}));
  ASSERT_TRUE(running && decisions && wait);

  running->With({}).Set(4);
  decisions->With({{"subnet", "subnet-b"}, {"outcome", "admit"}}).Increment(2);
  decisions->With({{"outcome", "hold"}, {"subnet", "subnet-a"}}).Increment();
  decisions->With({{"subnet", "subnet-a"}, {"outcome", "admit"}}).Increment(3);
  Histogram& wait_a = wait->With({{"subnet", "subnet-a"}});
  wait_a.Observe(0.25);
  wait_a.Observe(1);  // bounds are inclusive: counted in le="1"
  wait_a.Observe(3);

  EXPECT_EQ(RenderPrometheusText(registry),
            "# HELP glueguard_admission_decisions_total Admission decisions by subnet and outcome.\n"
            "# TYPE glueguard_admission_decisions_total counter\n"
            "glueguard_admission_decisions_total{subnet=\"subnet-a\",outcome=\"admit\"} 3\n"
            "glueguard_admission_decisions_total{subnet=\"subnet-a\",outcome=\"hold\"} 1\n"
            "glueguard_admission_decisions_total{subnet=\"subnet-b\",outcome=\"admit\"} 2\n"
            "# HELP glueguard_admission_wait_seconds Time admissions waited for capacity.\n"
            "# TYPE glueguard_admission_wait_seconds histogram\n"
            "glueguard_admission_wait_seconds_bucket{subnet=\"subnet-a\",le=\"0.5\"} 1\n"
            "glueguard_admission_wait_seconds_bucket{subnet=\"subnet-a\",le=\"1\"} 2\n"
            "glueguard_admission_wait_seconds_bucket{subnet=\"subnet-a\",le=\"2.5\"} 2\n"
            "glueguard_admission_wait_seconds_bucket{subnet=\"subnet-a\",le=\"+Inf\"} 3\n"
            "glueguard_admission_wait_seconds_sum{subnet=\"subnet-a\"} 4.25\n"
            "glueguard_admission_wait_seconds_count{subnet=\"subnet-a\"} 3\n"
            "# HELP glueguard_jobs_running Glue job runs in progress.\n"
            "# TYPE glueguard_jobs_running gauge\n"
            "glueguard_jobs_running 4\n");
}

TEST(MetricsRender, UnlabeledFamiliesPrintZeroBeforeUseAndLabeledOnesOnlyTheirHeader) {
  MetricsRegistry registry;
  ASSERT_TRUE(registry.AddCounter("glueguard_scrapes_total", "Scrapes.").ok());
  ASSERT_TRUE(registry.AddHistogram("glueguard_tick_seconds", "Tick time.", {1}).ok());
  ASSERT_TRUE(registry.AddGauge("glueguard_subnet_free_ips", "Free IPs.", {"subnet"}).ok());

  EXPECT_EQ(RenderPrometheusText(registry),
            "# HELP glueguard_scrapes_total Scrapes.\n"
            "# TYPE glueguard_scrapes_total counter\n"
            "glueguard_scrapes_total 0\n"
            "# HELP glueguard_subnet_free_ips Free IPs.\n"
            "# TYPE glueguard_subnet_free_ips gauge\n"
            "# HELP glueguard_tick_seconds Tick time.\n"
            "# TYPE glueguard_tick_seconds histogram\n"
            "glueguard_tick_seconds_bucket{le=\"1\"} 0\n"
            "glueguard_tick_seconds_bucket{le=\"+Inf\"} 0\n"
            "glueguard_tick_seconds_sum 0\n"
            "glueguard_tick_seconds_count 0\n");
}

TEST(MetricsRender, EscapesHelpAndLabelValues) {
  MetricsRegistry registry;
  GaugeFamily* g = Must(registry.AddGauge("glueguard_x", "Back\\slash, \"quotes\" stay,\nnew line.", {"v"}));
  ASSERT_NE(g, nullptr);
  g->With({{"v", "a\\b \"c\"\nd"}}).Set(1);

  EXPECT_EQ(RenderPrometheusText(registry),
            "# HELP glueguard_x Back\\\\slash, \"quotes\" stay,\\nnew line.\n"
            "# TYPE glueguard_x gauge\n"
            "glueguard_x{v=\"a\\\\b \\\"c\\\"\\nd\"} 1\n");
}

TEST(MetricsFormat, IntegersWithoutExponentAndSpecialValuesAsPrometheusSpellsThem) {
  EXPECT_EQ(FormatMetricValue(0), "0");
  EXPECT_EQ(FormatMetricValue(-0.0), "0");
  EXPECT_EQ(FormatMetricValue(3), "3");
  EXPECT_EQ(FormatMetricValue(-12), "-12");
  EXPECT_EQ(FormatMetricValue(1e6), "1000000");
  EXPECT_EQ(FormatMetricValue(1e15), "1000000000000000");
  EXPECT_EQ(FormatMetricValue(1e20), "1e+20");
  EXPECT_EQ(FormatMetricValue(0.25), "0.25");
  EXPECT_EQ(FormatMetricValue(0.1), "0.1");
  EXPECT_EQ(FormatMetricValue(1e-05), "1e-05");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatMetricValue(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(MetricsRegistry, ConcurrentUpdatesFromSeveralThreadsSumExactly) {
  MetricsRegistry registry;
  CounterFamily* calls = Must(registry.AddCounter("glueguard_calls_total", "Calls.", {"operation"}));
  GaugeFamily* in_flight = Must(registry.AddGauge("glueguard_calls_in_flight", "Calls in flight."));
  HistogramFamily* latency = Must(registry.AddHistogram("glueguard_call_seconds", "Call time.", {0.5}));
  ASSERT_TRUE(calls && in_flight && latency);

  constexpr int kThreads = 8, kIterations = 20000;
  std::atomic<bool> stop_scraping{false};
  std::thread scraper([&] {  // renders while the others write: nothing may tear or deadlock
    while (!stop_scraping.load()) (void)RenderPrometheusText(registry);
  });
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Counter& cached = calls->With({{"operation", "DescribeSubnets"}});
      for (int i = 0; i < kIterations; ++i) {
        cached.Increment();
        calls->With({{"operation", t % 2 == 0 ? "GetJobRun" : "StartJobRun"}}).Increment(0.5);
        in_flight->With({}).Add(1);
        latency->With({}).Observe(i % 2 == 0 ? 0.25 : 1.0);
        in_flight->With({}).Add(-1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  stop_scraping = true;
  scraper.join();

  constexpr uint64_t kTotal = uint64_t{kThreads} * kIterations;
  EXPECT_EQ(calls->With({{"operation", "DescribeSubnets"}}).Value(), kTotal);
  EXPECT_EQ(calls->With({{"operation", "GetJobRun"}}).Value(), kTotal * 0.25);
  EXPECT_EQ(calls->With({{"operation", "StartJobRun"}}).Value(), kTotal * 0.25);
  EXPECT_EQ(in_flight->With({}).Value(), 0);
  const Histogram::Totals totals = latency->With({}).Read();
  EXPECT_EQ(totals.count, kTotal);
  EXPECT_EQ(totals.cumulative_counts, (std::vector<uint64_t>{kTotal / 2, kTotal}));
  EXPECT_EQ(totals.sum, kTotal * 0.625);  // half at 0.25, half at 1
}

TEST(MetricsRegistry, CountersIgnoreNegativeAndNaNDeltasAndHistogramsDropNaN) {
  MetricsRegistry registry;
  Counter& c = Must(registry.AddCounter("glueguard_bytes_total", "Bytes."))->With({});
  c.Increment(5);
  c.Increment(-2);
  c.Increment(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(c.Value(), 5);

  Histogram& h = Must(registry.AddHistogram("glueguard_size_bytes", "Sizes.", {10}))->With({});
  h.Observe(std::numeric_limits<double>::quiet_NaN());
  h.Observe(std::numeric_limits<double>::infinity());
  const Histogram::Totals totals = h.Read();
  EXPECT_EQ(totals.count, 1u);
  EXPECT_EQ(totals.cumulative_counts, (std::vector<uint64_t>{0, 1}));
}

TEST(MetricsRegistry, WithResolvesLabelsInAnyOrderToOneStableSeries) {
  MetricsRegistry registry;
  GaugeFamily* g = Must(registry.AddGauge("glueguard_subnet_ips", "IPs.", {"subnet", "state"}));
  ASSERT_NE(g, nullptr);
  Gauge& first = g->With({{"subnet", "subnet-a"}, {"state", "free"}});
  Gauge& second = g->With({{"state", "free"}, {"subnet", "subnet-a"}});
  EXPECT_EQ(&first, &second);
  EXPECT_NE(&first, &g->With({{"state", "used"}, {"subnet", "subnet-a"}}));
}

TEST(MetricsRegistry, RejectsInvalidNamesAndLabelNames) {
  MetricsRegistry registry;
  for (const char* name : {"", "1glueguard_x", "glueguard-x", "glueguard x", "glueguard_é"}) {
    const Result<GaugeFamily*> r = registry.AddGauge(name, "Help.");
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << "name \"" << name << "\"";
  }
  for (const char* label : {"", "1st", "sub-net", "__name", "le", "quantile", "ünet"}) {
    const Result<GaugeFamily*> r = registry.AddGauge("glueguard_ok", "Help.", {label});
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << "label \"" << label << "\"";
  }
  EXPECT_EQ(registry.AddGauge("glueguard_ok", "Help.", {"subnet", "subnet"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.AddGauge("glueguard_ok", "").status().code(), StatusCode::kInvalidArgument);
  // The accepted extremes of the grammars.
  EXPECT_TRUE(registry.AddGauge("_glueguard:rule:x9", "Help.", {"_a1", "B"}).ok());
}

TEST(MetricsRegistry, EnforcesTotalSuffixOnCountersOnlyAndReservesHistogramSuffixes) {
  MetricsRegistry registry;
  EXPECT_EQ(registry.AddCounter("glueguard_admissions", "Help.").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(registry.AddGauge("glueguard_admissions_total", "Help.").status().code(),
            StatusCode::kInvalidArgument);
  for (const char* name : {"glueguard_wait_bucket", "glueguard_wait_sum", "glueguard_wait_count"}) {
    EXPECT_EQ(registry.AddHistogram(name, "Help.", {1}).status().code(), StatusCode::kInvalidArgument)
        << name;
    EXPECT_EQ(registry.AddGauge(name, "Help.").status().code(), StatusCode::kInvalidArgument) << name;
  }
  EXPECT_TRUE(registry.AddCounter("glueguard_admissions_total", "Help.").ok());
}

TEST(MetricsRegistry, RejectsBucketBoundsThatAreNotFiniteAndStrictlyIncreasing) {
  MetricsRegistry registry;
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  for (const std::vector<double>& bounds :
       std::vector<std::vector<double>>{{1, 1}, {2, 1}, {1, inf}, {nan}, {-inf, 0}}) {
    EXPECT_EQ(registry.AddHistogram("glueguard_wait_seconds", "Help.", bounds).status().code(),
              StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(registry.AddHistogram("glueguard_wait_seconds", "Help.", {-1, 0, 0.5}).ok());
  EXPECT_TRUE(registry.AddHistogram("glueguard_tick_seconds", "Help.", {}).ok());  // +Inf only
}

TEST(MetricsRegistry, SameNameAgainReturnsTheSameFamilyOnlyWhenIdentical) {
  MetricsRegistry registry;
  CounterFamily* first = Must(registry.AddCounter("glueguard_events_total", "Events.", {"kind"}));
  EXPECT_EQ(Must(registry.AddCounter("glueguard_events_total", "Events.", {"kind"})), first);

  EXPECT_EQ(registry.AddCounter("glueguard_events_total", "Events.", {"source"}).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(registry.AddCounter("glueguard_events_total", "Other help.", {"kind"}).status().code(),
            StatusCode::kAlreadyExists);
  ASSERT_TRUE(registry.AddGauge("glueguard_queue_depth", "Depth.").ok());
  EXPECT_EQ(registry.AddHistogram("glueguard_queue_depth", "Depth.", {1}).status().code(),
            StatusCode::kAlreadyExists);
  ASSERT_TRUE(registry.AddHistogram("glueguard_wait_seconds", "Wait.", {1, 2}).ok());
  EXPECT_EQ(registry.AddHistogram("glueguard_wait_seconds", "Wait.", {1, 3}).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(registry.AddComputedGauge("glueguard_queue_depth", "Depth.", {}, [](GaugeWriter&) {}).code(),
            StatusCode::kAlreadyExists);
}

TEST(MetricsRegistry, ComputedGaugeRunsItsCallbackAtEveryCollection) {
  MetricsRegistry registry;
  std::atomic<int> calls{0};
  std::vector<std::pair<std::string, double>> free_ips = {{"subnet-b", 7}, {"subnet-a", 250}};
  ASSERT_TRUE(registry
                  .AddComputedGauge("glueguard_subnet_free_ips", "Free IPs per subnet.", {"subnet"},
                                    [&](GaugeWriter& out) {
                                      ++calls;
                                      for (const auto& [subnet, n] : free_ips)
                                        out.Set({{"subnet", subnet}}, n);
                                    })
                  .ok());
  EXPECT_EQ(calls, 0);  // not at registration
  EXPECT_EQ(RenderPrometheusText(registry),
            "# HELP glueguard_subnet_free_ips Free IPs per subnet.\n"
            "# TYPE glueguard_subnet_free_ips gauge\n"
            "glueguard_subnet_free_ips{subnet=\"subnet-a\"} 250\n"
            "glueguard_subnet_free_ips{subnet=\"subnet-b\"} 7\n");

  free_ips = {{"subnet-b", 5}};  // subnet-a went away: so does its series
  EXPECT_EQ(RenderPrometheusText(registry),
            "# HELP glueguard_subnet_free_ips Free IPs per subnet.\n"
            "# TYPE glueguard_subnet_free_ips gauge\n"
            "glueguard_subnet_free_ips{subnet=\"subnet-b\"} 5\n");
  EXPECT_EQ(calls, 2);
}

TEST(MetricsRegistry, ComputedGaugeCallbackMayUseTheRegistry) {
  MetricsRegistry registry;
  CounterFamily* scrapes = Must(registry.AddCounter("glueguard_scrapes_total", "Scrapes."));
  ASSERT_NE(scrapes, nullptr);
  ASSERT_TRUE(registry
                  .AddComputedGauge("glueguard_up", "One.", {},
                                    [&](GaugeWriter& out) {
                                      scrapes->With({}).Increment();  // no registry lock is held here
                                      (void)registry.AddGauge("glueguard_late", "Registered mid-collection.");
                                      out.Set({}, 1);
                                    })
                  .ok());
  const std::string text = RenderPrometheusText(registry);
  EXPECT_NE(text.find("glueguard_up 1\n"), std::string::npos) << text;
  EXPECT_EQ(scrapes->With({}).Value(), 1);
  EXPECT_EQ(registry.AddComputedGauge("glueguard_no_callback", "Help.", {}, nullptr).code(),
            StatusCode::kInvalidArgument);
}

TEST(MetricsDeathTest, SeriesNamedWithOtherLabelsThanTheFamilysAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  MetricsRegistry registry;
  CounterFamily* decisions =
      Must(registry.AddCounter("glueguard_decisions_total", "D.", {"subnet", "outcome"}));
  ASSERT_NE(decisions, nullptr);
  EXPECT_DEATH(decisions->With({{"subnet", "subnet-a"}}), "glueguard_decisions_total: labels \\{subnet\\}");
  EXPECT_DEATH(decisions->With({{"subnet", "a"}, {"subnet", "b"}}), "are not the family's");
  EXPECT_DEATH(decisions->With({{"subnet", "a"}, {"result", "admit"}}), "are not the family's");
  ASSERT_TRUE(registry
                  .AddComputedGauge("glueguard_g", "G.", {"subnet"},
                                    [](GaugeWriter& out) {
                                      out.Set({{"zone", "a"}}, 1);
                                    })
                  .ok());
  EXPECT_DEATH((void)registry.Collect(), "glueguard_g: labels \\{zone\\}");
}

}  // namespace
}  // namespace glueguard
