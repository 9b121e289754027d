// The forecast buffer: what a subnet will look like when a launch admitted now gets its ENIs.
//
// `free` already leaves out every ENI in the subnet, the lingering `available` ones included, so a buffer the
// size of the cleanup tail counts those ENIs twice. What can take a launch's IPs between the decision and
// its ENIs' arrival is growth admission does not control (console re-runs, other services, Glue's churn),
// while lingering ENIs are meanwhile released as their cleanup ends. So the forecast admits when
//   free - reserved + releases - growth >= needed
// where `releases` counts the available Glue ENIs that will have been deleted within the horizon, at a
// conservative (low) quantile, from each one's age and the subnet's measured cleanup tails; and `growth` is
// the uncontrolled ENIs per `growth_horizon` at a high quantile (`growth_quantile`) of the learning window's
// slots. A burst seen once a month is not allowed for on every launch; churn seen every hour is. Pure.
#pragma once

#include <string>
#include <vector>

#include "admission/eni_timeline.h"
#include "base/time.h"

namespace glueguard {

struct ForecastSettings {
  // Admission to the launch's ENIs: releases are counted within it.
  Duration startup = std::chrono::minutes(2);
  // Uncontrolled ENIs are counted per slot of this length; releases within it offset them.
  Duration growth_horizon = std::chrono::minutes(15);
  // Releases are counted at this quantile of their distribution (low = careful).
  double release_quantile = 0.1;
  // Uncontrolled growth is allowed for at this quantile of the slots (high = careful).
  double growth_quantile = 0.99;
  // The least growth allowed for: IPs always left for launches that bypass admission (console re-runs).
  int keep_free = 0;
  // Measured cleanup tails needed before releases are counted.
  int min_tails = 20;
  // History (time the subnet has been watched) needed before forecasting; rolling-max until then.
  Duration min_history = std::chrono::hours(6);
  // Tails and uncontrolled growth are learned over this window.
  Duration learn_over = std::chrono::hours(24 * 30);
};

// Ok when startup and growth_horizon are positive, release_quantile and growth_quantile are in (0, 1),
// keep_free >= 0, min_tails >= 1 and min_history is positive and at most learn_over; else a message naming
// the field.
std::string ForecastSettingsError(const ForecastSettings& s);

struct Forecast {
  bool ready = false;
  std::string not_ready;     // when not ready: what history is missing, in a sentence
  int releases = 0;          // available Glue ENIs counted as deleted within startup
  int growth = 0;            // the uncontrolled growth learned, at growth_quantile
  int horizon_releases = 0;  // available Glue ENIs counted as deleted within growth_horizon
  int tails = 0;             // measured cleanup tails; releases stay 0 below min_tails
};

// Ready once the subnet has been watched for min_history. Releases only ever offset the growth allowance, so
// with fewer than min_tails tails the forecast counts none rather than falling back.
Forecast ForecastSubnet(const ForecastSettings& settings, const EniTimeline& timeline, Time now);

// What a launch must leave free beside its own ENIs: the learned growth net of the releases expected within
// the growth horizon, or keep_free when that is more (releases never eat into keep_free).
struct Allowance {
  int ips = 0;             // set aside
  int releases = 0;        // releases that offset it
  bool kept_free = false;  // keep_free bound
  int net() const { return ips - releases; }
};
Allowance ForecastAllowance(const ForecastSettings& settings, const Forecast& forecast);

// The mean number of available Glue ENIs deleted by now + within, given each one's age; also how many are
// available. Ages past every measured tail count as never released (an orphan does not clean itself up).
double ExpectedReleases(const EniTimeline& timeline, Time now, Duration within, int* available = nullptr);
// The same for several horizons at once, the tails sorted once.
std::vector<double> ExpectedReleasesWithin(const EniTimeline& timeline, Time now,
                                           const std::vector<Duration>& within);

// Cleanup tails of `timeline` at the given quantiles (each in [0, 1]); empty when there are none. With a
// non-empty `role`, only that role's tails.
struct TailSummary {
  int count = 0;
  Duration window{};
  std::vector<std::pair<double, Duration>> quantiles;
  Duration mean{};
};
TailSummary SummariseTails(const EniTimeline& timeline, const std::vector<double>& quantiles,
                           const std::string& role = "");

}  // namespace glueguard
