// Checks RenderPrometheusText() against the real parser and linter: Debian's `promtool check metrics`.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "metrics/metrics.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

constexpr const char* kPromtool = "/usr/bin/promtool";

template <typename T>
T* Must(Result<T*> result) {
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : nullptr;
}

struct PromtoolRun {
  int exit_code = -1;  // -1 when it could not be started or did not exit normally
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `promtool check metrics < exposition`, with its output captured in files under `dir`.
PromtoolRun CheckMetrics(const testing::TempDir& dir, const std::string& exposition) {
  const std::string in_path = dir.Write("metrics.txt", exposition);
  const std::string out_path = dir.File("promtool.out"), err_path = dir.File("promtool.err");
  const std::vector<std::string> argv_strings = {kPromtool, "check", "metrics"};
  const std::vector<std::string> env_strings = {"PATH=/usr/bin:/bin", "HOME=" + dir.path().string(),
                                                "LANG=C.UTF-8"};
  std::vector<char*> argv, envp;
  for (const std::string& a : argv_strings) argv.push_back(const_cast<char*>(a.c_str()));
  for (const std::string& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
  argv.push_back(nullptr);
  envp.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&files, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  PromtoolRun run;
  pid_t pid = 0;
  if (posix_spawn(&pid, kPromtool, &files, nullptr, argv.data(), envp.data()) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  posix_spawn_file_actions_destroy(&files);
  run.out = ReadFile(out_path);
  run.err = ReadFile(err_path);
  return run;
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
