// Simulation: replays a workload in a World for a number of days under one admission policy and counts what
// happened — the capacity planner behind `glueguard simulate`.
//
// Launches of categories with admission ask before they start, the way an Airflow sensor does: a poke every
// poke_interval, each decided by the real decision core (SubnetAdmission, with reservations and the waiting
// queue) on an observation of the subnet no older than observe_interval; a launch still waiting after
// max_wait fails loudly. Ad-hoc runs marked bypass_admission, sessions and other services' ENIs never ask.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "admission/buffer_policy.h"
#include "base/status.h"
#include "sim/workload.h"

namespace glueguard {

struct SimPolicy {
  enum class Kind {
    kNoAdmission,  // "none": launches start when scheduled, blind (the seed's "before")
    kOracle,       // "oracle": exact free IPs, counting runs still provisioning, no buffer: the least waiting
    kBuffer,       // any buffer policy ("static:20", "rolling-max", ...) through the decision core
  };
  Kind kind = Kind::kBuffer;
  BufferPolicy buffer;
  // "sensor:<buffer spec>": the seed's own design, one sensor per launch with no shared controller — no
  // reservations (an admitted launch holds nothing until its ENIs show up) and a fresh observation (one EC2
  // call) on every poke.
  bool per_sensor = false;
  // "counts:<buffer spec>": observations carry counts only, no ENI list (as the seed sensor's items), so
  // reservations settle by the net growth of the total and there is no ENI timeline.
  bool counts_only = false;
  std::string name;  // as written
};

// "none", "oracle", or a buffer spec as ParseBufferPolicy reads it, optionally prefixed "sensor:" for the
// seed's per-sensor design, or "counts:" for observations without ENI lists; a bare "rolling-max" or "forecast"
// takes its window and floor from the workload's admission section. "static:0" is admission with no buffer.
Result<SimPolicy> ParseSimPolicy(std::string_view spec, const WorkloadAdmission& defaults);

// What happened to the launches of one subnet.
struct SubnetOutcome {
  int64_t launches = 0;             // launches that asked for admission
  int64_t held = 0;                 // of those, told to wait at least once
  int64_t timeouts = 0;             // still waiting at max_wait
  int64_t exhaustion_failures = 0;  // runs that FAILED for lack of free IPs (asked or not)
};

struct SimulationResult {
  std::string policy;
  uint64_t seed = 0;
  int days = 0;
  int64_t runs = 0;                 // job runs started
  int64_t exhaustion_failures = 0;  // runs that FAILED because the subnet had too few free IPs
  int64_t bypass_runs = 0;          // runs that never asked (bypass or no admission)
  int64_t launches = 0;             // launches that asked for admission
  int64_t held = 0;                 // of those, told to wait at least once
  int64_t held_recovered = 0;       // held, then admitted within max_wait
  int64_t needless_holds = 0;       // held although the launch would have fitted (exact count, no buffer)
  int64_t timeouts = 0;             // still waiting at max_wait: failed loudly, never launched
  int64_t rejected = 0;             // rejected for another reason (never fits)
  std::vector<int64_t> waits_ms;    // waiting time of every held launch that was admitted
  int64_t wait_total_ms = 0;        // waiting time of every launch that asked, admitted or timed out
  // Reservations that ended (settled or expired) after their run's first ENI appeared, and how long after.
  int64_t reservations_past_enis = 0;
  int64_t reservation_overhang_ms = 0;
  double peak_utilisation = 0;      // max over subnets and time of total ENIs / capacity
  std::map<std::string, int> peak_total;           // by subnet id
  std::map<std::string, SubnetOutcome> by_subnet;  // every subnet of the workload, by id
  int64_t ec2_calls = 0;                           // DescribeNetworkInterfaces calls made to observe subnets
  int64_t sessions = 0;
  int64_t session_failures = 0;
  double mean_cleanup_tail_minutes = 0;
  // Split by the day's cleanup factor: "slow" days have a factor above 1.
  int64_t holds_on_fast_days = 0;
  int64_t failures_on_slow_days = 0;
};

// Runs `workload` for `days` from its start under `policy`. Deterministic in (workload, policy, days, seed).
// With `trace`, writes one line per admission decision and per run that failed for lack of IPs.
SimulationResult RunSimulation(const Workload& workload, const SimPolicy& policy, int days, uint64_t seed,
                               std::ostream* trace = nullptr);

}  // namespace glueguard
