// CronSchedule: a five-field cron schedule ("minute hour day-of-month month day-of-week"), evaluated in UTC.
// The simulator uses it to fire scheduled Glue jobs.
//
// Syntax, per field: `*`, a number, a list `1,15`, a range `1-5`, a step `*/15` or `10-50/10`, and `5/15` for
// "from 5 to the field's end, every 15". Months may be written jan..dec and days of the week sun..sat, in any
// case; day of week 0 and 7 are both Sunday. Aliases: @hourly, @daily, @midnight, @weekly, @monthly, @yearly,
// @annually.
//
// Day of month and day of week follow Vixie cron: when both are restricted, a day matches if either matches
// ("0 0 1 * mon" fires on the 1st and on every Monday). A field counts as unrestricted when it starts with
// `*`, so `*/2` is unrestricted too, as in Vixie cron.
//
// A value type: cheap to copy, immutable, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/time.h"

namespace glueguard {

class CronSchedule {
 public:
  // What Next returns when the schedule never fires in the searched window.
  static constexpr Time kNever = Time::max();
  // How many calendar years past `after` Next searches before giving up. Eight covers the longest gap between
  // two leap days (2096-02-29 to 2104-02-29).
  static constexpr int kSearchYears = 8;

  // Parses `spec` (surrounding whitespace ignored). On error returns InvalidArgument with a message naming
  // the spec, the field and the bad value, e.g. "cron '0 25 * * *': hour 25 is out of range 0-23".
  static Result<CronSchedule> Parse(std::string_view spec);

  // The first whole minute strictly after `after` that the schedule matches. Returns kNever when there is
  // none within kSearchYears years (an impossible schedule like "0 0 31 2 *") or before the end of year 9999.
  // Skips whole months, days and hours that cannot match, so a call costs at most a few thousand steps.
  Time Next(Time after) const;

  // The spec as given to Parse, trimmed (an alias stays an alias, e.g. "@daily").
  const std::string& spec() const { return spec_; }

 private:
  CronSchedule() = default;

  bool DayMatches(int day_of_month, int day_of_week) const;

  std::string spec_;
  // Bit i set when value i matches.
  uint64_t minutes_ = 0;        // 0-59
  uint64_t hours_ = 0;          // 0-23
  uint64_t days_of_month_ = 0;  // 1-31
  uint64_t months_ = 0;         // 1-12
  uint64_t days_of_week_ = 0;   // 0-6, Sunday is 0
  bool day_of_month_restricted_ = false;
  bool day_of_week_restricted_ = false;
};

}  // namespace glueguard
