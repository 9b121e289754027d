#include "sim/simulation.h"

#include <gtest/gtest.h>

#include "sim/report.h"

namespace glueguard {
namespace {

Workload Load(const std::string& name) {
  Result<Workload> w = LoadWorkloadFile(std::string(GLUEGUARD_SOURCE_DIR) + "/examples/workloads/" + name);
  EXPECT_TRUE(w.ok()) << w.status().message();
  return *w;
}

SimPolicy Policy(const std::string& spec, const Workload& w) {
  Result<SimPolicy> p = ParseSimPolicy(spec, w.admission);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return *p;
}

// One /26 (subnet-a) with one category (batch), fixed ENI delays and an 8-minute cleanup tail, and `jobs`.
Workload OneSubnet(const std::string& jobs) {
  Result<Workload> w = ParseWorkload(R"(
start: 2026-01-05T00:00:00Z
enis: {provision_delay: 30s, detach_delay: 30s, cleanup_tail: 8m, day_factor: 1}
subnets: [{id: subnet-a, cidr: 10.0.0.0/26}]
categories: [{name: batch, subnet: subnet-a}]
jobs:
)" + jobs,
                                     "one-subnet.yaml");
  EXPECT_TRUE(w.ok()) << w.status().message();
  return *w;
}

// Three 10-worker jobs at the same minute in a /26 with 30 ENIs lingering from a backfill: blind launches
// fail, admission holds the third until the tail clears.
Workload Burst() {
  return OneSubnet(R"(
  - {name: backfill, category: batch, schedule: "0 6 * * *", workers: 30, duration: 55m}
  - {name: j1, category: batch, schedule: "0 7 * * *", workers: 10, duration: 30m}
  - {name: j2, category: batch, schedule: "0 7 * * *", workers: 10, duration: 30m}
  - {name: j3, category: batch, schedule: "0 7 * * *", workers: 10, duration: 30m}
)");
}

TEST(SimPolicyParse, KnowsNoneOracleAndBufferSpecs) {
  WorkloadAdmission defaults;
  defaults.history = 7;
  defaults.min_buffer = 4;
  EXPECT_EQ(ParseSimPolicy("none", defaults)->kind, SimPolicy::Kind::kNoAdmission);
  EXPECT_EQ(ParseSimPolicy("oracle", defaults)->kind, SimPolicy::Kind::kOracle);
  Result<SimPolicy> rolling = ParseSimPolicy("rolling-max", defaults);
  EXPECT_EQ(rolling->buffer.window, 7);
  EXPECT_EQ(rolling->buffer.floor, 4);
  EXPECT_EQ(ParseSimPolicy("static:20", defaults)->buffer.static_ips, 20);
  Result<SimPolicy> bad = ParseSimPolicy("roling-max", defaults);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("oracle"), std::string::npos);
}

TEST(Simulation, BlindLaunchesIntoALingeringTailFail) {
  const Workload w = Burst();
  const SimulationResult r = RunSimulation(w, Policy("none", w), 1, 1);
  // 06:00 backfill takes 30; at 07:00 its 30 ENIs linger (tail 8m after 06:56), j1 and j2 fit (59 - 30 = 29
  // free: only two of three 10s), j3 fails.
  EXPECT_EQ(r.runs, 4);
  EXPECT_EQ(r.exhaustion_failures, 1);
  EXPECT_EQ(r.launches, 0);
  EXPECT_EQ(r.ec2_calls, 0);
}

TEST(Simulation, AdmissionHoldsTheLaunchThatWouldFailAndLaunchesItWhenTheTailClears) {
  const Workload w = Burst();
  const SimulationResult r = RunSimulation(w, Policy("static:0", w), 1, 1);
  EXPECT_EQ(r.exhaustion_failures, 0);
  EXPECT_EQ(r.launches, 4);
  EXPECT_EQ(r.held, 1);
  EXPECT_EQ(r.held_recovered, 1);
  EXPECT_EQ(r.needless_holds, 0);
  EXPECT_EQ(r.timeouts, 0);
  ASSERT_EQ(r.waits_ms.size(), 1u);
  EXPECT_GT(r.waits_ms[0], 0);
  EXPECT_LE(r.waits_ms[0], 10 * 60 * 1000);
  EXPECT_GT(r.ec2_calls, 0);
}

TEST(Simulation, PerSensorDesignWithoutReservationsLetsSimultaneousLaunchesRace) {
  const Workload w = Burst();
  const SimPolicy sensor = Policy("sensor:static:0", w);
  EXPECT_TRUE(sensor.per_sensor);
  const SimulationResult seed_design = RunSimulation(w, sensor, 1, 1);
  // All three 07:00 launches see the same 29 free IPs and go; the third's ENIs do not fit.
  EXPECT_EQ(seed_design.exhaustion_failures, 1);
  EXPECT_EQ(seed_design.held, 0);
  // Reservations make the third wait instead.
  EXPECT_EQ(RunSimulation(w, Policy("static:0", w), 1, 1).exhaustion_failures, 0);
}

// A scheduled job marked bypass_admission starts from the console at its time, never asking, even where
// admission holds everything else: the demo's "manual run in the wrong subnet".
TEST(Simulation, AScheduledConsoleRunNeverAsks) {
  const Workload w = OneSubnet(R"(
  - {name: asks, category: batch, schedule: "0 7 * * *", workers: 10, duration: 30m}
  - {name: console, category: batch, schedule: "30 8 * * *", workers: 25, duration: 30m, bypass_admission: true}
)");
  EXPECT_TRUE(w.FindJob("console")->bypass_admission);
  EXPECT_FALSE(w.FindJob("asks")->bypass_admission);
  const SimulationResult r = RunSimulation(w, Policy("static:0", w), 1, 1);
  EXPECT_EQ(r.runs, 2);
  EXPECT_EQ(r.launches, 1);
  EXPECT_EQ(r.bypass_runs, 1);
}

TEST(Simulation, OracleNeverFailsAndNeverHoldsNeedlessly) {
  const Workload w = Burst();
  const SimulationResult r = RunSimulation(w, Policy("oracle", w), 1, 1);
  EXPECT_EQ(r.exhaustion_failures, 0);
  EXPECT_EQ(r.needless_holds, 0);
  EXPECT_EQ(r.held, 1);
}

TEST(Simulation, AHugeStaticBufferHoldsUntilMaxWaitAndFailsLoudly) {
  const Workload w = Burst();
  const SimulationResult r = RunSimulation(w, Policy("static:35", w), 1, 1);
  EXPECT_GT(r.timeouts, 0);
  EXPECT_GT(r.needless_holds, 0);
  EXPECT_EQ(r.held, r.held_recovered + r.timeouts);
}

TEST(Simulation, SameSeedGivesTheSameReportByteForByte) {
  const Workload w = Load("seed-after.yaml");
  const SimPolicy p = Policy("rolling-max", w);
  std::vector<SimulationResult> a = {RunSimulation(w, p, 14, 3), RunSimulation(w, p, 14, 4)};
  std::vector<SimulationResult> b = {RunSimulation(w, p, 14, 3), RunSimulation(w, p, 14, 4)};
  EXPECT_EQ(FormatSummaryJson({Summarise(a)}, a), FormatSummaryJson({Summarise(b)}, b));
  EXPECT_EQ(FormatSummaryTable({Summarise(a)}), FormatSummaryTable({Summarise(b)}));
  const SimulationResult other = RunSimulation(w, p, 14, 5);
  EXPECT_NE(FormatSummaryJson({Summarise({other})}, {other}), FormatSummaryJson({Summarise({a[0]})}, {a[0]}));
}

TEST(Simulation, PoliciesSeeTheSameDays) {
  // Common random numbers: the scheduled and ad-hoc arrivals do not depend on the policy.
  const Workload w = Load("seed-after.yaml");
  const SimulationResult none = RunSimulation(w, Policy("none", w), 30, 2);
  const SimulationResult oracle = RunSimulation(w, Policy("oracle", w), 30, 2);
  EXPECT_EQ(none.runs, oracle.runs + oracle.timeouts + oracle.rejected);
}

TEST(Simulation, ForecastHoldsLessThanRollingMaxOnTheSeedsWorkloadWithoutFailures) {
  // rolling-max counts the lingering ENIs twice (free already leaves them out); the forecast, once it has a
  // week of ENI history, allows only for the uncontrolled growth it measured. 90 days x 4 seeds:
  // rolling-max holds 18 launches for nothing and times 8 out; the forecast holds 4 and times none out.
  const Workload w = Load("seed-after.yaml");
  int64_t rolling_held = 0, forecast_held = 0, rolling_timeouts = 0, forecast_timeouts = 0, failures = 0;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    const SimulationResult rolling = RunSimulation(w, Policy("rolling-max", w), 90, seed);
    const SimulationResult forecast = RunSimulation(w, Policy("forecast", w), 90, seed);
    rolling_held += rolling.needless_holds;
    forecast_held += forecast.needless_holds;
    rolling_timeouts += rolling.timeouts;
    forecast_timeouts += forecast.timeouts;
    failures += forecast.exhaustion_failures;
  }
  EXPECT_EQ(failures, 0);
  EXPECT_LT(forecast_held * 3, rolling_held);
  EXPECT_LT(forecast_timeouts, rolling_timeouts);
}

TEST(Simulation, ReservationsSettledByTheirEnisEndSoonerThanByNetGrowth) {
  // Same decisions (the forecast asks for more history than the run has, so it decides as rolling-max),
  // observed every minute: with ENI lists a reservation ends at the first poll that lists its ENIs; with counts
  // only, deletions meanwhile hide them.
  const Workload w = Load("seed-after.yaml");
  SimPolicy identity_policy = Policy("forecast", w);
  SimPolicy growth_policy = Policy("counts:forecast", w);
  for (SimPolicy* p : {&identity_policy, &growth_policy}) p->buffer.forecast.min_history = std::chrono::hours(24 * 8);
  int64_t by_identity_ms = 0, by_identity = 0, by_growth_ms = 0, by_growth = 0;
  for (uint64_t seed = 1; seed <= 2; ++seed) {
    const SimulationResult identity = RunSimulation(w, identity_policy, 7, seed);
    const SimulationResult growth = RunSimulation(w, growth_policy, 7, seed);
    EXPECT_EQ(identity.held, growth.held);
    by_identity_ms += identity.reservation_overhang_ms;
    by_identity += identity.reservations_past_enis;
    by_growth_ms += growth.reservation_overhang_ms;
    by_growth += growth.reservations_past_enis;
  }
  ASSERT_GT(by_identity, 0);
  ASSERT_GT(by_growth, 0);
  // Identity: within one poll interval of the ENIs; net growth: longer on average.
  EXPECT_LE(by_identity_ms / by_identity, 60'000);
  EXPECT_LT(by_identity_ms / by_identity, by_growth_ms / by_growth);
}

TEST(Report, TableHasAColumnPerPolicyAndCsvARow) {
  const Workload w = Burst();
  std::vector<PolicySummary> summaries;
  for (const char* spec : {"none", "static:0"}) {
    summaries.push_back(Summarise({RunSimulation(w, Policy(spec, w), 1, 1)}));
  }
  const std::string table = FormatSummaryTable(summaries);
  EXPECT_NE(table.find("exhaustion failures"), std::string::npos);
  EXPECT_NE(table.find("static:0"), std::string::npos);
  const std::string csv = FormatSummaryCsv(summaries);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  EXPECT_EQ(csv.rfind("policy,seeds,days,runs,exhaustion_failures,failure_rate", 0), 0u);
}

}  // namespace
}  // namespace glueguard
