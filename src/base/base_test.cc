#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "base/clock.h"
#include "base/log.h"
#include "base/random.h"
#include "base/status.h"
#include "base/strings.h"
#include "base/time.h"

namespace glueguard {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(Status, CarriesCodeAndMessageAndContext) {
  Status s = Status::InvalidArgument("bad cidr");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "invalid_argument: bad cidr");
  EXPECT_EQ(s.WithContext("subnets[0]").message(), "subnets[0]: bad cidr");
  EXPECT_TRUE(Status::Ok().WithContext("x").ok());
}

TEST(Result, HoldsValueOrError) {
  Result<int> good = 3;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  Result<int> bad = Status::NotFound("nope");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
}

TEST(Result, AnOkStatusWithoutValueBecomesAnInternalError) {
  Result<int> r = Status::Ok();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

TEST(ResultDeathTest, UsingTheValueOfAnErrorAbortsWithTheStatus) {
  Result<int> r = Status::NotFound("no such subnet: subnet-1");
  EXPECT_DEATH((void)r.value(), "the value of a failed Result was used: .*no such subnet: subnet-1");
  EXPECT_DEATH((void)*r, "no such subnet");
}

Result<int> Half(int n) {
  if (n % 2 != 0) return Status::InvalidArgument(std::to_string(n) + " is odd");
  return n / 2;
}

Result<int> Quarter(int n) {
  GG_ASSIGN_OR_RETURN(const int half, Half(n));
  int quarter = 0;
  GG_ASSIGN_OR_RETURN(quarter, Half(half));
  return quarter;
}

TEST(Result, AssignOrReturnPassesTheValueOnAndTheErrorOut) {
  EXPECT_EQ(*Quarter(12), 3);
  EXPECT_EQ(Quarter(6).status().message(), "3 is odd");
  EXPECT_EQ(Quarter(5).status().message(), "5 is odd");
}

TEST(Duration, ParsesUnitsAndCombinations) {
  EXPECT_EQ(*ParseDuration("90s"), seconds(90));
  EXPECT_EQ(*ParseDuration("10m"), minutes(10));
  EXPECT_EQ(*ParseDuration("1h30m"), minutes(90));
  EXPECT_EQ(*ParseDuration("30d"), hours(24 * 30));
  EXPECT_EQ(*ParseDuration("250ms"), Duration(250));
}

TEST(Duration, RejectsBareNumbersAndUnknownUnits) {
  EXPECT_FALSE(ParseDuration("60").ok());
  EXPECT_FALSE(ParseDuration("5y").ok());
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("-5s").ok());
  EXPECT_NE(ParseDuration("60").status().message().find("missing unit"), std::string::npos);
}

TEST(Duration, FormatsForPeople) {
  EXPECT_EQ(FormatDuration(Duration(250)), "250ms");
  EXPECT_EQ(FormatDuration(seconds(45)), "45s");
  EXPECT_EQ(FormatDuration(seconds(252)), "4m12s");
  EXPECT_EQ(FormatDuration(minutes(60)), "1h0m");
}

TEST(Time, FormatsAndParsesRfc3339) {
  const Time t = *ParseTime("2026-11-23T07:03:00.125Z");
  EXPECT_EQ(FormatTime(t), "2026-11-23T07:03:00.125Z");
  EXPECT_EQ(*ParseTime("2026-11-23T07:03:00Z"), t - Duration(125));
  EXPECT_FALSE(ParseTime("2026-02-30T00:00:00Z").ok());
  EXPECT_FALSE(ParseTime("2026-11-23 07:03:00").ok());
}

TEST(FakeClock, MovesOnlyWhenTold) {
  FakeClock clock;
  const Time start = clock.Now();
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(minutes(5));
  EXPECT_EQ(clock.Now() - start, minutes(5));
}

TEST(SeededRandom, SameSeedSameSequence) {
  SeededRandom a(42);
  SeededRandom b(42);
  SeededRandom c(43);
  std::vector<uint64_t> va, vb, vc;
  for (int i = 0; i < 5; ++i) {
    va.push_back(a.Next());
    vb.push_back(b.Next());
    vc.push_back(c.Next());
  }
  EXPECT_EQ(va, vb);
  EXPECT_NE(va, vc);
}

TEST(Random, UniformIntStaysInRangeAndCoversIt) {
  SeededRandom r(7);
  std::set<int64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const int64_t v = r.UniformInt(3, 6);
    ASSERT_GE(v, 3);
    ASSERT_LE(v, 6);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 4u);
}

TEST(Random, HexHasTwoCharactersPerByte) {
  ScriptedRandom r({0x0123456789abcdefULL});
  EXPECT_EQ(r.Hex(4), "efcdab89");
}

TEST(Strings, ClosestMatchSuggestsNearNamesOnly) {
  EXPECT_EQ(ClosestMatch("subent", {"subnet", "store"}), "subnet");
  EXPECT_EQ(ClosestMatch("zzzzzz", {"subnet", "store"}), std::nullopt);
}

TEST(Strings, StrictBoolAcceptsOnlyTrueAndFalseInAnyCase) {
  EXPECT_EQ(ParseStrictBool("TRUE"), true);
  EXPECT_EQ(ParseStrictBool("False"), false);
  EXPECT_EQ(ParseStrictBool("yes"), std::nullopt);
  EXPECT_EQ(ParseStrictBool("1"), std::nullopt);
  EXPECT_EQ(ParseStrictBool(""), std::nullopt);
}

TEST(Strings, ParseNumberTakesTheWholeTextAsAFiniteNumber) {
  EXPECT_EQ(ParseNumber("0.5"), 0.5);
  EXPECT_EQ(ParseNumber("-2"), -2.0);
  EXPECT_EQ(ParseNumber("1e3"), 1000.0);
  for (const char* bad : {"", " 1", "1 ", "1x", "ten", "inf", "nan", "1e999"}) {
    EXPECT_EQ(ParseNumber(bad), std::nullopt) << "'" << bad << "'";
  }
}

TEST(Strings, ParseWholeNumberTakesTheWholeTextAndWhatTheTypeHolds) {
  EXPECT_EQ(ParseWholeNumber<int>("42"), 42);
  EXPECT_EQ(ParseWholeNumber<int>("-7"), -7);
  EXPECT_EQ(ParseWholeNumber<int64_t>("1767225600000"), int64_t{1767225600000});
  for (const char* bad : {"", "+1", "1.0", " 1", "1 ", "0x10", "2147483648"}) {
    EXPECT_EQ(ParseWholeNumber<int>(bad), std::nullopt) << "'" << bad << "'";
  }
}

TEST(Log, WritesWholeLinesWhereItIsToldAndNothingByDefault) {
  std::ostringstream out;
  const Log to_stream = Log::To(out);
  to_stream("released 2 claim(s)");
  to_stream(std::string("doctor: delete eni-1"));
  EXPECT_EQ(out.str(), "glueguard: released 2 claim(s)\nglueguard: doctor: delete eni-1\n");

  std::vector<std::string> lines;
  const Log to_test([&lines](std::string_view line) { lines.emplace_back(line); });
  EXPECT_TRUE(to_test);
  to_test("one");
  EXPECT_EQ(lines, std::vector<std::string>{"one"});

  const Log nowhere;
  EXPECT_FALSE(nowhere);
  nowhere("dropped");
}

}  // namespace
}  // namespace glueguard
