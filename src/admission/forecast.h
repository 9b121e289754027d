// The forecast buffer: what a subnet will look like when a launch admitted now gets its ENIs.
//
// `free` already leaves out every ENI in the subnet, the lingering `available` ones included, so a buffer the
// size of the cleanup tail counts those ENIs twice. What can take a launch's IPs between the decision and
// its ENIs' arrival is growth admission does not control (console re-runs, other services, Glue's churn),
// while lingering ENIs are meanwhile released as their cleanup ends. So the forecast admits when
//   free - reserved + releases - growth >= needed
// where `releases` counts the available Glue ENIs that will have been deleted within `startup`, at a
// conservative (low) quantile, from each one's age and the subnet's measured cleanup tails; and `growth` is
// the largest burst of uncontrolled ENIs seen within any `growth_horizon` in the learning window. Pure.
#pragma once

#include <string>
#include <vector>

#include "admission/eni_timeline.h"
#include "base/time.h"

namespace glueguard {

struct ForecastSettings {
  Duration startup = std::chrono::minutes(2);          // admission to the launch's ENIs: releases count within
  Duration growth_horizon = std::chrono::minutes(15);  // uncontrolled ENIs arriving within this are one burst
  double release_quantile = 0.1;  // releases are counted at this quantile of their distribution (low = careful)
  int min_tails = 20;             // measured cleanup tails needed before forecasting
  Duration min_history = std::chrono::hours(24);  // ENI history needed before forecasting (with min_tails)
  Duration learn_over = std::chrono::hours(24 * 30);  // tails and uncontrolled growth are learned over this
};

// Ok when startup and growth_horizon are positive, release_quantile is in (0, 1), min_tails >= 1 and
// min_history is positive and at most learn_over; else a message naming the field.
std::string ForecastSettingsError(const ForecastSettings& s);

struct Forecast {
  bool ready = false;
  std::string not_ready;  // when not ready: what history is missing, in a sentence
  int releases = 0;          // available Glue ENIs counted as deleted within startup
  int growth = 0;            // the uncontrolled growth allowed for
  bool learning = false;     // the timeline spans less than learn_over: growth is at least the floor
  int horizon_releases = 0;  // available Glue ENIs counted as deleted within growth_horizon
  int tails = 0;          // cleanup tails the release estimate used
};

// `growth_floor`: the least uncontrolled growth allowed for until the timeline spans learn_over (a quiet week
// does not show that a month is quiet); the rolling-max floor.
Forecast ForecastSubnet(const ForecastSettings& settings, const EniTimeline& timeline, Time now,
                        int growth_floor = 0);

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
