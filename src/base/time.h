// Time as glueguard sees it: millisecond instants on the Unix epoch, and millisecond durations.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace glueguard {

using Duration = std::chrono::milliseconds;
using Time = std::chrono::time_point<std::chrono::system_clock, Duration>;

inline int64_t ToUnixMillis(Time t) { return t.time_since_epoch().count(); }
inline Time FromUnixMillis(int64_t ms) { return Time(Duration(ms)); }

// RFC 3339 in UTC with milliseconds, e.g. "2026-11-23T07:03:00.000Z".
std::string FormatTime(Time t);
// Parses what FormatTime writes, with or without fractional seconds ("2026-11-23T07:03:00Z").
Result<Time> ParseTime(std::string_view text);

// A short human form: "45s", "4m12s", "1h0m", "250ms".
std::string FormatDuration(Duration d);
// Parses "90s", "10m", "1h", "500ms", "1h30m", "30d". A bare number is an error (the unit must be said).
Result<Duration> ParseDuration(std::string_view text);

}  // namespace glueguard
