// Capacity: the six-month capacity review as a function. Two views of each subnet's headroom at its busiest
// hour — what the stored observations saw, and what the simulator replays from the workload — and a growth
// scan: the workload's category (or job) is grown step by step, each step replayed by the same simulator
// `glueguard simulate` runs, until the watched subnet starts to hold launches (admission makes them wait) and
// to fail them (IP exhaustion, or a wait past max_wait). Deterministic in its inputs and seeds.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "config/config.h"
#include "sim/simulation.h"
#include "sim/workload.h"
#include "sim/workload_growth.h"
#include "store/observation_store.h"

namespace glueguard {

struct CapacityOptions {
  std::string policy = "rolling-max";  // as `glueguard simulate --policy`
  int days = 30;                       // simulated days per step
  uint64_t seed = 1;                   // seeds are seed, seed + 1, ...
  int seeds = 1;
  WorkloadGrowth::Kind kind = WorkloadGrowth::Kind::kCategoryPercent;
  std::string name;  // category or job to grow; empty = the first category on the workload's first subnet
  double step = 5;   // percent, or workers
  double max = 300;  // the scan stops here
  Duration since = std::chrono::hours(24 * 30);  // stored observations looked at
};

struct SubnetHeadroom {
  std::string subnet_id;
  std::string name;
  int capacity = 0;  // usable IPs
  // From stored observations (absent without a store or without observations).
  std::optional<int> observed_peak;
  Time observed_peak_at{};
  int observed_peak_hour = 0;  // UTC hour of day of the peak
  int observations = 0;
  // From the simulator at today's workload (the highest over the seeds).
  int simulated_peak = 0;
  std::optional<int> observed_headroom() const {
    return observed_peak ? std::optional<int>(capacity - *observed_peak) : std::nullopt;
  }
  int simulated_headroom() const { return capacity - simulated_peak; }
};

struct GrowthStep {
  double amount = 0;      // percent or workers
  std::string spec;       // as `glueguard simulate --grow` takes it
  SubnetOutcome watched;  // summed over the seeds
  int peak_total = 0;     // of the watched subnet, highest over the seeds
};

struct CapacityReport {
  std::string workload;
  std::string policy;
  int days = 0;
  uint64_t seed = 0;
  int seeds = 0;
  std::vector<SubnetHeadroom> subnets;
  WorkloadGrowth::Kind kind = WorkloadGrowth::Kind::kCategoryPercent;
  std::string grown;           // the category or job
  std::string watched_subnet;  // its subnet
  std::vector<GrowthStep> steps;
  // The smallest growth at which the watched subnet holds more launches than today (steps[0]), and fails more
  // (IP exhaustion or a wait past max_wait); absent when no step up to the maximum does.
  std::optional<double> first_hold;
  std::optional<double> first_failure;
};

// `store` may be null (no observed view). Errors: InvalidArgument for a bad policy, step or name; the
// store's.
Result<CapacityReport> RunCapacity(const Workload& workload, const std::vector<SubnetConfig>& subnets,
                                   ObservationStore* store, Time now, const CapacityOptions& options);

std::string FormatCapacityTable(const CapacityReport& report);
std::string FormatCapacityJson(const CapacityReport& report);

}  // namespace glueguard
