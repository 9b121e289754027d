#include "doctor/capacity.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace glueguard {

namespace {

struct StepRun {
  SubnetOutcome watched;
  int peak_total = 0;
  std::map<std::string, int> peaks;  // every subnet, highest over the seeds
};

StepRun Replay(const Workload& workload, const SimPolicy& policy, const CapacityOptions& options,
               const std::string& watched) {
  StepRun run;
  for (int i = 0; i < options.seeds; ++i) {
    const SimulationResult r =
        RunSimulation(workload, policy, options.days, options.seed + static_cast<uint64_t>(i));
    auto it = r.by_subnet.find(watched);
    if (it != r.by_subnet.end()) {
      run.watched.launches += it->second.launches;
      run.watched.held += it->second.held;
      run.watched.timeouts += it->second.timeouts;
      run.watched.exhaustion_failures += it->second.exhaustion_failures;
    }
    for (const auto& [subnet, peak] : r.peak_total) run.peaks[subnet] = std::max(run.peaks[subnet], peak);
  }
  run.peak_total = run.peaks[watched];
  return run;
}

int HourOfDay(Time t) {
  const int64_t ms_in_day = 24LL * 3'600'000;
  const int64_t ms = ((ToUnixMillis(t) % ms_in_day) + ms_in_day) % ms_in_day;
  return static_cast<int>(ms / 3'600'000);
}

}  // namespace

Result<CapacityReport> RunCapacity(const Workload& workload, const std::vector<SubnetConfig>& subnets,
                                   ObservationStore* store, Time now, const CapacityOptions& options) {
  if (!(options.step > 0) || !(options.max >= options.step) || options.days < 1 || options.seeds < 1) {
    return Status::InvalidArgument(
        "the step must be above 0 and at most the maximum; days and seeds at least 1");
  }
  Result<SimPolicy> policy = ParseSimPolicy(options.policy, workload.admission);
  if (!policy.ok()) return policy.status();

  CapacityReport report;
  report.workload = workload.source;
  report.policy = options.policy;
  report.days = options.days;
  report.seed = options.seed;
  report.seeds = options.seeds;
  report.kind = options.kind;
  report.grown = options.name;
  // What grows, and the subnet it lands in.
  if (report.grown.empty()) {
    if (options.kind == WorkloadGrowth::Kind::kJobWorkers)
      return Status::InvalidArgument("name a job to grow");
    for (const WorkloadCategory& c : workload.categories) {
      if (!workload.subnets.empty() && c.subnet == workload.subnets.front().id) {
        report.grown = c.name;
        break;
      }
    }
    if (report.grown.empty()) return Status::InvalidArgument("no category uses the workload's first subnet");
  }
  if (options.kind == WorkloadGrowth::Kind::kCategoryPercent) {
    const WorkloadCategory* category = workload.FindCategory(report.grown);
    if (category == nullptr)
      return Status::InvalidArgument("the workload has no category '" + report.grown + "'");
    report.watched_subnet = category->subnet;
  } else {
    const WorkloadJob* job = workload.FindJob(report.grown);
    const WorkloadCategory* category = job ? workload.FindCategory(job->category) : nullptr;
    if (category == nullptr)
      return Status::InvalidArgument("the workload has no scheduled job '" + report.grown + "'");
    report.watched_subnet = category->subnet;
  }

  // The scan; step 0 is today's workload and gives the simulated headroom.
  std::map<std::string, int> baseline_peaks;
  const int steps = static_cast<int>(std::floor(options.max / options.step + 1e-9));
  for (int i = 0; i <= steps; ++i) {
    WorkloadGrowth growth;
    growth.kind = options.kind;
    growth.name = report.grown;
    const double amount = options.step * i;
    if (options.kind == WorkloadGrowth::Kind::kCategoryPercent) {
      growth.percent = amount;
    } else {
      growth.workers = static_cast<int>(std::lround(amount));
    }
    Workload grown = workload;
    GG_RETURN_IF_ERROR(ApplyWorkloadGrowth(grown, growth));
    const StepRun run = Replay(grown, *policy, options, report.watched_subnet);
    if (i == 0) baseline_peaks = run.peaks;
    GrowthStep step;
    step.amount = amount;
    step.spec = FormatWorkloadGrowth(growth);
    step.watched = run.watched;
    step.peak_total = run.peak_total;
    report.steps.push_back(step);
    // "Starts to" is measured against today: a subnet that already holds a launch now and then starts to hold
    // when it holds more than it does at +0 (common random numbers make the steps comparable).
    const GrowthStep& today = report.steps.front();
    const auto failed = [](const GrowthStep& g) {
      return g.watched.timeouts + g.watched.exhaustion_failures;
    };
    if (!report.first_hold && (step.watched.held > today.watched.held)) report.first_hold = amount;
    if (!report.first_failure && failed(step) > failed(today)) report.first_failure = amount;
    if (report.first_hold && report.first_failure) break;
  }

  for (const SubnetConfig& s : subnets) {
    SubnetHeadroom h;
    h.subnet_id = s.id;
    h.name = s.name;
    h.capacity = s.cidr.UsableIps();
    h.simulated_peak = baseline_peaks.count(s.id) ? baseline_peaks.at(s.id) : 0;
    if (store != nullptr) {
      Result<std::vector<Observation>> seen =
          store->ObservationsBetween(s.id, now - options.since, now + Duration(1));
      if (!seen.ok()) return seen.status().WithContext("reading observations of " + s.id);
      h.observations = static_cast<int>(seen->size());
      for (const Observation& o : *seen) {
        if (h.observed_peak && o.total_enis <= *h.observed_peak) continue;
        h.observed_peak = o.total_enis;
        h.observed_peak_at = o.observed_at;
        h.observed_peak_hour = HourOfDay(o.observed_at);
      }
    }
    report.subnets.push_back(h);
  }
  return report;
}

namespace {

std::string Amount(const CapacityReport& r, double amount) {
  return r.kind == WorkloadGrowth::Kind::kCategoryPercent ? fmt::format("+{:g}%", amount)
                                                          : fmt::format("+{:g} workers", amount);
}

}  // namespace

std::string FormatCapacityTable(const CapacityReport& r) {
  std::string out =
      fmt::format("capacity of {} under {} ({} simulated days, seed {}{})\n\n", r.workload, r.policy, r.days,
                  r.seed, r.seeds > 1 ? fmt::format(" and {} more", r.seeds - 1) : "");
  out += fmt::format("{:<26} {:<10} {:>4}  {:>13} {:>9}  {:>14} {:>9}\n", "SUBNET", "NAME", "IPS",
                     "OBSERVED PEAK", "HEADROOM", "SIMULATED PEAK", "HEADROOM");
  for (const SubnetHeadroom& h : r.subnets) {
    const std::string observed =
        h.observed_peak ? fmt::format("{} at {:02}h", *h.observed_peak, h.observed_peak_hour) : "-";
    const std::string observed_headroom = h.observed_peak ? fmt::format("{}", *h.observed_headroom()) : "-";
    out += fmt::format("{:<26} {:<10} {:>4}  {:>13} {:>9}  {:>14} {:>9}\n", h.subnet_id, h.name, h.capacity,
                       observed, observed_headroom, h.simulated_peak, h.simulated_headroom());
  }
  out += fmt::format("\ngrowing {} {} (subnet {}):\n",
                     r.kind == WorkloadGrowth::Kind::kCategoryPercent ? "category" : "job", r.grown,
                     r.watched_subnet);
  out += fmt::format("  {:<14} {:>8} {:>6} {:>8} {:>9} {:>5}\n", "GROWTH", "LAUNCHES", "HELD", "TIMEOUTS",
                     "EXHAUSTED", "PEAK");
  for (const GrowthStep& s : r.steps) {
    out += fmt::format("  {:<14} {:>8} {:>6} {:>8} {:>9} {:>5}\n", Amount(r, s.amount), s.watched.launches,
                       s.watched.held, s.watched.timeouts, s.watched.exhaustion_failures, s.peak_total);
  }
  out += "\n";
  const GrowthStep& today = r.steps.front();
  out += fmt::format("today (+0): {} of {} launches held, {} timed out, {} failed for lack of IPs\n",
                     today.watched.held, today.watched.launches, today.watched.timeouts,
                     today.watched.exhaustion_failures);
  const std::string last = Amount(r, r.steps.back().amount);
  out += r.first_hold
             ? fmt::format("{} holds more launches than today from {}\n", r.watched_subnet,
                           Amount(r, *r.first_hold))
             : fmt::format("{} holds no more launches than today up to {}\n", r.watched_subnet, last);
  out += r.first_failure
             ? fmt::format("{} fails more launches than today from {}\n", r.watched_subnet,
                           Amount(r, *r.first_failure))
             : fmt::format("{} fails no more launches than today up to {}\n", r.watched_subnet, last);
  out += fmt::format(
      "check a step: glueguard simulate {} --policy {} --days {} --seed {} --grow <GROWTH spec>\n",
      r.workload, r.policy, r.days, r.seed);
  return out;
}

std::string FormatCapacityJson(const CapacityReport& r) {
  using nlohmann::ordered_json;
  ordered_json subnets = ordered_json::array();
  for (const SubnetHeadroom& h : r.subnets) {
    ordered_json s = {{"subnet_id", h.subnet_id},
                      {"name", h.name},
                      {"capacity", h.capacity},
                      {"observations", h.observations},
                      {"observed_peak", nullptr},
                      {"observed_peak_at", nullptr},
                      {"observed_headroom", nullptr},
                      {"simulated_peak", h.simulated_peak},
                      {"simulated_headroom", h.simulated_headroom()}};
    if (h.observed_peak) {
      s["observed_peak"] = *h.observed_peak;
      s["observed_peak_at"] = FormatTime(h.observed_peak_at);
      s["observed_headroom"] = *h.observed_headroom();
    }
    subnets.push_back(s);
  }
  ordered_json steps = ordered_json::array();
  for (const GrowthStep& s : r.steps) {
    steps.push_back({{"amount", s.amount},
                     {"grow", s.spec},
                     {"launches", s.watched.launches},
                     {"held", s.watched.held},
                     {"timeouts", s.watched.timeouts},
                     {"exhaustion_failures", s.watched.exhaustion_failures},
                     {"peak_total", s.peak_total}});
  }
  ordered_json doc = {
      {"workload", r.workload},
      {"policy", r.policy},
      {"days", r.days},
      {"seed", r.seed},
      {"seeds", r.seeds},
      {"grown",
       {{"kind", r.kind == WorkloadGrowth::Kind::kCategoryPercent ? "category" : "job"}, {"name", r.grown}}},
      {"watched_subnet", r.watched_subnet},
      {"subnets", subnets},
      {"steps", steps},
      {"first_hold", nullptr},
      {"first_failure", nullptr}};
  if (r.first_hold) doc["first_hold"] = *r.first_hold;
  if (r.first_failure) doc["first_failure"] = *r.first_failure;
  return doc.dump(2) + "\n";
}

}  // namespace glueguard
