#include "controller/dashboard_data.h"

#include <gtest/gtest.h>

namespace glueguard {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const Time kT0 = FromUnixMillis(1'795'000'000'000);

Observation At(Time t, int in_use, int available) {
  Observation o;
  o.subnet_id = "subnet-1";
  o.observed_at = t;
  o.in_use = in_use;
  o.available = available;
  o.total_enis = in_use + available;
  return o;
}

Decision MakeDecision(Time t, Outcome outcome, DecisionCode code, const std::string& run_id) {
  Decision d;
  d.decided_at = t;
  d.outcome = outcome;
  d.code = code;
  d.run_id = run_id;
  d.category = "critical";
  d.total = 12;
  return d;
}

BufferPolicy RollingMax(int window, int floor) {
  BufferPolicy p;
  p.kind = BufferPolicy::Kind::kRollingMax;
  p.window = window;
  p.floor = floor;
  return p;
}

TEST(DashboardRange, KnowsTheFourRangesAndNothingElse) {
  EXPECT_EQ(ParseDashboardRange("1h"), hours(1));
  EXPECT_EQ(ParseDashboardRange("6h"), hours(6));
  EXPECT_EQ(ParseDashboardRange("24h"), hours(24));
  EXPECT_EQ(ParseDashboardRange("7d"), hours(168));
  EXPECT_FALSE(ParseDashboardRange("2h"));
  EXPECT_FALSE(ParseDashboardRange(""));
}

TEST(UtcDayStart, IsMidnightUtcOfTheSameDay) {
  const Time t = *ParseTime("2026-11-23T07:03:00Z");
  EXPECT_EQ(FormatTime(UtcDayStart(t)), "2026-11-23T00:00:00.000Z");
  EXPECT_EQ(UtcDayStart(UtcDayStart(t)), UtcDayStart(t));
}

TEST(DownsampleSeries, KeepsEveryObservationWhenTheyFitAndComputesTheRollingBuffer) {
  std::vector<Observation> obs;
  for (int i = 0; i < 10; ++i) obs.push_back(At(kT0 + minutes(i), 10, i == 3 ? 30 : 2));
  const Series s = DownsampleSeries(obs, RollingMax(5, 10), kT0, kT0 + hours(1), 300);
  ASSERT_EQ(s.points.size(), 10u);
  EXPECT_EQ(s.bucket, seconds(12));
  EXPECT_EQ(s.points[2].buffer, 10);  // the floor
  EXPECT_EQ(s.points[3].buffer, 30);  // the tail of 30 enters the window...
  EXPECT_EQ(s.points[7].buffer, 30);  // ...stays for five observations...
  EXPECT_EQ(s.points[8].buffer, 10);  // ...and leaves it
}

TEST(DownsampleSeries, NeverReturnsMoreThanMaxPointsAndKeepsEachBucketsPeak) {
  std::vector<Observation> obs;
  for (int i = 0; i < 7 * 24 * 60; ++i) obs.push_back(At(kT0 + minutes(i), i == 5000 ? 55 : 20, 3));
  const Series s = DownsampleSeries(obs, RollingMax(5, 10), kT0, kT0 + hours(168), 300);
  EXPECT_LE(s.points.size(), 300u);
  EXPECT_GE(s.points.size(), 290u);
  int peak = 0;
  for (const SeriesPoint& p : s.points) peak = std::max(peak, p.in_use);
  EXPECT_EQ(peak, 55);  // a one-minute spike in a week survives: max per bucket, not the mean
}

TEST(DownsampleSeries, ObservationsBeforeTheRangeOnlyFeedTheBuffer) {
  std::vector<Observation> obs = {At(kT0 - minutes(2), 1, 40), At(kT0 + minutes(1), 5, 1)};
  const Series s = DownsampleSeries(obs, RollingMax(5, 10), kT0, kT0 + hours(1), 300);
  ASSERT_EQ(s.points.size(), 1u);
  EXPECT_EQ(s.points[0].in_use, 5);
  EXPECT_EQ(s.points[0].buffer, 40);
}

TEST(LaunchAndHoldMarks, MarksLaunchesAndOnlyTheFirstWaitOfEachRun) {
  // Newest first, as the store returns them.
  const std::vector<Decision> decisions = {
      MakeDecision(kT0 + minutes(4), Outcome::kAdmit, DecisionCode::kAlreadyAdmitted, "b"),
      MakeDecision(kT0 + minutes(3), Outcome::kAdmit, DecisionCode::kFits, "b"),
      MakeDecision(kT0 + minutes(2), Outcome::kWait, DecisionCode::kNoHeadroom, "b"),
      MakeDecision(kT0 + minutes(1), Outcome::kWait, DecisionCode::kNoHeadroom, "b"),
      MakeDecision(kT0, Outcome::kAdmit, DecisionCode::kFits, "a"),
  };
  const std::vector<DecisionMark> marks = LaunchAndHoldMarks(decisions, 100);
  ASSERT_EQ(marks.size(), 3u);
  EXPECT_EQ(marks[0].kind, "launch");
  EXPECT_EQ(marks[0].run_id, "a");
  EXPECT_EQ(marks[1].kind, "hold");
  EXPECT_EQ(marks[1].at, kT0 + minutes(1));
  EXPECT_EQ(marks[2].kind, "launch");
  EXPECT_EQ(marks[2].run_id, "b");
  const std::vector<DecisionMark> newest = LaunchAndHoldMarks(decisions, 1);
  ASSERT_EQ(newest.size(), 1u);
  EXPECT_EQ(newest[0].run_id, "b");
  EXPECT_EQ(newest[0].kind, "launch");
}

TEST(CountLaunches, CountsRunsHeldAndThoseAdmittedAfterWaiting) {
  const std::vector<Decision> decisions = {
      MakeDecision(kT0 + minutes(5), Outcome::kWait, DecisionCode::kCoolOff, "c"),
      MakeDecision(kT0 + minutes(4), Outcome::kAdmit, DecisionCode::kFits, "b"),
      MakeDecision(kT0 + minutes(2), Outcome::kWait, DecisionCode::kNoHeadroom, "b"),
      MakeDecision(kT0 + minutes(1), Outcome::kWait, DecisionCode::kNoHeadroom, "b"),
      MakeDecision(kT0, Outcome::kAdmit, DecisionCode::kFits, "a"),
  };
  const LaunchCounts counts = CountLaunches(decisions);
  EXPECT_EQ(counts.launches, 3);
  EXPECT_EQ(counts.held, 2);
  EXPECT_EQ(counts.recovered, 1);
}

}  // namespace
}  // namespace glueguard
