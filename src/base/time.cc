#include "base/time.h"

#include <fmt/format.h>

#include <cctype>
#include <ctime>

namespace glueguard {

std::string FormatTime(Time t) {
  const int64_t ms = ToUnixMillis(t);
  int64_t secs = ms / 1000;
  int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

namespace {

bool ReadDigits(std::string_view text, size_t& pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + (c - '0');
  }
  pos += count;
  out = value;
  return true;
}

bool Expect(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

Result<Time> ParseTime(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(fmt::format("'{}' is not an RFC 3339 UTC time like 2026-11-23T07:03:00Z", text));
  };
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, pos, 4, year) || !Expect(text, pos, '-') || !ReadDigits(text, pos, 2, month) ||
      !Expect(text, pos, '-') || !ReadDigits(text, pos, 2, day) || !Expect(text, pos, 'T') ||
      !ReadDigits(text, pos, 2, hour) || !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, minute) ||
      !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, second)) {
    return bad();
  }
  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int scale = 100;
    size_t digits = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      millis += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++digits;
    }
    if (digits == 0) return bad();
  }
  if (!Expect(text, pos, 'Z') || pos != text.size()) return bad();
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return bad();
  const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                        std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return bad();
  const auto days = std::chrono::sys_days(ymd);
  return Time(std::chrono::duration_cast<Duration>(days.time_since_epoch()) + std::chrono::hours(hour) +
              std::chrono::minutes(minute) + std::chrono::seconds(second) + Duration(millis));
}

std::string FormatDuration(Duration d) {
  int64_t ms = d.count();
  std::string sign;
  if (ms < 0) {
    sign = "-";
    ms = -ms;
  }
  if (ms < 1000) return fmt::format("{}{}ms", sign, ms);
  const int64_t total_secs = ms / 1000;
  const int64_t hours = total_secs / 3600;
  const int64_t minutes = (total_secs % 3600) / 60;
  const int64_t secs = total_secs % 60;
  if (hours > 0) return fmt::format("{}{}h{}m", sign, hours, minutes);
  if (minutes > 0) return fmt::format("{}{}m{}s", sign, minutes, secs);
  return fmt::format("{}{}s", sign, secs);
}

Result<Duration> ParseDuration(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a duration ({}); write e.g. 90s, 10m, 1h30m, 30d or 500ms", text, why));
  };
  if (text.empty()) return bad("empty");
  int64_t total_ms = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[pos]))) return bad("expected a number");
    int64_t value = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      value = value * 10 + (text[pos] - '0');
      if (value > 1'000'000'000) return bad("too large");
      ++pos;
    }
    int64_t unit_ms = 0;
    if (text.substr(pos, 2) == "ms") {
      unit_ms = 1;
      pos += 2;
    } else if (pos < text.size()) {
      switch (text[pos]) {
        case 's':
          unit_ms = 1000;
          break;
        case 'm':
          unit_ms = 60'000;
          break;
        case 'h':
          unit_ms = 3'600'000;
          break;
        case 'd':
          unit_ms = 86'400'000;
          break;
        default:
          return bad("unknown unit");
      }
      ++pos;
    } else {
      return bad("missing unit");
    }
    total_ms += value * unit_ms;
  }
  return Duration(total_ms);
}

}  // namespace glueguard
