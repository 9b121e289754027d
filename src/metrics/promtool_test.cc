// Checks RenderPrometheusText() against the real parser and linter: Debian's `promtool check metrics`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "metrics/metrics.h"
#include "testing/process.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

constexpr const char* kPromtool = "/usr/bin/promtool";

template <typename T>
T* Must(Result<T*> result) {
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : nullptr;
}

using PromtoolRun = testing::FinishedRun;

// `promtool check metrics < exposition`, with its output captured in files under `dir`.
PromtoolRun CheckMetrics(const testing::TempDir& dir, const std::string& exposition) {
  const std::string in_path = dir.Write("metrics.txt", exposition);
  return testing::RunToCompletion({kPromtool, "check", "metrics"},
                                  {"PATH=/usr/bin:/bin", "HOME=" + dir.path().string(), "LANG=C.UTF-8"}, dir,
                                  "promtool", in_path);
}

TEST(MetricsPromtool, AcceptsEveryKindWithAwkwardLabelValuesWithoutLintProblems) {
  if (!std::filesystem::exists(kPromtool))
    GTEST_SKIP() << kPromtool << " is missing (Debian package prometheus)";
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::string> awkward = {
      "subnet-0a1b2c3d",     "with \"quotes\"", "back\\slash", "trailing\\", "new\nline", "",
      "{}=,# not a comment", "sübnet-é ✓",
  };

  MetricsRegistry registry;
  CounterFamily* decisions =
      Must(registry.AddCounter("glueguard_admission_decisions_total",
                               "Admission decisions by subnet and outcome.", {"subnet", "outcome"}));
  CounterFamily* ticks =
      Must(registry.AddCounter("glueguard_reconcile_ticks_total", "Reconcile loop ticks."));
  GaugeFamily* running = Must(registry.AddGauge("glueguard_jobs_running", "Glue job runs in progress."));
  GaugeFamily* odd =
      Must(registry.AddGauge("glueguard_odd_values", "Values \"with\" a \\ and a\nnew line.", {"kind"}));
  HistogramFamily* wait =
      Must(registry.AddHistogram("glueguard_admission_wait_seconds", "Time admissions waited for capacity.",
                                 {0.005, 0.1, 1, 10, 300}, {"subnet"}));
  HistogramFamily* scrape =
      Must(registry.AddHistogram("glueguard_scrape_duration_seconds", "Scrape time.", {0.5}));
  ASSERT_TRUE(decisions && ticks && running && odd && wait && scrape);
  ASSERT_TRUE(registry.AddCounter("glueguard_unused_total", "Never incremented.", {"subnet"}).ok());
  ASSERT_TRUE(registry
                  .AddComputedGauge("glueguard_subnet_free_ips", "Free IP addresses per subnet.", {"subnet"},
                                    [&](GaugeWriter& out) {
                                      double n = 0;
                                      for (const std::string& subnet : awkward)
                                        out.Set({{"subnet", subnet}}, n++);
                                    })
                  .ok());

  for (const std::string& subnet : awkward) {
    decisions->With({{"subnet", subnet}, {"outcome", "admit"}}).Increment(3);
    decisions->With({{"subnet", subnet}, {"outcome", "hold"}}).Increment(0.5);
    Histogram& h = wait->With({{"subnet", subnet}});
    for (const double v : {0.001, 0.1, 2.5, 1e6}) h.Observe(v);
  }
  ticks->With({}).Increment(1e17);
  running->With({}).Set(12);
  odd->With({{"kind", "nan"}}).Set(std::numeric_limits<double>::quiet_NaN());
  odd->With({{"kind", "inf"}}).Set(inf);
  odd->With({{"kind", "minus_inf"}}).Set(-inf);
  odd->With({{"kind", "tiny"}}).Set(1e-300);
  odd->With({{"kind", "negative"}}).Set(-0.125);
  scrape->With({}).Observe(0.01);

  testing::TempDir dir;
  const std::string text = RenderPrometheusText(registry);
  const PromtoolRun run = CheckMetrics(dir, text);
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err << "\n--- input:\n" << text;
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "");
}

// Pins that the check above can fail: promtool must be reading what we give it and linting it.
TEST(MetricsPromtool, ReportsLintProblemsInHandWrittenText) {
  if (!std::filesystem::exists(kPromtool))
    GTEST_SKIP() << kPromtool << " is missing (Debian package prometheus)";
  testing::TempDir dir;
  const PromtoolRun run = CheckMetrics(dir,
                                       "# HELP glueguard_admissions Admissions.\n"
                                       "# TYPE glueguard_admissions counter\n"
                                       "glueguard_admissions 1\n");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE((run.out + run.err).find("_total"), std::string::npos) << run.out << run.err;

  const PromtoolRun broken = CheckMetrics(dir, "glueguard_x{subnet=\"unterminated} 1\n");
  EXPECT_NE(broken.exit_code, 0);
}

}  // namespace
}  // namespace glueguard
