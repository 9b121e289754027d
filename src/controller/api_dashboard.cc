// The endpoints the dashboard reads (GET /v1/subnets/{id}/series, GET /v1/summary) and the hand-off of
// POST /v1/events; see api.h.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "controller/api.h"
#include "controller/api_json.h"
#include "controller/dashboard_data.h"

namespace glueguard {
namespace {

using nlohmann::ordered_json;

constexpr int kMaxSeriesPoints = 300;
constexpr size_t kMaxMarks = 500;
constexpr int kMaxDecisions = 100000;  // read per subnet and period; far above a day of launches and pokes
constexpr int kDefaultRecentObservations = 5;

// The `range` query parameter: its text and its duration; an error response when it is not one of ours.
struct Range {
  std::string name = "1h";
  Duration span = std::chrono::hours(1);
};

std::optional<ServerResponse> ParseRangeParam(const ServerRequest& request, Range& range) {
  for (const auto& [k, v] : request.query_params) {
    if (k != "range") continue;
    std::optional<Duration> span = ParseDashboardRange(v);
    if (!span)
      return ApiError(400, "bad_request", fmt::format("range must be 1h, 6h, 24h or 7d, not '{}'", v));
    range.name = v;
    range.span = *span;
  }
  return std::nullopt;
}

std::string OptionalTime(std::optional<Time> t) { return t ? FormatTime(*t) : ""; }

// Observations before `from` that the rolling buffer of the first points looks back over.
Duration BufferLookBack(const Config& config, const BufferPolicy& policy) {
  const int window = policy.HistoryWindow();
  return config.admission.poll_interval * (window + 1);
}

double Ratio(int part, int whole) { return whole > 0 ? static_cast<double>(part) / whole : 0.0; }

// A measured cleanup tail in minutes: count, window, mean and percentiles (null while none was measured).
ordered_json CleanupTailJson(const TailSummary& tail) {
  auto minutes = [&](Duration d) {
    return tail.count == 0 ? ordered_json(nullptr) : ordered_json(static_cast<double>(d.count()) / 60000.0);
  };
  ordered_json j = {{"count", tail.count},
                    {"window_seconds", std::chrono::duration_cast<std::chrono::seconds>(tail.window).count()},
                    {"mean_minutes", minutes(tail.mean)}};
  for (const auto& [q, value] : tail.quantiles) {
    j[fmt::format("p{}_minutes", static_cast<int>(q * 100 + 0.5))] = minutes(value);
  }
  return j;
}

}  // namespace

ServerResponse ControllerApi::GetCleanupTail(const std::string& subnet) {
  for (const SubnetStatus& s : controller_.Subnets()) {
    if (s.config->id != subnet && s.config->name != subnet) continue;
    ordered_json j = {{"subnet_id", s.config->id}, {"name", s.config->name}};
    j.update(CleanupTailJson(s.cleanup_tail));
    ordered_json roles = ordered_json::array();
    for (const auto& [role, tail] : s.cleanup_tail_by_role) {
      ordered_json r = {{"role", role}};
      r.update(CleanupTailJson(tail));
      roles.push_back(std::move(r));
    }
    j["by_role"] = std::move(roles);
    return ApiJson(200, j);
  }
  return ApiError(404, "not_found", fmt::format("no subnet '{}' is configured", subnet));
}


ServerResponse ControllerApi::GetSeries(const std::string& subnet, const ServerRequest& request) {
  Range range;
  if (auto bad = ParseRangeParam(request, range)) return *bad;
  const Config& config = controller_.config();
  const SubnetConfig* s = config.FindSubnet(subnet);
  if (!s) return ApiError(404, "not_found", fmt::format("no subnet '{}' is configured", subnet));
  const BufferPolicy policy = config.SettingsFor(*s).buffer;
  const Time to = controller_.Now() + Duration(1);  // the latest observation is part of the chart
  const Time from = to - range.span;
  Result<std::vector<Observation>> observations =
      controller_.ObservationsBetween(s->id, from - BufferLookBack(config, policy), to);
  if (!observations.ok()) return ApiError(503, "unavailable", observations.status().ToString());
  Result<std::vector<Decision>> decisions = controller_.DecisionsBetween(s->id, from, to, kMaxDecisions);
  if (!decisions.ok()) return ApiError(503, "unavailable", decisions.status().ToString());

  const Series series = DownsampleSeries(*observations, policy, from, to, kMaxSeriesPoints);
  ordered_json points = ordered_json::array();
  for (const SeriesPoint& p : series.points) {
    points.push_back({{"at", FormatTime(p.at)},
                      {"total", p.total},
                      {"in_use", p.in_use},
                      {"available", p.available},
                      {"buffer", p.buffer}});
  }
  ordered_json marks = ordered_json::array();
  for (const DecisionMark& m : LaunchAndHoldMarks(*decisions, kMaxMarks)) {
    marks.push_back({{"at", FormatTime(m.at)},
                     {"kind", m.kind},
                     {"run_id", m.run_id},
                     {"category", m.category},
                     {"workers", m.workers},
                     {"total", m.total},
                     {"reason", m.reason}});
  }
  const int capacity = s->cidr.UsableIps();
  return ApiJson(200, ordered_json{{"subnet", s->id},
                                   {"name", s->name},
                                   {"range", range.name},
                                   {"from", FormatTime(from)},
                                   {"to", FormatTime(to)},
                                   {"bucket_seconds", series.bucket.count() / 1000},
                                   {"capacity", capacity},
                                   {"alert_threshold", s->alert_threshold},
                                   {"threshold_enis", s->alert_threshold * capacity},
                                   {"points", points},
                                   {"marks", marks}});
}

ServerResponse ControllerApi::GetSummary(const ServerRequest& request) {
  Range range;
  if (auto bad = ParseRangeParam(request, range)) return *bad;
  const Config& config = controller_.config();
  const Time now = controller_.Now();
  const Time to = now + Duration(1);
  const Time today = UtcDayStart(now);
  const std::vector<FiringAlert> firing = controller_.FiringAlerts();

  ordered_json subnets = ordered_json::array();
  LaunchCounts all;
  int failures_today = 0;
  std::optional<Time> last_failure;
  for (const SubnetStatus& status : controller_.Subnets()) {
    const SubnetConfig& s = *status.config;
    const int capacity = s.cidr.UsableIps();
    const BufferPolicy policy = config.SettingsFor(s).buffer;
    Result<std::vector<Observation>> in_range = controller_.ObservationsBetween(s.id, to - range.span, to);
    Result<std::vector<Observation>> of_today = controller_.ObservationsBetween(s.id, today, to);
    Result<std::vector<Decision>> decisions = controller_.DecisionsBetween(s.id, today, to, kMaxDecisions);
    const int recent_count =
        policy.kind == BufferPolicy::Kind::kStatic || policy.kind == BufferPolicy::Kind::kNone
            ? kDefaultRecentObservations
            : policy.window;
    Result<std::vector<Observation>> recent = controller_.Observations(s.id, recent_count);
    for (const Status& st : {in_range.status(), of_today.status(), decisions.status(), recent.status()}) {
      if (!st.ok()) return ApiError(503, "unavailable", st.ToString());
    }

    ordered_json j = {{"id", s.id}, {"name", s.name}, {"cidr", s.cidr.ToString()}, {"capacity", capacity}};
    const Observation* latest = status.poller.latest ? &*status.poller.latest : nullptr;
    j["used"] = latest ? latest->total_enis : 0;
    j["in_use"] = latest ? latest->in_use : 0;
    j["available"] = latest ? latest->available : 0;
    j["utilisation"] = Ratio(latest ? latest->total_enis : 0, capacity);
    j["observed_at"] = latest ? FormatTime(latest->observed_at) : "";
    j["stale"] = status.stale;
    j["alert_threshold"] = s.alert_threshold;
    j["alert_clear"] = s.alert_clear;
    j["over_threshold"] = latest && Ratio(latest->total_enis, capacity) >= s.alert_threshold;
    j["buffer"] = status.buffer_ips;
    j["buffer_policy"] = policy.ToString();
    j["reserved"] = status.reserved_ips;
    j["waiters"] = status.waiters;
    // Launches admitted whose ENIs have not all shown up in an observation yet (open reservations).
    j["jobs_running"] = status.open_reservations;

    const Observation* peak = nullptr;
    for (const Observation& o : *of_today) {
      if (!peak || o.total_enis > peak->total_enis) peak = &o;
    }
    j["peak_today"] = peak ? ordered_json{{"total", peak->total_enis},
                                          {"utilisation", Ratio(peak->total_enis, capacity)},
                                          {"at", FormatTime(peak->observed_at)}}
                           : ordered_json(nullptr);
    double tail_sum = 0;
    for (const Observation& o : *in_range) tail_sum += o.available;
    // The mean count of available ENIs: how many linger, not for how long.
    j["lingering_avg"] = in_range->empty() ? ordered_json(nullptr)
                                           : ordered_json(tail_sum / static_cast<double>(in_range->size()));
    j["lingering_samples"] = in_range->size();
    // For how long: the measured cleanup tail, in minutes.
    j["cleanup_tail"] = CleanupTailJson(status.cleanup_tail);

    const LaunchCounts counts = CountLaunches(*decisions);
    all.launches += counts.launches;
    all.held += counts.held;
    all.recovered += counts.recovered;
    j["launches_today"] = counts.launches;
    j["held_today"] = counts.held;
    j["recovered_today"] = counts.recovered;
    const ExhaustionReports failures = controller_.ExhaustionsSince(s.id, today);
    failures_today += failures.count;
    if (failures.last && (!last_failure || *failures.last > *last_failure)) last_failure = failures.last;
    j["exhaustion_failures_today"] = failures.count;
    j["last_exhaustion"] = OptionalTime(failures.last);
    j["cool_off_until"] = status.cool_off_until > now ? FormatTime(status.cool_off_until) : "";

    ordered_json rows = ordered_json::array();
    for (const Observation& o : *recent) {
      rows.push_back({{"observed_at", FormatTime(o.observed_at)},
                      {"total", o.total_enis},
                      {"in_use", o.in_use},
                      {"available", o.available},
                      {"other", o.other},
                      {"reason", o.reason}});
    }
    j["recent_observations"] = rows;
    j["alert_firing"] = false;
    for (const FiringAlert& a : firing) {
      if (a.subnet_id == s.id) j["alert_firing"] = true;
    }
    subnets.push_back(j);
  }

  ordered_json alerts = ordered_json::array();
  for (const FiringAlert& a : firing) {
    const SubnetConfig* s = config.FindSubnet(a.subnet_id);
    const double threshold = s ? s->alert_threshold : 0.0;
    alerts.push_back(
        {{"subnet", a.subnet_id},
         {"name", a.subnet_name},
         {"since", FormatTime(a.since)},
         {"utilisation", a.utilisation},
         {"why",
          fmt::format("{} of {} IPs taken ({:.0f}%), at or above the {:.0f}% threshold; it clears below "
                      "{:.0f}%",
                      a.total, a.capacity, 100 * a.utilisation, 100 * threshold,
                      100 * (s ? s->alert_clear : 0.0))}});
  }
  const std::optional<int64_t> dead_letters =
      hooks_.dead_letter_count ? hooks_.dead_letter_count() : std::optional<int64_t>();
  ordered_json totals = {
      {"launches_today", all.launches},
      {"held_today", all.held},
      {"recovered_today", all.recovered},
      {"exhaustion_failures_today", failures_today},
      {"last_exhaustion", OptionalTime(last_failure)},
      {"streak_seconds",
       last_failure ? ordered_json((now - *last_failure).count() / 1000) : ordered_json(nullptr)},
      {"alerts_firing", alerts.size()},
      {"sessions_configured", dead_letters.has_value()},
      {"dead_letters", dead_letters ? ordered_json(*dead_letters) : ordered_json(nullptr)}};
  return ApiJson(200, ordered_json{{"now", FormatTime(now)},
                                   {"today", FormatTime(today)},
                                   {"range", range.name},
                                   {"subnets", subnets},
                                   {"totals", totals},
                                   {"alerts", alerts}});
}

ServerResponse ControllerApi::PostEvents(const ServerRequest& request) {
  if (!hooks_.events_handler) return ApiError(404, "not_found", "session boundaries are not configured");
  return hooks_.events_handler(request, !token_.empty());
}

}  // namespace glueguard
