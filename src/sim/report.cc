#include "sim/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>

#include "base/time.h"

namespace glueguard {
namespace {

int64_t Percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::string Count(double v, int seeds) {
  return seeds == 1 ? fmt::format("{:.0f}", v) : fmt::format("{:.1f}", v);
}
std::string Percent(double v) { return fmt::format("{:.1f}%", 100 * v); }
std::string Wait(int64_t ms) { return ms == 0 ? "-" : FormatDuration(Duration{ms}); }

struct Row {
  const char* label;
  const char* key;  // CSV column
  std::function<std::string(const PolicySummary&)> value;
};

std::vector<Row> Rows() {
  return {
      {"runs", "runs", [](const PolicySummary& s) { return Count(s.runs, s.seeds); }},
      {"exhaustion failures", "exhaustion_failures",
       [](const PolicySummary& s) { return Count(s.exhaustion_failures, s.seeds); }},
      {"failure rate", "failure_rate", [](const PolicySummary& s) { return Percent(s.failure_rate); }},
      {"failures per week", "failures_per_week",
       [](const PolicySummary& s) { return fmt::format("{:.2f}", s.failures_per_week); }},
      {"launches asking", "launches", [](const PolicySummary& s) { return Count(s.launches, s.seeds); }},
      {"launches held", "held", [](const PolicySummary& s) { return Count(s.held, s.seeds); }},
      {"held rate", "held_rate", [](const PolicySummary& s) { return Percent(s.held_rate); }},
      {"held, recovered in max wait", "held_recovered",
       [](const PolicySummary& s) { return Count(s.held_recovered, s.seeds); }},
      {"needless holds", "needless_holds",
       [](const PolicySummary& s) { return Count(s.needless_holds, s.seeds); }},
      {"holds on fast days", "holds_on_fast_days",
       [](const PolicySummary& s) { return Count(s.holds_on_fast_days, s.seeds); }},
      {"failures on slow days", "failures_on_slow_days",
       [](const PolicySummary& s) { return Count(s.failures_on_slow_days, s.seeds); }},
      {"fail-loud timeouts", "timeouts", [](const PolicySummary& s) { return Count(s.timeouts, s.seeds); }},
      {"wait p50", "wait_p50", [](const PolicySummary& s) { return Wait(s.wait_p50_ms); }},
      {"wait p95", "wait_p95", [](const PolicySummary& s) { return Wait(s.wait_p95_ms); }},
      {"wait max", "wait_max", [](const PolicySummary& s) { return Wait(s.wait_max_ms); }},
      {"wait per launch (mean s)", "wait_per_launch_s",
       [](const PolicySummary& s) { return fmt::format("{:.2f}", s.wait_per_launch_s); }},
      {"reservation past its ENIs (mean s)", "reservation_overhang_s",
       [](const PolicySummary& s) { return fmt::format("{:.0f}", s.reservation_overhang_s); }},
      {"peak utilisation", "peak_utilisation",
       [](const PolicySummary& s) { return Percent(s.peak_utilisation); }},
      {"EC2 calls", "ec2_calls", [](const PolicySummary& s) { return Count(s.ec2_calls, s.seeds); }},
      {"runs not asking", "bypass_runs",
       [](const PolicySummary& s) { return Count(s.bypass_runs, s.seeds); }},
      {"cleanup tail mean (min)", "cleanup_tail_minutes",
       [](const PolicySummary& s) { return fmt::format("{:.1f}", s.mean_cleanup_tail_minutes); }},
  };
}

}  // namespace

PolicySummary Summarise(const std::vector<SimulationResult>& results) {
  PolicySummary s;
  s.policy = results.front().policy;
  s.seeds = static_cast<int>(results.size());
  s.days = results.front().days;
  std::vector<int64_t> waits;
  int64_t runs = 0, failures = 0, launches = 0, held = 0;
  for (const SimulationResult& r : results) {
    runs += r.runs;
    failures += r.exhaustion_failures;
    launches += r.launches;
    held += r.held;
    s.held_recovered += static_cast<double>(r.held_recovered);
    s.needless_holds += static_cast<double>(r.needless_holds);
    s.timeouts += static_cast<double>(r.timeouts);
    s.rejected += static_cast<double>(r.rejected);
    s.bypass_runs += static_cast<double>(r.bypass_runs);
    s.ec2_calls += static_cast<double>(r.ec2_calls);
    s.holds_on_fast_days += static_cast<double>(r.holds_on_fast_days);
    s.failures_on_slow_days += static_cast<double>(r.failures_on_slow_days);
    s.mean_cleanup_tail_minutes += r.mean_cleanup_tail_minutes;
    s.peak_utilisation = std::max(s.peak_utilisation, r.peak_utilisation);
    waits.insert(waits.end(), r.waits_ms.begin(), r.waits_ms.end());
  }
  const double n = static_cast<double>(results.size());
  s.runs = static_cast<double>(runs) / n;
  s.exhaustion_failures = static_cast<double>(failures) / n;
  s.launches = static_cast<double>(launches) / n;
  s.held = static_cast<double>(held) / n;
  for (double* v :
       {&s.held_recovered, &s.needless_holds, &s.timeouts, &s.rejected, &s.bypass_runs, &s.ec2_calls,
        &s.holds_on_fast_days, &s.failures_on_slow_days, &s.mean_cleanup_tail_minutes}) {
    *v /= n;
  }
  s.failure_rate = runs ? static_cast<double>(failures) / static_cast<double>(runs) : 0;
  s.failures_per_week = s.days ? s.exhaustion_failures * 7.0 / s.days : 0;
  s.held_rate = launches ? static_cast<double>(held) / static_cast<double>(launches) : 0;
  std::sort(waits.begin(), waits.end());
  s.wait_p50_ms = Percentile(waits, 0.50);
  s.wait_p95_ms = Percentile(waits, 0.95);
  s.wait_max_ms = waits.empty() ? 0 : waits.back();
  int64_t wait_total_ms = 0;
  int64_t past = 0;
  int64_t overhang_ms = 0;
  for (const SimulationResult& r : results) {
    wait_total_ms += r.wait_total_ms;
    past += r.reservations_past_enis;
    overhang_ms += r.reservation_overhang_ms;
  }
  s.reservation_overhang_s = past ? static_cast<double>(overhang_ms) / 1000.0 / static_cast<double>(past) : 0;
  s.wait_per_launch_s = launches ? static_cast<double>(wait_total_ms) / 1000.0 / static_cast<double>(launches) : 0;
  return s;
}

std::string FormatSummaryTable(const std::vector<PolicySummary>& summaries) {
  if (summaries.empty()) return "";
  const std::vector<Row> rows = Rows();
  size_t label_width = 0;
  for (const Row& row : rows) label_width = std::max(label_width, std::string(row.label).size());
  std::vector<size_t> widths;
  for (const PolicySummary& s : summaries) {
    size_t w = s.policy.size();
    for (const Row& row : rows) w = std::max(w, row.value(s).size());
    widths.push_back(w);
  }
  std::string out = fmt::format("{} days x {} seed(s); counts are per seed\n\n", summaries.front().days,
                                summaries.front().seeds);
  out += fmt::format("{:<{}}", "", label_width);
  for (size_t i = 0; i < summaries.size(); ++i)
    out += fmt::format("  {:>{}}", summaries[i].policy, widths[i]);
  out += "\n";
  for (const Row& row : rows) {
    out += fmt::format("{:<{}}", row.label, label_width);
    for (size_t i = 0; i < summaries.size(); ++i)
      out += fmt::format("  {:>{}}", row.value(summaries[i]), widths[i]);
    out += "\n";
  }
  return out;
}

std::string FormatSummaryCsv(const std::vector<PolicySummary>& summaries) {
  const std::vector<Row> rows = Rows();
  std::string out = "policy,seeds,days";
  for (const Row& row : rows) out += fmt::format(",{}", row.key);
  out += "\n";
  for (const PolicySummary& s : summaries) {
    out += fmt::format("{},{},{}", s.policy, s.seeds, s.days);
    for (const Row& row : rows) out += "," + row.value(s);
    out += "\n";
  }
  return out;
}

std::string FormatSummaryJson(const std::vector<PolicySummary>& summaries,
                              const std::vector<SimulationResult>& results) {
  nlohmann::ordered_json doc;
  doc["policies"] = nlohmann::ordered_json::array();
  for (const PolicySummary& s : summaries) {
    doc["policies"].push_back({{"policy", s.policy},
                               {"seeds", s.seeds},
                               {"days", s.days},
                               {"runs", s.runs},
                               {"exhaustion_failures", s.exhaustion_failures},
                               {"failure_rate", s.failure_rate},
                               {"failures_per_week", s.failures_per_week},
                               {"launches", s.launches},
                               {"held", s.held},
                               {"held_rate", s.held_rate},
                               {"held_recovered", s.held_recovered},
                               {"needless_holds", s.needless_holds},
                               {"holds_on_fast_days", s.holds_on_fast_days},
                               {"failures_on_slow_days", s.failures_on_slow_days},
                               {"timeouts", s.timeouts},
                               {"rejected", s.rejected},
                               {"wait_p50_seconds", s.wait_p50_ms / 1000.0},
                               {"wait_p95_seconds", s.wait_p95_ms / 1000.0},
                               {"wait_max_seconds", s.wait_max_ms / 1000.0},
                               {"wait_per_launch_seconds", s.wait_per_launch_s},
                               {"reservation_overhang_seconds", s.reservation_overhang_s},
                               {"peak_utilisation", s.peak_utilisation},
                               {"ec2_calls", s.ec2_calls},
                               {"bypass_runs", s.bypass_runs},
                               {"mean_cleanup_tail_minutes", s.mean_cleanup_tail_minutes}});
  }
  doc["runs"] = nlohmann::ordered_json::array();
  for (const SimulationResult& r : results) {
    nlohmann::ordered_json peaks = nlohmann::ordered_json::object();
    for (const auto& [subnet, peak] : r.peak_total) peaks[subnet] = peak;
    nlohmann::ordered_json by_subnet = nlohmann::ordered_json::object();
    for (const auto& [subnet, o] : r.by_subnet) {
      by_subnet[subnet] = {{"launches", o.launches},
                           {"held", o.held},
                           {"timeouts", o.timeouts},
                           {"exhaustion_failures", o.exhaustion_failures}};
    }
    doc["runs"].push_back({{"policy", r.policy},
                           {"seed", r.seed},
                           {"runs", r.runs},
                           {"exhaustion_failures", r.exhaustion_failures},
                           {"launches", r.launches},
                           {"held", r.held},
                           {"held_recovered", r.held_recovered},
                           {"needless_holds", r.needless_holds},
                           {"timeouts", r.timeouts},
                           {"peak_utilisation", r.peak_utilisation},
                           {"peak_total_enis", peaks},
                           {"by_subnet", by_subnet},
                           {"ec2_calls", r.ec2_calls},
                           {"sessions", r.sessions},
                           {"session_failures", r.session_failures}});
  }
  return doc.dump(2) + "\n";
}

}  // namespace glueguard
