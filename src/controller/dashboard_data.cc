#include "controller/dashboard_data.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

namespace glueguard {

std::optional<Duration> ParseDashboardRange(std::string_view text) {
  using std::chrono::hours;
  if (text == "1h") return hours(1);
  if (text == "6h") return hours(6);
  if (text == "24h") return hours(24);
  if (text == "7d") return hours(24 * 7);
  return std::nullopt;
}

Time UtcDayStart(Time t) {
  constexpr int64_t kDayMs = 24LL * 60 * 60 * 1000;
  const int64_t ms = ToUnixMillis(t);
  const int64_t day = ms >= 0 ? ms / kDayMs : (ms - kDayMs + 1) / kDayMs;
  return FromUnixMillis(day * kDayMs);
}

Series DownsampleSeries(std::span<const Observation> oldest_first, const BufferPolicy& policy, Time from,
                        Time to, int max_points) {
  Series series;
  const int64_t span_ms = (to - from).count();
  const int64_t per_point_ms = (span_ms + max_points - 1) / max_points;
  const int64_t bucket_ms = std::max<int64_t>(1000, (per_point_ms + 999) / 1000 * 1000);
  series.bucket = Duration(bucket_ms);
  // The rolling window, newest first, as BufferIps wants it.
  const size_t window = static_cast<size_t>(policy.HistoryWindow());
  std::deque<Observation> recent;
  int64_t current_bucket = -1;
  for (const Observation& o : oldest_first) {
    if (o.observed_at >= to) break;
    recent.push_front(o);
    if (recent.size() > window) recent.pop_back();
    if (o.observed_at < from) continue;
    const std::vector<Observation> newest(recent.begin(), recent.end());
    const int buffer = BufferIps(policy, newest);
    const int64_t bucket = (o.observed_at - from).count() / bucket_ms;
    if (bucket != current_bucket) {
      current_bucket = bucket;
      SeriesPoint p;
      p.at = from + Duration(bucket * bucket_ms);
      series.points.push_back(p);
    }
    SeriesPoint& p = series.points.back();
    p.total = std::max(p.total, o.total_enis);
    p.in_use = std::max(p.in_use, o.in_use);
    p.available = std::max(p.available, o.available);
    p.buffer = std::max(p.buffer, buffer);
  }
  return series;
}

std::vector<DecisionMark> LaunchAndHoldMarks(std::span<const Decision> newest_first, size_t max_marks) {
  std::vector<DecisionMark> marks;
  std::set<std::string> held;  // run ids whose first wait is already marked
  for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it) {
    const Decision& d = *it;
    DecisionMark m;
    if (d.outcome == Outcome::kAdmit && d.code != DecisionCode::kAlreadyAdmitted) {
      m.kind = "launch";
    } else if (d.outcome == Outcome::kWait && held.insert(d.run_id).second) {
      m.kind = "hold";
    } else {
      continue;
    }
    m.at = d.decided_at;
    m.run_id = d.run_id;
    m.category = d.category;
    m.workers = d.workers;
    m.total = d.total;
    m.reason = d.reason;
    marks.push_back(std::move(m));
  }
  if (marks.size() > max_marks) marks.erase(marks.begin(), marks.end() - static_cast<ptrdiff_t>(max_marks));
  return marks;
}

LaunchCounts CountLaunches(std::span<const Decision> newest_first) {
  std::set<std::string> asked;
  std::map<std::string, Time> first_wait;  // by run id
  std::set<std::string> recovered;
  for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it) {
    const Decision& d = *it;
    if (d.run_id.empty()) continue;
    asked.insert(d.run_id);
    if (d.outcome == Outcome::kWait) {
      first_wait.emplace(d.run_id, d.decided_at);
    } else if (d.outcome == Outcome::kAdmit) {
      auto held = first_wait.find(d.run_id);
      if (held != first_wait.end() && d.decided_at >= held->second) recovered.insert(d.run_id);
    }
  }
  LaunchCounts counts;
  counts.launches = static_cast<int>(asked.size());
  counts.held = static_cast<int>(first_wait.size());
  counts.recovered = static_cast<int>(recovered.size());
  return counts;
}

}  // namespace glueguard
