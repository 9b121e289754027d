#include "sim/cron.h"

#include <gtest/gtest.h>

namespace glueguard {
namespace {

Time At(const char* rfc3339) {
  Result<Time> t = ParseTime(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.ok() ? *t : Time{};
}

CronSchedule MustParse(const char* spec) {
  Result<CronSchedule> s = CronSchedule::Parse(spec);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : *CronSchedule::Parse("* * * * *");
}

// The next fire time after `after`, formatted, so failures read as times.
std::string NextAfter(const char* spec, const char* after) {
  const Time next = MustParse(spec).Next(At(after));
  return next == CronSchedule::kNever ? "never" : FormatTime(next);
}

// The message of a spec that must fail.
std::string ErrorOf(const char* spec) {
  Result<CronSchedule> s = CronSchedule::Parse(spec);
  EXPECT_FALSE(s.ok()) << spec;
  if (s.ok()) return "";
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  return s.status().message();
}

TEST(Cron, EveryMinuteFiresAtTheNextWholeMinuteStrictlyAfter) {
  EXPECT_EQ(NextAfter("* * * * *", "2026-03-10T07:03:00Z"), "2026-03-10T07:04:00.000Z");
  EXPECT_EQ(NextAfter("* * * * *", "2026-03-10T07:03:59.999Z"), "2026-03-10T07:04:00.000Z");
  EXPECT_EQ(NextAfter("* * * * *", "2026-03-10T07:03:00.001Z"), "2026-03-10T07:04:00.000Z");
}

TEST(Cron, FixedMinuteAndHour) {
  EXPECT_EQ(NextAfter("30 6 * * *", "2026-03-10T05:00:00Z"), "2026-03-10T06:30:00.000Z");
  EXPECT_EQ(NextAfter("30 6 * * *", "2026-03-10T06:30:00Z"), "2026-03-11T06:30:00.000Z");
  EXPECT_EQ(NextAfter("30 6 * * *", "2026-03-10T06:45:00Z"), "2026-03-11T06:30:00.000Z");
}

TEST(Cron, ListsPickTheNearestEntry) {
  EXPECT_EQ(NextAfter("0,15,45 * * * *", "2026-03-10T07:20:00Z"), "2026-03-10T07:45:00.000Z");
  EXPECT_EQ(NextAfter("0,15,45 * * * *", "2026-03-10T07:50:00Z"), "2026-03-10T08:00:00.000Z");
  EXPECT_EQ(NextAfter("0 1,15 * * *", "2026-03-10T02:00:00Z"), "2026-03-10T15:00:00.000Z");
}

TEST(Cron, RangesIncludeBothEnds) {
  EXPECT_EQ(NextAfter("0 9-17 * * *", "2026-03-10T17:00:00Z"), "2026-03-11T09:00:00.000Z");
  EXPECT_EQ(NextAfter("0 9-17 * * *", "2026-03-10T16:59:00Z"), "2026-03-10T17:00:00.000Z");
  EXPECT_EQ(NextAfter("0 0 * * 1-5", "2026-03-13T12:00:00Z"), "2026-03-16T00:00:00.000Z");  // Fri -> Mon
}

TEST(Cron, StepsOverStarRangeAndSingleStart) {
  EXPECT_EQ(NextAfter("*/15 * * * *", "2026-03-10T07:16:00Z"), "2026-03-10T07:30:00.000Z");
  EXPECT_EQ(NextAfter("*/15 * * * *", "2026-03-10T07:45:00Z"), "2026-03-10T08:00:00.000Z");
  EXPECT_EQ(NextAfter("10-50/10 * * * *", "2026-03-10T07:50:00Z"), "2026-03-10T08:10:00.000Z");
  EXPECT_EQ(NextAfter("10-50/10 * * * *", "2026-03-10T07:31:00Z"), "2026-03-10T07:40:00.000Z");
  EXPECT_EQ(NextAfter("5/20 * * * *", "2026-03-10T07:26:00Z"), "2026-03-10T07:45:00.000Z");
  EXPECT_EQ(NextAfter("0 */6 * * *", "2026-03-10T19:00:00Z"), "2026-03-11T00:00:00.000Z");
}

TEST(Cron, MonthAndDayNamesInAnyCase) {
  EXPECT_EQ(NextAfter("0 0 1 JUN *", "2026-03-10T00:00:00Z"), "2026-06-01T00:00:00.000Z");
  EXPECT_EQ(NextAfter("0 0 1 jan-Mar *", "2026-03-10T00:00:00Z"), "2027-01-01T00:00:00.000Z");
  EXPECT_EQ(NextAfter("0 12 * * Sat,sun", "2026-03-10T00:00:00Z"), "2026-03-14T12:00:00.000Z");  // a Tuesday
  EXPECT_EQ(NextAfter("0 12 * * MON-wed", "2026-03-12T00:00:00Z"), "2026-03-16T12:00:00.000Z");
}

TEST(Cron, ZeroAndSevenAreBothSunday) {
  EXPECT_EQ(NextAfter("0 0 * * 0", "2026-03-10T00:00:00Z"), "2026-03-15T00:00:00.000Z");
  EXPECT_EQ(NextAfter("0 0 * * 7", "2026-03-10T00:00:00Z"), "2026-03-15T00:00:00.000Z");
  EXPECT_EQ(NextAfter("0 0 * * 5-7", "2026-03-14T00:00:00Z"), "2026-03-15T00:00:00.000Z");  // Sat -> Sun
}

TEST(Cron, Aliases) {
  EXPECT_EQ(NextAfter("@hourly", "2026-03-10T07:03:00Z"), "2026-03-10T08:00:00.000Z");
  EXPECT_EQ(NextAfter("@daily", "2026-03-10T07:03:00Z"), "2026-03-11T00:00:00.000Z");
  EXPECT_EQ(NextAfter("@midnight", "2026-03-10T07:03:00Z"), "2026-03-11T00:00:00.000Z");
  EXPECT_EQ(NextAfter("@weekly", "2026-03-10T07:03:00Z"), "2026-03-15T00:00:00.000Z");
  EXPECT_EQ(NextAfter("@monthly", "2026-03-10T07:03:00Z"), "2026-04-01T00:00:00.000Z");
  EXPECT_EQ(NextAfter("@yearly", "2026-03-10T07:03:00Z"), "2027-01-01T00:00:00.000Z");
  EXPECT_EQ(NextAfter("@annually", "2026-03-10T07:03:00Z"), "2027-01-01T00:00:00.000Z");
  EXPECT_EQ(NextAfter("@Daily", "2026-03-10T07:03:00Z"), "2026-03-11T00:00:00.000Z");
  EXPECT_EQ(MustParse(" @daily ").spec(), "@daily");
}

TEST(Cron, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  // The 13th, or any Friday: from Tuesday 2026-03-10 the Friday 13th comes first, then Friday the 20th.
  EXPECT_EQ(NextAfter("0 0 13 * fri", "2026-03-10T00:00:00Z"), "2026-03-13T00:00:00.000Z");
  EXPECT_EQ(NextAfter("0 0 13 * fri", "2026-03-13T00:00:00Z"), "2026-03-20T00:00:00.000Z");
  // The 1st, or any Monday: Monday the 16th comes before April 1st.
  EXPECT_EQ(NextAfter("0 0 1 * mon", "2026-03-10T00:00:00Z"), "2026-03-16T00:00:00.000Z");
  EXPECT_EQ(NextAfter("0 0 1 * mon", "2026-03-30T00:00:00Z"), "2026-04-01T00:00:00.000Z");
}

TEST(Cron, DayOfMonthAndDayOfWeekWhenOneIsStar) {
  // Only the day of week restricts: the 1st is ignored.
  EXPECT_EQ(NextAfter("0 0 * * mon", "2026-03-10T00:00:00Z"), "2026-03-16T00:00:00.000Z");
  // Only the day of month restricts.
  EXPECT_EQ(NextAfter("0 0 20 * *", "2026-03-10T00:00:00Z"), "2026-03-20T00:00:00.000Z");
  // A field starting with '*' counts as unrestricted, as in Vixie cron: odd days that are also Mondays.
  EXPECT_EQ(NextAfter("0 0 */2 * mon", "2026-03-10T00:00:00Z"), "2026-03-23T00:00:00.000Z");
}

TEST(Cron, CrossesMonthAndYearEnds) {
  EXPECT_EQ(NextAfter("0 0 * * *", "2026-01-31T23:59:00Z"), "2026-02-01T00:00:00.000Z");
  EXPECT_EQ(NextAfter("59 23 31 * *", "2026-04-01T00:00:00Z"), "2026-05-31T23:59:00.000Z");  // April has 30
  EXPECT_EQ(NextAfter("* * * * *", "2026-12-31T23:59:30Z"), "2027-01-01T00:00:00.000Z");
  EXPECT_EQ(NextAfter("30 2 1 1 *", "2026-12-31T23:00:00Z"), "2027-01-01T02:30:00.000Z");
}

TEST(Cron, LeapDayWaitsForTheNextLeapYear) {
  EXPECT_EQ(NextAfter("0 0 29 2 *", "2026-01-01T00:00:00Z"), "2028-02-29T00:00:00.000Z");
  EXPECT_EQ(NextAfter("0 0 29 feb *", "2028-02-29T00:00:00Z"), "2032-02-29T00:00:00.000Z");
  // 2100 is not a leap year: eight years between leap days, still within the search window.
  EXPECT_EQ(NextAfter("0 0 29 2 *", "2096-03-01T00:00:00Z"), "2104-02-29T00:00:00.000Z");
}

TEST(Cron, ImpossibleScheduleNeverFiresAndTerminates) {
  EXPECT_EQ(NextAfter("0 0 31 2 *", "2026-01-01T00:00:00Z"), "never");
  EXPECT_EQ(NextAfter("0 0 30 feb *", "2026-01-01T00:00:00Z"), "never");
  EXPECT_EQ(NextAfter("0 0 31 4,6,9,11 *", "2026-01-01T00:00:00Z"), "never");
}

TEST(Cron, NeverFiresPastYear9999) {
  EXPECT_EQ(MustParse("* * * * *").Next(Time::max()), CronSchedule::kNever);
  EXPECT_EQ(NextAfter("0 0 1 1 *", "9999-06-01T00:00:00Z"), "never");
  EXPECT_EQ(NextAfter("* * * * *", "9999-12-31T23:58:00Z"), "9999-12-31T23:59:00.000Z");
}

TEST(Cron, NextIsStableWhenChained) {
  const CronSchedule s = MustParse("*/20 8-9 * * mon-fri");
  Time t = At("2026-03-13T09:30:00Z");  // a Friday
  std::vector<std::string> fires;
  for (int i = 0; i < 4; ++i) {
    t = s.Next(t);
    fires.push_back(FormatTime(t));
  }
  EXPECT_EQ(fires, (std::vector<std::string>{"2026-03-13T09:40:00.000Z", "2026-03-16T08:00:00.000Z",
                                             "2026-03-16T08:20:00.000Z", "2026-03-16T08:40:00.000Z"}));
}

TEST(Cron, KeepsTheSpecAsWritten) { EXPECT_EQ(MustParse("  0 6 * * mon-fri\t").spec(), "0 6 * * mon-fri"); }

TEST(Cron, FieldCountErrors) {
  EXPECT_EQ(ErrorOf("0 0 * *"),
            "cron '0 0 * *': expected 5 fields, got 4 (minute hour day-of-month month day-of-week)");
  EXPECT_NE(ErrorOf("0 0 * * * *").find("expected 5 fields, got 6"), std::string::npos);
  EXPECT_NE(ErrorOf("").find("expected 5 fields, got 0"), std::string::npos);
}

TEST(Cron, OutOfRangeErrorsNameTheFieldAndValue) {
  EXPECT_EQ(ErrorOf("0 25 * * *"), "cron '0 25 * * *': hour 25 is out of range 0-23");
  EXPECT_EQ(ErrorOf("60 * * * *"), "cron '60 * * * *': minute 60 is out of range 0-59");
  EXPECT_EQ(ErrorOf("0 0 0 * *"), "cron '0 0 0 * *': day-of-month 0 is out of range 1-31");
  EXPECT_EQ(ErrorOf("0 0 * 13 *"), "cron '0 0 * 13 *': month 13 is out of range 1-12");
  EXPECT_EQ(ErrorOf("0 0 * * 8"), "cron '0 0 * * 8': day-of-week 8 is out of range 0-7");
  EXPECT_EQ(ErrorOf("0 1-24 * * *"), "cron '0 1-24 * * *': hour 24 is out of range 0-23");
  EXPECT_EQ(ErrorOf("99999999999 * * * *"),
            "cron '99999999999 * * * *': minute 99999999999 is out of range 0-59");
}

TEST(Cron, SyntaxErrorsNameTheFieldAndValue) {
  EXPECT_EQ(ErrorOf("x * * * *"), "cron 'x * * * *': minute 'x' is not a number");
  EXPECT_EQ(ErrorOf("0 0 * foo *"), "cron '0 0 * foo *': month 'foo' is not a number or a name (jan..dec)");
  EXPECT_EQ(ErrorOf("0 0 * * funday"),
            "cron '0 0 * * funday': day-of-week 'funday' is not a number or a name (sun..sat)");
  EXPECT_EQ(ErrorOf("0 0 * mon *"), "cron '0 0 * mon *': month 'mon' is not a number or a name (jan..dec)");
  EXPECT_EQ(ErrorOf("0 17-9 * * *"), "cron '0 17-9 * * *': hour range '17-9' runs backwards");
  EXPECT_EQ(ErrorOf("*/0 * * * *"), "cron '*/0 * * * *': minute step 0 in '*/0' is out of range 1-59");
  EXPECT_EQ(ErrorOf("*/x * * * *"), "cron '*/x * * * *': minute step 'x' in '*/x' is not a number");
  EXPECT_EQ(ErrorOf("1,,2 * * * *"), "cron '1,,2 * * * *': minute '1,,2' has an empty entry");
  EXPECT_EQ(ErrorOf("0 0 1- * *"), "cron '0 0 1- * *': day-of-month '' is not a number");
}

TEST(Cron, UnknownAliasSuggestsTheClosest) {
  EXPECT_EQ(ErrorOf("@hourlly"), "cron '@hourlly': unknown alias '@hourlly' (did you mean '@hourly'?)");
  EXPECT_EQ(ErrorOf("@reboot"), "cron '@reboot': unknown alias '@reboot'");
}

}  // namespace
}  // namespace glueguard
