#include "sim/cron.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <vector>

#include "base/strings.h"

namespace glueguard {

namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::sys_days;
using std::chrono::year_month_day;
using Minute = std::chrono::sys_time<minutes>;

// How one of the five fields is written.
struct Field {
  const char* name;  // as used in messages
  int min;
  int max;
  const char* const* names;  // value names, names[i] meaning min + i; nullptr when the field has none
  int name_count;
  const char* names_hint;  // "jan..dec", for messages
};

constexpr const char* kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

constexpr std::array<Field, 5> kFields = {{
    {"minute", 0, 59, nullptr, 0, ""},
    {"hour", 0, 23, nullptr, 0, ""},
    {"day-of-month", 1, 31, nullptr, 0, ""},
    {"month", 1, 12, kMonthNames, 12, "jan..dec"},
    {"day-of-week", 0, 7, kDayNames, 7, "sun..sat"},
}};

struct Alias {
  const char* name;
  const char* expansion;
};

constexpr Alias kAliases[] = {
    {"@hourly", "0 * * * *"},  {"@daily", "0 0 * * *"},  {"@midnight", "0 0 * * *"}, {"@weekly", "0 0 * * 0"},
    {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"},
};

// Years Next can represent without overflowing std::chrono::year or Time.
constexpr int kFirstYear = 1;
constexpr int kLastYear = 9999;

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::vector<std::string_view> SplitWhitespace(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    const size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}


// Digits only; values too large for any field saturate so they report as out of range.
std::optional<int> ParseNumber(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    value = std::min(value * 10 + (c - '0'), 1'000'000);
  }
  return value;
}

// A number or, for months and days of the week, a name; checked against the field's range.
Result<int> ParseValue(std::string_view text, const Field& field) {
  std::optional<int> value = ParseNumber(text);
  if (!value && field.names != nullptr) {
    const std::string lower = ToLower(text);
    for (int i = 0; i < field.name_count; ++i) {
      if (lower == field.names[i]) value = field.min + i;
    }
  }
  if (!value) {
    if (field.names == nullptr) {
      return Status::InvalidArgument(fmt::format("{} '{}' is not a number", field.name, text));
    }
    return Status::InvalidArgument(
        fmt::format("{} '{}' is not a number or a name ({})", field.name, text, field.names_hint));
  }
  if (*value < field.min || *value > field.max) {
    return Status::InvalidArgument(
        fmt::format("{} {} is out of range {}-{}", field.name, text, field.min, field.max));
  }
  return *value;
}

// One list entry: "*", "5", "1-5", "*/15", "10-50/10" or "5/15". Sets its values' bits in `bits`.
Status ParseEntry(std::string_view entry, const Field& field, uint64_t& bits) {
  const size_t slash = entry.find('/');
  const std::string_view range = entry.substr(0, slash);
  int step = 1;
  if (slash != std::string_view::npos) {
    const std::string_view step_text = entry.substr(slash + 1);
    const std::optional<int> parsed = ParseNumber(step_text);
    if (!parsed) {
      return Status::InvalidArgument(
          fmt::format("{} step '{}' in '{}' is not a number", field.name, step_text, entry));
    }
    if (*parsed < 1 || *parsed > field.max) {
      return Status::InvalidArgument(
          fmt::format("{} step {} in '{}' is out of range 1-{}", field.name, step_text, entry, field.max));
    }
    step = *parsed;
  }
  int first = field.min;
  int last = field.max;
  if (range != "*") {
    const size_t dash = range.find('-');
    Result<int> from = ParseValue(range.substr(0, dash), field);
    if (!from.ok()) return from.status();
    first = *from;
    // A single value is just itself, unless a step follows ("5/15": from 5 to the end of the field).
    last = slash == std::string_view::npos ? first : field.max;
    if (dash != std::string_view::npos) {
      Result<int> to = ParseValue(range.substr(dash + 1), field);
      if (!to.ok()) return to.status();
      last = *to;
      if (first > last) {
        return Status::InvalidArgument(fmt::format("{} range '{}' runs backwards", field.name, range));
      }
    }
  }
  for (int v = first; v <= last; v += step) bits |= uint64_t{1} << v;
  return Status::Ok();
}

Status ParseField(std::string_view text, const Field& field, uint64_t& bits) {
  for (std::string_view entry : Split(text, ',')) {
    if (entry.empty()) {
      return Status::InvalidArgument(fmt::format("{} '{}' has an empty entry", field.name, text));
    }
    GG_RETURN_IF_ERROR(ParseEntry(entry, field, bits));
  }
  return Status::Ok();
}

bool Has(uint64_t bits, int value) { return ((bits >> value) & 1) != 0; }

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view spec) {
  CronSchedule schedule;
  schedule.spec_ = std::string(Trim(spec));
  auto error = [&](const Status& s) { return s.WithContext(fmt::format("cron '{}'", schedule.spec_)); };

  std::string expanded = schedule.spec_;
  if (!expanded.empty() && expanded.front() == '@') {
    const std::string alias = ToLower(expanded);
    const Alias* found = nullptr;
    std::vector<std::string> names;
    for (const Alias& a : kAliases) {
      if (alias == a.name) found = &a;
      names.emplace_back(a.name);
    }
    if (found == nullptr) {
      std::string message = fmt::format("unknown alias '{}'", expanded);
      if (auto near = ClosestMatch(alias, names)) message += fmt::format(" (did you mean '{}'?)", *near);
      return error(Status::InvalidArgument(message));
    }
    expanded = found->expansion;
  }

  const std::vector<std::string_view> fields = SplitWhitespace(expanded);
  if (fields.size() != kFields.size()) {
    return error(Status::InvalidArgument(fmt::format(
        "expected 5 fields, got {} (minute hour day-of-month month day-of-week)", fields.size())));
  }
  uint64_t* const bits[] = {&schedule.minutes_, &schedule.hours_, &schedule.days_of_month_, &schedule.months_,
                            &schedule.days_of_week_};
  for (size_t i = 0; i < kFields.size(); ++i) {
    const Status s = ParseField(fields[i], kFields[i], *bits[i]);
    if (!s.ok()) return error(s);
  }
  // 7 is another name for Sunday.
  if (Has(schedule.days_of_week_, 7)) {
    schedule.days_of_week_ = (schedule.days_of_week_ & ~(uint64_t{1} << 7)) | 1;
  }
  schedule.day_of_month_restricted_ = fields[2].front() != '*';
  schedule.day_of_week_restricted_ = fields[4].front() != '*';
  return schedule;
}

bool CronSchedule::DayMatches(int day_of_month, int day_of_week) const {
  const bool dom = Has(days_of_month_, day_of_month);
  const bool dow = Has(days_of_week_, day_of_week);
  if (day_of_month_restricted_ && day_of_week_restricted_) return dom || dow;
  return dom && dow;
}

Time CronSchedule::Next(Time after) const {
  const Time earliest{sys_days(std::chrono::year(kFirstYear) / 1 / 1)};
  const Time end{sys_days(std::chrono::year(kLastYear + 1) / 1 / 1)};
  if (after >= end - minutes(1)) return kNever;
  if (after < earliest) after = earliest - Duration(1);

  Minute t = std::chrono::floor<minutes>(after) + minutes(1);
  const std::chrono::year last_year =
      year_month_day(std::chrono::floor<days>(t)).year() + std::chrono::years(kSearchYears);
  while (t < end) {
    const sys_days day = std::chrono::floor<days>(t);
    const year_month_day date(day);
    if (date.year() > last_year) return kNever;
    if (!Has(months_, static_cast<int>(static_cast<unsigned>(date.month())))) {
      const std::chrono::year_month next_month = date.year() / date.month() + std::chrono::months(1);
      t = sys_days(next_month / 1);
      continue;
    }
    if (!DayMatches(static_cast<int>(static_cast<unsigned>(date.day())),
                    static_cast<int>(std::chrono::weekday(day).c_encoding()))) {
      t = day + days(1);
      continue;
    }
    const int minute_of_day = static_cast<int>((t - day).count());
    const int hour = minute_of_day / 60;
    if (Has(hours_, hour)) {
      for (int minute = minute_of_day % 60; minute < 60; ++minute) {
        if (Has(minutes_, minute)) return day + hours(hour) + minutes(minute);
      }
    }
    t = day + hours(hour + 1);
  }
  return kNever;
}

}  // namespace glueguard
