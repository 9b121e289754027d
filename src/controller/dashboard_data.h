// What the dashboard's endpoints compute from stored observations and decisions. Pure: no I/O, no clock, no
// locking; the API (api_dashboard.cc) reads the store and passes the rows in.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "admission/buffer_policy.h"
#include "admission/decision.h"
#include "admission/observation.h"
#include "base/time.h"

namespace glueguard {

// The dashboard's time ranges: "1h", "6h", "24h", "7d". nullopt for anything else.
std::optional<Duration> ParseDashboardRange(std::string_view text);

// 00:00 UTC of the day `t` falls in.
Time UtcDayStart(Time t);

// One point of a subnet's ENI chart: the largest value of each count among the observations of its bucket, so
// a short peak survives downsampling. `buffer` is what the buffer policy computed from the observations up to
// and including each one (the rolling max needs the ones before it).
struct SeriesPoint {
  Time at{};  // the bucket's start
  int total = 0;
  int in_use = 0;
  int available = 0;
  int buffer = 0;
};

struct Series {
  std::vector<SeriesPoint> points;  // oldest first; a bucket without observations has no point
  Duration bucket{0};               // the width of each bucket
};

// Splits [from, to) into at most `max_points` buckets of equal width (whole seconds, at least one) and keeps
// one point per bucket holding observations. `oldest_first` may start before `from` (those observations only
// feed the rolling buffer); observations at or after `to` are ignored. REQUIRES: max_points >= 1, from < to.
Series DownsampleSeries(std::span<const Observation> oldest_first, const BufferPolicy& policy, Time from,
                        Time to, int max_points);

// A decision drawn on the chart: a launch admitted, or a launch told to wait (once per run id: a waiting
// launch asks again every minute, and only its first wait in the range is a mark).
struct DecisionMark {
  Time at{};
  std::string kind;  // "launch" or "hold"
  std::string run_id;
  std::string category;
  int workers = 0;
  int total = 0;  // ENIs in the observation the decision used: where the mark sits on the chart
  std::string reason;
};

// The marks among `newest_first` decisions, oldest first; at most `max_marks` (the newest are kept).
// Admits of a run that already held a reservation ("already_admitted") are not new launches and are skipped.
std::vector<DecisionMark> LaunchAndHoldMarks(std::span<const Decision> newest_first, size_t max_marks);

// Launches of a period, counted by run id.
struct LaunchCounts {
  int launches = 0;   // run ids that asked
  int held = 0;       // run ids told to wait at least once
  int recovered = 0;  // of the held, those admitted after their first wait
};
LaunchCounts CountLaunches(std::span<const Decision> newest_first);

}  // namespace glueguard
