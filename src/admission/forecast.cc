#include "admission/forecast.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace glueguard {

std::string ForecastSettingsError(const ForecastSettings& s) {
  if (s.startup <= Duration{0}) return "forecast startup must be positive";
  if (s.growth_horizon <= Duration{0}) return "forecast growth_horizon must be positive";
  if (!(s.release_quantile > 0 && s.release_quantile < 1)) {
    return fmt::format("forecast release_quantile must be between 0 and 1 (got {})", s.release_quantile);
  }
  if (!(s.growth_quantile > 0 && s.growth_quantile < 1)) {
    return fmt::format("forecast growth_quantile must be between 0 and 1 (got {})", s.growth_quantile);
  }
  if (s.keep_free < 0) return fmt::format("forecast keep_free cannot be negative (got {})", s.keep_free);
  if (s.min_tails < 1) return fmt::format("forecast min_tails must be at least 1 (got {})", s.min_tails);
  if (s.min_history <= Duration{0}) return "forecast min_history must be positive";
  if (s.learn_over < s.min_history) return "forecast learn_over must be at least min_history";
  return "";
}

namespace {

// Durations of the tails to estimate from, sorted: the role's own when it has enough, else the subnet's.
// With `recent`, only the last `enough` of those (the tails that ended latest): today's regime.
std::vector<int64_t> SortedTails(const EniTimeline& timeline, const std::string& role, size_t enough,
                                 bool recent) {
  std::vector<int64_t> mine;
  std::vector<int64_t> all;
  for (const CleanupTail& t : timeline.tails()) {  // oldest first
    all.push_back(t.available_for.count());
    if (!role.empty() && t.role == role) mine.push_back(t.available_for.count());
  }
  std::vector<int64_t>& chosen = mine.size() >= enough ? mine : all;
  if (recent && chosen.size() > enough) {
    chosen.erase(chosen.begin(), chosen.end() - static_cast<long>(enough));
  }
  std::sort(chosen.begin(), chosen.end());
  return std::move(chosen);
}

// Share of the sorted tails longer than `x`.
double Survival(const std::vector<int64_t>& sorted, int64_t x) {
  if (sorted.empty()) return 0;
  const auto above = sorted.end() - std::upper_bound(sorted.begin(), sorted.end(), x);
  return static_cast<double>(above) / static_cast<double>(sorted.size());
}

// Each available Glue ENI's age, and the sorted tails of its role (or the subnet's), from all the tails of
// the window or from the recent ones only: built once, asked for any horizon.
class ReleaseModel {
 public:
  ReleaseModel(const EniTimeline& timeline, Time now, size_t enough, bool recent) {
    for (const auto& [id, life] : timeline.live()) {
      if (!life.glue || !life.available_since) continue;
      auto tails = by_role_.find(life.role);
      if (tails == by_role_.end()) {
        tails = by_role_.emplace(life.role, SortedTails(timeline, life.role, enough, recent)).first;
      }
      enis_.emplace_back(std::max<int64_t>(0, (now - *life.available_since).count()), &tails->second);
    }
  }

  // The probability that each ENI is deleted within `within`.
  std::vector<double> Within(Duration within) const {
    std::vector<double> p;
    p.reserve(enis_.size());
    for (const auto& [age, tails] : enis_) {
      const double alive = Survival(*tails, age);
      if (alive <= 0) {
        p.push_back(0);  // older than every tail measured: not expected to go
        continue;
      }
      p.push_back((alive - Survival(*tails, age + within.count())) / alive);
    }
    return p;
  }

 private:
  std::map<std::string, std::vector<int64_t>> by_role_;  // nodes never move: enis_ points into them
  std::vector<std::pair<int64_t, const std::vector<int64_t>*>> enis_;
};

std::vector<double> ReleaseProbabilities(const EniTimeline& timeline, Time now, Duration within,
                                         size_t enough, bool recent = false) {
  return ReleaseModel(timeline, now, enough, recent).Within(within);
}

// The largest k with P(X < k) <= q, for X a sum of independent Bernoulli(p_i): the count reached with
// probability at least 1 - q. Exact (dynamic programming) for a few hundred ENIs, normal beyond.
int LowerQuantile(const std::vector<double>& p, double q) {
  if (p.size() > 400) {
    double mean = 0;
    double var = 0;
    for (double x : p) {
      mean += x;
      var += x * (1 - x);
    }
    // The normal quantile by bisection on erfc: z with P(Z < z) = q.
    double lo = -10;
    double hi = 10;
    for (int i = 0; i < 60; ++i) {
      const double mid = (lo + hi) / 2;
      (0.5 * std::erfc(-mid / std::sqrt(2.0)) < q ? lo : hi) = mid;
    }
    return std::max(0, static_cast<int>(std::floor(mean + lo * std::sqrt(var))));
  }
  std::vector<double> pmf(p.size() + 1, 0.0);
  pmf[0] = 1;
  for (size_t i = 0; i < p.size(); ++i) {
    for (size_t k = i + 1; k > 0; --k) pmf[k] = pmf[k] * (1 - p[i]) + pmf[k - 1] * p[i];
    pmf[0] *= 1 - p[i];
  }
  double below = 0;
  int k = 0;
  while (k < static_cast<int>(p.size()) && below + pmf[k] <= q) below += pmf[k++];
  return k;
}

}  // namespace

std::vector<double> ExpectedReleasesWithin(const EniTimeline& timeline, Time now,
                                           const std::vector<Duration>& within) {
  const ReleaseModel model(timeline, now, 1, false);
  std::vector<double> expected;
  expected.reserve(within.size());
  for (Duration d : within) {
    double sum = 0;
    for (double x : model.Within(d)) sum += x;
    expected.push_back(sum);
  }
  return expected;
}

double ExpectedReleases(const EniTimeline& timeline, Time now, Duration within, int* available) {
  const std::vector<double> p = ReleaseProbabilities(timeline, now, within, 1);
  if (available != nullptr) *available = static_cast<int>(p.size());
  double sum = 0;
  for (double x : p) sum += x;
  return sum;
}

namespace {

// "7.0 days" from a day on, FormatDuration's "3h20m" below.
std::string Span(Duration d) {
  if (d >= std::chrono::hours(24)) {
    return fmt::format("{:.1f} days", static_cast<double>(d.count()) / (24.0 * 3600 * 1000));
  }
  return FormatDuration(d);
}

}  // namespace

Forecast ForecastSubnet(const ForecastSettings& settings, const EniTimeline& timeline, Time now) {
  Forecast f;
  f.tails = static_cast<int>(timeline.tails().size());
  const Time since = timeline.watched_since();
  const Duration history = since == Time{} || now < since ? Duration{0} : now - since;
  if (history < settings.min_history) {
    f.not_ready = fmt::format("the forecast needs {} of ENI history and has {}", Span(settings.min_history),
                              Span(history));
    return f;
  }
  f.ready = true;
  f.growth = timeline.UncontrolledGrowthAt(settings.growth_quantile, settings.growth_horizon, now);
  if (f.tails < settings.min_tails) return f;  // too few tails to read releases from: none are counted
  // Releases of one day are not independent: on a slow cleanup day every ENI lingers longer. So the count is
  // the more careful of two estimates: from the window's tails, and from the latest min_tails (today's).
  const size_t enough = static_cast<size_t>(settings.min_tails);
  auto releases_within = [&](Duration within) {
    return std::min(
        LowerQuantile(ReleaseProbabilities(timeline, now, within, enough), settings.release_quantile),
        LowerQuantile(ReleaseProbabilities(timeline, now, within, enough, true), settings.release_quantile));
  };
  f.releases = releases_within(settings.startup);
  f.horizon_releases = releases_within(settings.growth_horizon);
  return f;
}

Allowance ForecastAllowance(const ForecastSettings& settings, const Forecast& forecast) {
  Allowance a;
  if (forecast.growth > forecast.horizon_releases) {
    a.ips = forecast.growth;
    a.releases = forecast.horizon_releases;
  }
  if (settings.keep_free > a.net()) {
    a.ips = settings.keep_free;
    a.releases = 0;
    a.kept_free = true;
  }
  return a;
}

TailSummary SummariseTails(const EniTimeline& timeline, const std::vector<double>& quantiles,
                           const std::string& role) {
  TailSummary s;
  s.window = timeline.window();
  std::vector<int64_t> tails;
  for (const CleanupTail& t : timeline.tails()) {
    if (role.empty() || t.role == role) tails.push_back(t.available_for.count());
  }
  s.count = static_cast<int>(tails.size());
  if (tails.empty()) return s;
  std::sort(tails.begin(), tails.end());
  int64_t sum = 0;
  for (int64_t t : tails) sum += t;
  s.mean = Duration(sum / static_cast<int64_t>(tails.size()));
  for (double q : quantiles) {
    const size_t index =
        std::min(tails.size() - 1, static_cast<size_t>(std::ceil(q * tails.size())) - (q > 0));
    s.quantiles.emplace_back(q, Duration(tails[index]));
  }
  return s;
}

}  // namespace glueguard
