#include "admission/subnet_admission.h"

#include <gtest/gtest.h>

#include "testing/observations.h"

namespace glueguard {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

class SubnetAdmissionTest : public ::testing::Test {
 protected:
  SubnetAdmissionTest() : subnet_(Settings()) {}

  static SubnetSettings Settings() {
    SubnetSettings s;
    s.subnet_id = "subnet-a";
    s.capacity = 59;  // a /26
    return s;
  }

  void Reset(const SubnetSettings& settings) { subnet_ = SubnetAdmission(settings); }

  // Applies an observation of `in_use` + `available` ENIs taken at now().
  void Observe(int in_use, int available, int other = 0) {
    subnet_.Observe(testing::ObservationOf("subnet-a", now_, in_use, available, other));
  }

  // The seed's morning: five observations whose largest cleanup tail is 15; the latest has 30 ENIs, 12 available.
  void SeedHistory() {
    const int tails[] = {9, 15, 4, 11};
    for (int tail : tails) {
      Observe(10, tail);
      now_ += minutes(1);
    }
    Observe(18, 12);
  }

  Decision Ask(const std::string& run_id, int workers, int priority = 0) {
    Launch l;
    l.category = "critical";
    l.run_id = run_id;
    l.workers = workers;
    l.needed_ips = workers;
    l.priority = priority;
    SubnetChanges changes;
    return subnet_.Decide(l, now_, random_, changes);
  }

  Time now_ = FromUnixMillis(1'767'225'600'000);
  SeededRandom random_{1};
  SubnetAdmission subnet_;
};

TEST_F(SubnetAdmissionTest, SeedNumbersAdmitTenWorkersWithTwentyNineFree) {
  SeedHistory();
  const Decision d = Ask("run-1", 10);
  EXPECT_EQ(d.outcome, Outcome::kAdmit) << d.reason;
  EXPECT_EQ(d.code, DecisionCode::kFits);
  EXPECT_EQ(d.capacity, 59);
  EXPECT_EQ(d.total, 30);
  EXPECT_EQ(d.free, 29);
  EXPECT_EQ(d.buffer, 15);
  EXPECT_EQ(d.reserved, 0);
  EXPECT_EQ(d.needed, 10);
  EXPECT_FALSE(d.reservation_id.empty());
  EXPECT_EQ(d.reason, "29 free - 0 reserved = 29 >= 10 needed + 15 buffer");
}

// Whether a waiter could be admitted now (the controller then observes the subnet again), found with one
// evaluation: the smallest waiter, or under strict FIFO the head of the queue.
TEST_F(SubnetAdmissionTest, AWaiterFitsWhenTheSmallestDoesAndUnderStrictFifoOnlyWhenTheHeadDoes) {
  for (const bool strict : {false, true}) {
    SubnetSettings s = Settings();
    s.strict_fifo = strict;
    Reset(s);
    SeedHistory();  // 29 free - 15 buffer: 14 IPs of headroom
    ASSERT_EQ(Ask("big", 20).outcome, Outcome::kWait);
    ASSERT_EQ(Ask("small", 16).outcome, Outcome::kWait);
    EXPECT_FALSE(subnet_.AnyWaiterFits(now_)) << strict;
    now_ += seconds(30);
    Observe(16, 12);  // two ENIs gone: 16 IPs of headroom, enough for the smaller, not for the head
    EXPECT_EQ(subnet_.AnyWaiterFits(now_), !strict) << strict;
    EXPECT_TRUE(subnet_.IsWaiting("big"));
    EXPECT_FALSE(subnet_.IsWaiting("run-1"));
  }
}

TEST_F(SubnetAdmissionTest, OneMoreReservedLaunchOfTenMakesTheNextWait) {
  SeedHistory();
  ASSERT_EQ(Ask("run-1", 10).outcome, Outcome::kAdmit);
  const Decision d = Ask("run-2", 10);
  EXPECT_EQ(d.outcome, Outcome::kWait) << d.reason;
  EXPECT_EQ(d.code, DecisionCode::kNoHeadroom);
  EXPECT_EQ(d.reserved, 10);
  EXPECT_EQ(d.retry_after, seconds(60));
  EXPECT_EQ(subnet_.waiters().size(), 1u);
}

TEST_F(SubnetAdmissionTest, TwoRacingAdmitsCannotBothTakeTheLastHeadroom) {
  Observe(24, 10);  // free 25, buffer 10: headroom 15 for one launch of 10, not two
  const Decision first = Ask("run-1", 10);
  const Decision second = Ask("run-2", 10);
  EXPECT_EQ(first.outcome, Outcome::kAdmit);
  EXPECT_EQ(second.outcome, Outcome::kWait);
  EXPECT_EQ(subnet_.ReservedIps(now_), 10);
}

TEST_F(SubnetAdmissionTest, EmptyHistoryFloorsTheBufferAtTen) {
  Observe(37, 2);  // free 20 = 10 needed + the floor of 10
  const Decision d = Ask("run-1", 10);
  EXPECT_EQ(d.buffer, 10);
  EXPECT_EQ(d.outcome, Outcome::kAdmit) << d.reason;
}

TEST_F(SubnetAdmissionTest, EqualToThresholdAdmitsOneLessWaits) {
  Observe(37, 2);  // free 20
  EXPECT_EQ(Ask("run-1", 10).outcome, Outcome::kAdmit);
  Reset(Settings());
  Observe(38, 2);  // free 19
  const Decision d = Ask("run-1", 10);
  EXPECT_EQ(d.outcome, Outcome::kWait);
  EXPECT_EQ(d.reason, "19 free - 0 reserved = 19 < 10 needed + 10 buffer");
}

TEST_F(SubnetAdmissionTest, NoObservationNeverAdmits) {
  const Decision d = Ask("run-1", 1);
  EXPECT_EQ(d.outcome, Outcome::kWait);
  EXPECT_EQ(d.code, DecisionCode::kNoObservation);
}

TEST_F(SubnetAdmissionTest, StaleObservationNeverAdmits) {
  Observe(0, 0);
  now_ += minutes(2);
  EXPECT_EQ(Ask("run-1", 1).outcome, Outcome::kAdmit);  // exactly at the bound is still fresh
  now_ += seconds(1);
  const Decision d = Ask("run-2", 1);
  EXPECT_EQ(d.outcome, Outcome::kWait);
  EXPECT_EQ(d.code, DecisionCode::kStaleObservation);
}

TEST_F(SubnetAdmissionTest, HigherPriorityWaiterGoesFirst) {
  Observe(49, 0);  // free 10: nothing fits beside the buffer
  ASSERT_EQ(Ask("low", 5, /*priority=*/10).outcome, Outcome::kWait);
  ASSERT_EQ(Ask("high", 5, /*priority=*/100).outcome, Outcome::kWait);
  EXPECT_EQ(subnet_.waiters().front().run_id, "high");
  now_ += seconds(30);
  Observe(44, 0);  // free 15: room for exactly one launch of 5
  const Decision low = Ask("low", 5, 10);
  EXPECT_EQ(low.outcome, Outcome::kWait);
  EXPECT_EQ(low.code, DecisionCode::kQueued);
  EXPECT_EQ(Ask("high", 5, 100).outcome, Outcome::kAdmit);
}

TEST_F(SubnetAdmissionTest, EqualPriorityWaitersGoInArrivalOrder) {
  Observe(49, 0);
  ASSERT_EQ(Ask("first", 5).outcome, Outcome::kWait);
  now_ += seconds(1);
  ASSERT_EQ(Ask("second", 5).outcome, Outcome::kWait);
  Observe(44, 0);  // room for one
  EXPECT_EQ(Ask("second", 5).code, DecisionCode::kQueued);
  EXPECT_EQ(Ask("first", 5).outcome, Outcome::kAdmit);
}

TEST_F(SubnetAdmissionTest, BestEffortLetsASmallJobPassAHeadThatCannotFit) {
  Observe(40, 0);  // free 19, buffer 10: headroom 9
  ASSERT_EQ(Ask("big", 20, 100).outcome, Outcome::kWait);
  const Decision small = Ask("small", 5, 10);
  EXPECT_EQ(small.outcome, Outcome::kAdmit) << small.reason;
}

TEST_F(SubnetAdmissionTest, StrictFifoHoldsASmallJobBehindTheHead) {
  SubnetSettings s = Settings();
  s.strict_fifo = true;
  Reset(s);
  Observe(40, 0);
  ASSERT_EQ(Ask("big", 20, 100).outcome, Outcome::kWait);
  const Decision small = Ask("small", 5, 10);
  EXPECT_EQ(small.outcome, Outcome::kWait);
  EXPECT_EQ(small.code, DecisionCode::kQueued);
}

TEST_F(SubnetAdmissionTest, AnAbandonedHeadStopsBlockingAfterTheIdleTimeout) {
  SubnetSettings s = Settings();
  s.strict_fifo = true;
  s.stale_after = minutes(30);
  Reset(s);
  Observe(40, 0);
  ASSERT_EQ(Ask("big", 20, 100).outcome, Outcome::kWait);
  now_ += minutes(5) + seconds(1);  // big never asks again
  EXPECT_EQ(Ask("small", 5, 10).outcome, Outcome::kAdmit);
  EXPECT_EQ(subnet_.Expire(now_).delete_waiters, std::vector<std::string>{"big"});
}

TEST_F(SubnetAdmissionTest, ReservationExpiresAfterItsTtl) {
  Observe(24, 10);
  ASSERT_EQ(Ask("run-1", 10).outcome, Outcome::kAdmit);
  EXPECT_EQ(subnet_.ReservedIps(now_ + minutes(15) - Duration(1)), 10);
  EXPECT_EQ(subnet_.ReservedIps(now_ + minutes(15)), 0);
  EXPECT_TRUE(subnet_.Expire(now_ + minutes(14)).delete_reservations.empty());
  const SubnetChanges expired = subnet_.Expire(now_ + minutes(15));
  ASSERT_EQ(expired.delete_reservations.size(), 1u);
  EXPECT_TRUE(subnet_.reservations().empty());
}

TEST_F(SubnetAdmissionTest, AnObservationShowingTheNewEnisSettlesTheReservation) {
  Observe(24, 10);
  ASSERT_EQ(Ask("run-1", 10).outcome, Outcome::kAdmit);
  now_ += minutes(1);
  Observe(28, 10);  // four of the ten ENIs are up
  ASSERT_EQ(subnet_.reservations().size(), 1u);
  EXPECT_EQ(subnet_.reservations()[0].ips, 6);
  now_ += minutes(1);
  const int before = subnet_.ReservedIps(now_);
  Observe(34, 10);  // all ten
  EXPECT_EQ(before, 6);
  EXPECT_TRUE(subnet_.reservations().empty());
}

TEST_F(SubnetAdmissionTest, ExplicitReleaseFreesTheReservedIps) {
  Observe(24, 10);
  const Decision d = Ask("run-1", 10);
  ASSERT_TRUE(subnet_.Release(d.reservation_id).ok());
  EXPECT_EQ(subnet_.ReservedIps(now_), 0);
  EXPECT_EQ(subnet_.Release(d.reservation_id).status().code(), StatusCode::kNotFound);
}

TEST_F(SubnetAdmissionTest, AskingAgainAfterAnAdmitReturnsTheSameReservation) {
  Observe(24, 10);
  const Decision first = Ask("run-1", 10);
  const Decision again = Ask("run-1", 10);
  EXPECT_EQ(again.outcome, Outcome::kAdmit);
  EXPECT_EQ(again.code, DecisionCode::kAlreadyAdmitted);
  EXPECT_EQ(again.reservation_id, first.reservation_id);
  EXPECT_EQ(subnet_.ReservedIps(now_), 10);
}

TEST_F(SubnetAdmissionTest, CoolOffAfterReportedExhaustionHoldsEveryLaunch) {
  SubnetSettings s = Settings();
  s.stale_after = minutes(60);
  s.max_wait = minutes(30);
  Reset(s);
  Observe(0, 0);
  subnet_.ReportExhaustion(now_);
  const Decision d = Ask("run-1", 1);
  EXPECT_EQ(d.outcome, Outcome::kWait);
  EXPECT_EQ(d.code, DecisionCode::kCoolOff);
  now_ += minutes(15) - seconds(1);
  EXPECT_EQ(Ask("run-1", 1).code, DecisionCode::kCoolOff);
  EXPECT_EQ(Ask("run-1", 1).retry_after, seconds(1));
  now_ += seconds(1);
  EXPECT_EQ(Ask("run-1", 1).outcome, Outcome::kAdmit);
}

TEST_F(SubnetAdmissionTest, PriorityFloorTurnsOnAtEightyPercentAndOffBelowSixty) {
  SubnetSettings s = Settings();
  s.capacity = 100;
  s.buffer = *ParseBufferPolicy("none");
  s.priority_floor = {true, 0.80, 0.60, 100};
  Reset(s);
  Observe(79, 0);
  EXPECT_EQ(Ask("low-1", 1, 10).outcome, Outcome::kAdmit);
  Observe(80, 0);
  EXPECT_EQ(Ask("low-2", 1, 10).code, DecisionCode::kPriorityFloor);
  EXPECT_EQ(Ask("critical-1", 1, 100).outcome, Outcome::kAdmit);
  now_ += minutes(1);
  Observe(60, 0);  // between the two thresholds: still on
  EXPECT_EQ(Ask("low-2", 1, 10).code, DecisionCode::kPriorityFloor);
  now_ += minutes(1);
  Observe(59, 0);
  EXPECT_EQ(Ask("low-2", 1, 10).outcome, Outcome::kAdmit);
}

TEST_F(SubnetAdmissionTest, WaiterPastMaxWaitFailsLoudly) {
  Observe(49, 0);
  ASSERT_EQ(Ask("run-1", 5).outcome, Outcome::kWait);
  for (int i = 0; i < 10; ++i) {
    now_ += minutes(1);
    Observe(49, 0);
    ASSERT_EQ(Ask("run-1", 5).outcome, Outcome::kWait) << "minute " << i + 1;
  }
  now_ += seconds(1);
  Observe(49, 0);
  const Decision d = Ask("run-1", 5);
  EXPECT_EQ(d.outcome, Outcome::kReject);
  EXPECT_EQ(d.code, DecisionCode::kMaxWaitExceeded);
  EXPECT_EQ(d.waited, minutes(10) + seconds(1));
  EXPECT_TRUE(subnet_.waiters().empty());
}

TEST_F(SubnetAdmissionTest, RejectsWhatCanNeverFitAndMalformedRequests) {
  Observe(0, 0);
  const Decision too_big = Ask("run-1", 50);  // 50 + the floor of 10 > 59
  EXPECT_EQ(too_big.outcome, Outcome::kReject);
  EXPECT_EQ(too_big.code, DecisionCode::kNeverFits);
  EXPECT_EQ(Ask("run-2", 49).outcome, Outcome::kAdmit);
  EXPECT_EQ(Ask("run-3", 0).code, DecisionCode::kMalformed);
  EXPECT_EQ(Ask("", 1).code, DecisionCode::kMalformed);
}

}  // namespace
}  // namespace glueguard

namespace glueguard {
namespace {

// Observations that list their ENIs: Glue ENIs "eni-<n>" with the given statuses.
Observation Listed(Time at, const std::vector<std::pair<int, std::string>>& enis,
                   const std::string& role = "arn:aws:iam::1:role/Glue") {
  Observation o;
  o.subnet_id = "subnet-a";
  o.observed_at = at;
  o.enis.emplace();
  for (const auto& [n, status] : enis) {
    o.enis->push_back({"eni-" + std::to_string(n), status, role, true});
    ++o.total_enis;
    (status == "in-use" ? o.in_use : status == "available" ? o.available : o.other)++;
  }
  return o;
}

TEST_F(SubnetAdmissionTest, AReservationSettlesByTheEnisThatAppearEvenWhenOthersAreDeletedMeanwhile) {
  std::vector<std::pair<int, std::string>> before;
  for (int i = 0; i < 10; ++i) before.push_back({i, "available"});
  subnet_.Observe(Listed(now_, before));
  ASSERT_EQ(Ask("run-1", 5).outcome, Outcome::kAdmit);
  EXPECT_EQ(subnet_.ReservedIps(now_), 5);
  // A minute later the launch's 5 ENIs are in use and 5 lingering ones were deleted: the total did not grow.
  now_ += minutes(1);
  std::vector<std::pair<int, std::string>> after;
  for (int i = 5; i < 10; ++i) after.push_back({i, "available"});
  for (int i = 100; i < 105; ++i) after.push_back({i, "in-use"});
  const SubnetChanges changes = subnet_.Observe(Listed(now_, after));
  EXPECT_EQ(subnet_.ReservedIps(now_), 0);
  EXPECT_EQ(changes.delete_reservations.size(), 1u);
  // The appearances the reservation explained are not uncontrolled growth; the deletions are cleanup tails.
  EXPECT_EQ(subnet_.timeline().LargestUncontrolledBurst(minutes(15)), 0);
  EXPECT_EQ(subnet_.timeline().tails().size(), 5u);
}

// With roles named per category, an ENI settles only its own category's reservations: a run of another role
// (a console run, another team's job) arriving first is uncontrolled growth and leaves the reservation be.
TEST_F(SubnetAdmissionTest, WithRolesPerCategoryAnEniSettlesOnlyItsCategorysReservation) {
  SubnetSettings s = Settings();
  s.category_roles["critical"] = {"GlueCritical"};  // a role name: matches the ARN's end, path and all
  Reset(s);
  subnet_.Observe(Listed(now_, {{1, "in-use"}}));
  ASSERT_EQ(Ask("run-1", 3).outcome, Outcome::kAdmit);
  now_ += minutes(1);
  subnet_.Observe(Listed(now_, {{1, "in-use"}, {2, "in-use"}, {3, "in-use"}, {4, "in-use"}},
                         "arn:aws:iam::1:role/Other"));
  EXPECT_EQ(subnet_.ReservedIps(now_), 3);
  EXPECT_EQ(subnet_.timeline().LargestUncontrolledBurst(minutes(15)), 3);
  now_ += minutes(1);
  Observation mine = Listed(now_, {{1, "in-use"}, {2, "in-use"}, {3, "in-use"}, {4, "in-use"}},
                            "arn:aws:iam::1:role/Other");
  for (int n = 5; n < 8; ++n) {
    mine.enis->push_back({"eni-" + std::to_string(n), "in-use", "arn:aws:iam::1:role/service/GlueCritical", true});
    ++mine.total_enis;
    ++mine.in_use;
  }
  subnet_.Observe(mine);
  EXPECT_EQ(subnet_.ReservedIps(now_), 0);
  EXPECT_EQ(subnet_.timeline().LargestUncontrolledBurst(minutes(15)), 3);  // the run's own ENIs were not
}

TEST_F(SubnetAdmissionTest, EnisNoReservationExplainsAreUncontrolledGrowth) {
  subnet_.Observe(Listed(now_, {{1, "in-use"}}));
  now_ += minutes(1);
  subnet_.Observe(Listed(now_, {{1, "in-use"}, {2, "in-use"}, {3, "in-use"}}));
  EXPECT_EQ(subnet_.timeline().LargestUncontrolledBurst(minutes(15)), 2);
}

TEST_F(SubnetAdmissionTest, TheFirstListIsABaselineNotGrowth) {
  std::vector<std::pair<int, std::string>> many;
  for (int i = 0; i < 30; ++i) many.push_back({i, "in-use"});
  subnet_.Observe(Listed(now_, many));
  EXPECT_EQ(subnet_.timeline().LargestUncontrolledBurst(minutes(15)), 0);
}

TEST_F(SubnetAdmissionTest, ForecastFallsBackToRollingMaxAndSaysWhy) {
  SubnetSettings s = Settings();
  s.buffer.kind = BufferPolicy::Kind::kForecast;
  Reset(s);
  SeedHistory();
  const Decision d = Ask("run-1", 10);
  EXPECT_EQ(d.buffer, 15);  // the rolling max of the seed's morning
  EXPECT_NE(d.reason.find("(rolling-max: the forecast needs 6h0m of ENI history"), std::string::npos) << d.reason;
}

// A subnet watched for an hour with nothing changing has an hour of history; keep_free is left beside the
// launch whatever was learned.
TEST_F(SubnetAdmissionTest, ForecastKeepsKeepFreeAndCountsQuietTimeAsHistory) {
  SubnetSettings s = Settings();
  s.buffer.kind = BufferPolicy::Kind::kForecast;
  s.buffer.forecast.min_history = minutes(30);
  s.buffer.forecast.keep_free = 10;
  Reset(s);
  subnet_.Observe(Listed(now_, {}));  // an empty subnet: no ENI ever changes
  now_ += std::chrono::hours(1);
  subnet_.Observe(Listed(now_, {}));
  const Decision admitted = Ask("run-1", 45);
  EXPECT_EQ(admitted.outcome, Outcome::kAdmit) << admitted.reason;
  EXPECT_NE(admitted.reason.find("59 free - 0 reserved + 0 releasing - 10 kept free = 49 >= 45 needed"),
            std::string::npos)
      << admitted.reason;
  const Decision held = Ask("run-2", 5);  // 59 - 45 reserved leaves 14, of which 10 stay free
  EXPECT_EQ(held.outcome, Outcome::kWait);
  EXPECT_NE(held.reason.find("59 free - 45 reserved + 0 releasing - 10 kept free = 4 < 5 needed"),
            std::string::npos)
      << held.reason;
  EXPECT_EQ(subnet_.SetAside(now_).ips, 10);
}

}  // namespace
}  // namespace glueguard
