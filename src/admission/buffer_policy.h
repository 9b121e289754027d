// Buffer policies: how many IPs to keep free on top of what a launch needs, for ENIs that linger after jobs end.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "admission/forecast.h"
#include "admission/observation.h"
#include "base/status.h"

namespace glueguard {

// What a rolling max is taken over. `kAvailable` (the default) is the cleanup tail: ENIs detached but not yet
// deleted. `kTotal` counts every ENI; on a busy subnet total + workers + max(total) exceeds capacity long
// before the subnet is full, so it holds launches that would fit. See docs/admission.md.
enum class BufferSource { kAvailable, kTotal };

struct BufferPolicy {
  enum class Kind {
    kNone,        // no buffer: admit when the launch itself fits
    kStatic,      // a fixed number of IPs
    kRollingMax,  // the largest cleanup tail over the last `window` observations, at least `floor`
    kForecast,    // releases and uncontrolled growth forecast from the ENI timeline (admission/forecast.h);
                  // rolling-max (window, floor, source) until the timeline holds enough history
  };
  Kind kind = Kind::kRollingMax;
  int static_ips = 20;  // kStatic: the buffer in IPs
  int window = 5;       // kRollingMax: how many recent observations to look back over (N)
  int floor = 10;       // kRollingMax: the smallest buffer, also used while there is no history
  BufferSource source = BufferSource::kAvailable;  // kRollingMax: what the max is taken over
  ForecastSettings forecast;                       // kForecast

  // The spec form ParseBufferPolicy reads: "none", "static:20", "rolling-max:5:10:available", "forecast".
  std::string ToString() const;
  // How many recent observations BufferIps looks at: the window of rolling-max (and of forecast's fallback).
  int HistoryWindow() const { return kind == Kind::kRollingMax || kind == Kind::kForecast ? window : 1; }
  // The least buffer this policy can ever ask for: a launch that does not fit beside it never will.
  int MinimumIps() const;
};

// Parses "none", "static:K", "rolling-max", "rolling-max:N", "rolling-max:N:FLOOR",
// "rolling-max:N:FLOOR:available|total", "forecast", "forecast:KEEP_FREE" (its other settings at their defaults).
// Errors name the bad part.
Result<BufferPolicy> ParseBufferPolicy(std::string_view spec);

// Checks ranges: static_ips >= 0, window >= 1, floor >= 0, and the forecast's settings.
Status ValidateBufferPolicy(const BufferPolicy& policy);

// The buffer in IPs given the subnet's recent observations, newest first (only the first `window` are used).
// kForecast gives its rolling-max fallback here; SubnetAdmission applies the forecast itself.
int BufferIps(const BufferPolicy& policy, std::span<const Observation> newest_first);

}  // namespace glueguard
