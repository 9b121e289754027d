// `glueguard doctor` and `glueguard capacity` end to end through the command table: doctor with the real
// transport, signer and credentials chain against simcloud in this process (on the wall clock, as the CLI
// signs with it), and capacity against `glueguard simulate` on the same grown workload.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "net/curl_transport.h"
#include "simcloud/simcloud.h"
#include "testing/temp_dir.h"
#include "testing/wall_clock_simcloud.h"

namespace glueguard {
namespace {

constexpr char kSubnetA[] = "subnet-0a1b2c3d4e5f60001";

std::string Source(const std::string& path) { return std::string(GLUEGUARD_SOURCE_DIR) + "/" + path; }

struct Ran {
  int code = 0;
  std::string out;
  std::string err;
  nlohmann::json json() const { return nlohmann::json::parse(out); }
};

Ran RunGlueguard(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  std::ostringstream out, err;
  const int code = RunCli(args, out, err, FixedEnv(std::move(env)));
  return {code, out.str(), err.str()};
}

class DoctorCommand : public ::testing::Test {
 protected:
  std::map<std::string, std::string> Env() const {
    return {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
            {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
            {"AWS_REGION", "us-east-1"},
            {"AWS_ENDPOINT_URL", cloud_->endpoint()},
            {"AWS_CONFIG_FILE", "/dev/null"},
            {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"},
            {"AWS_EC2_METADATA_DISABLED", "true"},
            {"GLUEGUARD_STORE_PATH", dir_.File("glueguard.db")}};
  }
  Ran Doctor(std::vector<std::string> extra) {
    std::vector<std::string> args = {"doctor", "--config", Source("examples/glueguard.yaml")};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunGlueguard(args, Env());
  }

  testing::TempDir dir_;
  testing::WallClockSimCloud sim_{5};
  SimCloud* const cloud_ = &sim_.cloud();
};

TEST_F(DoctorCommand, NotesOrphansOnTheFirstRunDeletesThemOnTheNextAndThenHasNothingToDo) {
  const std::vector<std::string> orphans =
      cloud_->sim().With([](World& w) { return w.InjectOrphanEnis(kSubnetA, 2); });

  Ran first = Doctor({"--grace", "0s", "--output", "json"});
  ASSERT_EQ(first.code, 0) << first.err << first.out;  // seen for the first time: nothing to do yet
  EXPECT_EQ(first.json()["available_glue_enis"].size(), 2u);
  EXPECT_EQ(first.json()["available_glue_enis"][0]["verdict"], "in-grace");
  EXPECT_EQ(first.json()["identity"]["account"], "123456789012");

  Ran applied = Doctor({"--grace", "0s", "--apply"});
  ASSERT_EQ(applied.code, 0) << applied.err << applied.out;
  EXPECT_NE(applied.out.find("delete-eni"), std::string::npos) << applied.out;
  EXPECT_NE(applied.err.find("glueguard: doctor: delete " + orphans[0]), std::string::npos) << applied.err;
  for (const std::string& id : orphans) {
    EXPECT_FALSE(cloud_->sim().With([&](World& w) { return w.FindEni(id) != nullptr; })) << id;
  }

  Ran again = Doctor({"--grace", "0s", "--apply", "--output", "json"});
  EXPECT_EQ(again.code, 0) << again.out;
  EXPECT_TRUE(again.json()["actions"].empty());
  EXPECT_FALSE(again.json()["needs_attention"]);
}

TEST_F(DoctorCommand, AStuckRunMakesItExitThreeAndTheDryRunLeavesItAlone) {
  const std::string run = cloud_->sim().With([](World& w) {
    StartRunInput input;
    input.job_name = "reporting";
    const std::string id = *w.StartJobRun(input);
    EXPECT_TRUE(w.MakeRunStuck(id).ok());
    return id;
  });
  Ran dry = Doctor({"--job", "reporting", "--stuck-after", "0s", "--dry-run", "--output", "json"});
  ASSERT_EQ(dry.code, 3) << dry.err << dry.out;
  ASSERT_EQ(dry.json()["stuck_runs"].size(), 1u);
  EXPECT_EQ(dry.json()["actions"][0]["target"], "reporting/" + run);
  EXPECT_EQ(dry.json()["actions"][0]["outcome"], "planned");
  EXPECT_EQ(cloud_->sim().With([&](World& w) { return std::string(RunStateName(w.FindRun(run)->state)); }),
            "STOPPING");

  Ran applied = Doctor({"--job", "reporting", "--stuck-after", "0s", "--apply"});
  EXPECT_EQ(applied.code, 0) << applied.err << applied.out;
  EXPECT_EQ(cloud_->sim().With([&](World& w) { return std::string(RunStateName(w.FindRun(run)->state)); }),
            "STOPPED");
}

TEST(DoctorCommandUsage, BadFlagsAndConfigurationsExitTwo) {
  EXPECT_EQ(RunGlueguard({"doctor"}).code, 2);
  EXPECT_EQ(RunGlueguard({"doctor", "--config", Source("examples/glueguard.yaml"), "--grace", "soon"}).code,
            2);
  EXPECT_EQ(
      RunGlueguard({"doctor", "--config", Source("examples/glueguard.yaml"), "--apply", "--dry-run"}).code,
      2);
  EXPECT_EQ(RunGlueguard({"doctor", "--config", Source("examples/glueguard.yaml"), "--output", "xml"}).code,
            2);
  Ran bad_number =
      RunGlueguard({"doctor", "--config", Source("examples/glueguard.yaml"), "--max-deletes", "lots"});
  EXPECT_EQ(bad_number.code, 2);
  EXPECT_NE(bad_number.err.find("--max-deletes must be a number from 0 to 10000, not 'lots'"),
            std::string::npos)
      << bad_number.err;
  Ran no_trend = RunGlueguard({"doctor", "--config", Source("examples/glueguard.yaml"), "--trend-window",
                               "30m", "--trend-min-span", "1h"});
  EXPECT_EQ(no_trend.code, 2);
  EXPECT_NE(no_trend.err.find("--trend-min-span 1h0m is longer than --trend-window 30m0s"), std::string::npos)
      << no_trend.err;
  testing::TempDir dir;
  Ran broken = RunGlueguard({"doctor", "--config", dir.Write("bad.yaml", "subnets: 3\n")});
  EXPECT_EQ(broken.code, 2);
  EXPECT_NE(broken.err.find("bad.yaml"), std::string::npos) << broken.err;
  EXPECT_EQ(RunGlueguard({"doctor", "--help"}).code, 0);
}

// The growth at which subnet A starts to hold and to fail launches, as capacity finds it, is what `glueguard
// simulate` reports on the workload grown by that much: held (or failed) there, and not one step before.
TEST(CapacityCommand, AgreesWithSimulateOnTheGrownWorkload) {
  const std::string workload = Source("examples/workloads/seed-after.yaml");
  const std::vector<std::string> common = {"--policy", "rolling-max", "--days", "14", "--seed", "3"};
  std::vector<std::string> args = {"capacity", workload, "--step", "20", "--max", "300", "--output", "json"};
  args.insert(args.end(), common.begin(), common.end());
  Ran capacity = RunGlueguard(args);
  ASSERT_EQ(capacity.code, 0) << capacity.err;
  const nlohmann::json report = capacity.json();
  EXPECT_EQ(report["watched_subnet"], kSubnetA);
  EXPECT_EQ(report["grown"]["name"], "critical");
  ASSERT_EQ(report["subnets"].size(), 3u);
  EXPECT_EQ(report["subnets"][0]["capacity"], 59);
  EXPECT_EQ(report["subnets"][2]["capacity"], 27);
  ASSERT_TRUE(report["first_hold"].is_number()) << report.dump(2);
  ASSERT_TRUE(report["first_failure"].is_number()) << report.dump(2);

  auto simulate = [&](double growth) {
    std::vector<std::string> sim = {"simulate", workload, "--output",
                                    "json",     "--grow", fmt::format("category:critical+{:g}%", growth)};
    sim.insert(sim.end(), common.begin(), common.end());
    Ran ran = RunGlueguard(sim);
    EXPECT_EQ(ran.code, 0) << ran.err;
    return ran.json()["runs"][0]["by_subnet"][kSubnetA];
  };
  const nlohmann::json today = simulate(0);
  auto failed = [](const nlohmann::json& o) {
    return o["timeouts"].get<int>() + o["exhaustion_failures"].get<int>();
  };
  const double hold_at = report["first_hold"];
  const double fail_at = report["first_failure"];
  ASSERT_GT(hold_at, 0);
  ASSERT_GT(fail_at, 0);
  EXPECT_GT(simulate(hold_at)["held"].get<int>(), today["held"].get<int>());
  EXPECT_LE(simulate(hold_at - 20)["held"].get<int>(), today["held"].get<int>());
  EXPECT_GT(failed(simulate(fail_at)), failed(today));
  EXPECT_LE(failed(simulate(fail_at - 20)), failed(today));
  EXPECT_EQ(report["steps"][0]["held"], today["held"]);
}

}  // namespace
}  // namespace glueguard
