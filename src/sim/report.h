// Report: the results of simulations summarised per policy across seeds, as a side-by-side table, CSV or
// JSON. Pure and deterministic: the same results give the same bytes.
#pragma once

#include <string>
#include <vector>

#include "sim/simulation.h"

namespace glueguard {

// One policy over every seed. Counts are means per seed (a seed is one replay of `days` days); rates are over
// the pooled counts; waits are pooled over every held-and-admitted launch.
struct PolicySummary {
  std::string policy;
  int seeds = 0;
  int days = 0;
  double runs = 0;
  double exhaustion_failures = 0;
  double failure_rate = 0;  // exhaustion failures / runs
  double failures_per_week = 0;
  double launches = 0;  // launches that asked
  double held = 0;
  double held_rate = 0;  // held / launches
  double held_recovered = 0;
  double needless_holds = 0;
  double timeouts = 0;
  double rejected = 0;
  double bypass_runs = 0;
  int64_t wait_p50_ms = 0;
  int64_t wait_p95_ms = 0;
  int64_t wait_max_ms = 0;
  double wait_per_launch_s = 0;  // mean wait of every launch that asked (0 for one admitted at once)
  double reservation_overhang_s = 0;  // mean time a reservation was held after its run's ENIs appeared
  double peak_utilisation = 0;  // the highest over every seed
  double ec2_calls = 0;
  double holds_on_fast_days = 0;
  double failures_on_slow_days = 0;
  double mean_cleanup_tail_minutes = 0;
};

// REQUIRES: every result is of the same policy; `results` is not empty.
PolicySummary Summarise(const std::vector<SimulationResult>& results);

// Metrics down, policies across.
std::string FormatSummaryTable(const std::vector<PolicySummary>& summaries);
// A header and one row per policy.
std::string FormatSummaryCsv(const std::vector<PolicySummary>& summaries);
// {"policies": [...summaries...], "runs": [...every seed's result...]}.
std::string FormatSummaryJson(const std::vector<PolicySummary>& summaries,
                              const std::vector<SimulationResult>& results);

}  // namespace glueguard
