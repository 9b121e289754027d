#include "admission/eni_timeline.h"

#include <gtest/gtest.h>

#include "admission/forecast.h"

namespace glueguard {
namespace {

using std::chrono::minutes;

constexpr const char* kRole = "arn:aws:iam::123456789012:role/GlueJobRole";

EniSighting Glue(const std::string& id, const std::string& status) { return {id, status, kRole, true}; }
EniSighting Other(const std::string& id) { return {id, "in-use", "", false}; }

class EniTimelineTest : public ::testing::Test {
 protected:
  // Applies a list seen at t0 + `at`, every appearance uncontrolled unless `controlled`.
  std::vector<EniChange> See(int at_minutes, const std::vector<EniSighting>& enis, bool controlled = false) {
    std::vector<EniChange> changes = timeline_.Diff(t0_ + minutes(at_minutes), enis);
    for (EniChange& c : changes) c.controlled = controlled;
    timeline_.Record(changes);
    return changes;
  }

  Time t0_ = FromUnixMillis(1'767'225'600'000);
  EniTimeline timeline_{"subnet-a", std::chrono::hours(24)};
};

TEST(GlueRoleOf, ReadsTheRoleArnFromGluesDescription) {
  EXPECT_EQ(GlueRoleOf("Attached to Glue using role: arn:aws:iam::1:role/R"), "arn:aws:iam::1:role/R");
  EXPECT_EQ(GlueRoleOf("Attached to Glue using role:arn:aws:iam::1:role/R"), "arn:aws:iam::1:role/R");
  EXPECT_EQ(GlueRoleOf("ELB app/my-lb/1"), "");
  EXPECT_EQ(GlueRoleOf(""), "");
}

TEST_F(EniTimelineTest, AnEnisLifeBecomesOneCleanupTailFromAvailableToGone) {
  See(0, {Glue("eni-1", "in-use"), Other("eni-lb")});
  EXPECT_TRUE(See(10, {Glue("eni-1", "in-use"), Other("eni-lb")}).empty());
  See(20, {Glue("eni-1", "available"), Other("eni-lb")});
  ASSERT_TRUE(timeline_.live().at("eni-1").available_since.has_value());
  const std::vector<EniChange> gone = See(45, {Other("eni-lb")});
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].event, EniEvent::kGone);
  ASSERT_EQ(timeline_.tails().size(), 1u);
  EXPECT_EQ(timeline_.tails()[0].available_for, minutes(25));
  EXPECT_EQ(timeline_.tails()[0].role, kRole);
  EXPECT_FALSE(timeline_.live().contains("eni-1"));
}

TEST_F(EniTimelineTest, OnlyGlueEnisThatWereAvailableGiveATail) {
  See(0, {Glue("eni-1", "in-use"), Other("eni-lb")});
  See(5, {});  // the Glue ENI vanished while in use; the other ENI was never Glue's
  EXPECT_TRUE(timeline_.tails().empty());
}

TEST_F(EniTimelineTest, ReplayingTheChangeLogRebuildsTheSameTimeline) {
  std::vector<EniChange> log;
  auto keep = [&](std::vector<EniChange> changes) { log.insert(log.end(), changes.begin(), changes.end()); };
  keep(See(0, {Glue("eni-1", "in-use"), Glue("eni-2", "in-use")}));
  keep(See(3, {Glue("eni-1", "available"), Glue("eni-2", "in-use"), Other("eni-x")}));
  keep(See(30, {Glue("eni-2", "available"), Other("eni-x")}));
  EniTimeline replayed("subnet-a", std::chrono::hours(24));
  replayed.Record(log);
  EXPECT_EQ(replayed.tails().size(), timeline_.tails().size());
  EXPECT_EQ(replayed.live().size(), timeline_.live().size());
  EXPECT_EQ(replayed.LargestUncontrolledBurst(minutes(15)), timeline_.LargestUncontrolledBurst(minutes(15)));
  EXPECT_EQ(replayed.span(), minutes(30));
}

TEST_F(EniTimelineTest, AnOlderListChangesNothing) {
  See(10, {Glue("eni-1", "in-use")});
  EXPECT_TRUE(timeline_.Diff(t0_ + minutes(5), {}).empty());
}

TEST_F(EniTimelineTest, TheLargestUncontrolledBurstCountsOnlyWhatNoReservationExplained) {
  See(0, {Other("eni-a")});
  See(1, {Other("eni-a"), Glue("eni-1", "in-use"), Glue("eni-2", "in-use")}, /*controlled=*/true);
  See(60, {Other("eni-a"), Glue("eni-1", "in-use"), Glue("eni-2", "in-use"), Other("eni-b"), Other("eni-c")});
  See(70, {Other("eni-a"), Glue("eni-1", "in-use"), Glue("eni-2", "in-use"), Other("eni-b"), Other("eni-c"),
           Other("eni-d")});
  // eni-a at 0 (1), eni-b and eni-c at 60 (2), eni-d at 70 (1): within 15 minutes at most 3.
  EXPECT_EQ(timeline_.LargestUncontrolledBurst(minutes(15)), 3);
  EXPECT_EQ(timeline_.LargestUncontrolledBurst(minutes(5)), 2);
  EXPECT_EQ(timeline_.LargestUncontrolledBurst(std::chrono::hours(2)), 4);
}

TEST(EniTimeline, UncontrolledGrowthAtAHighQuantileIgnoresARareBurstButNotRegularChurn) {
  EniTimeline t("subnet-a", std::chrono::hours(24 * 30));
  const Time t0 = FromUnixMillis(1'767'225'600'000);
  t.Watched(t0);
  auto arrive = [&](Time at, int n, const std::string& tag) {
    std::vector<EniChange> changes;
    for (int i = 0; i < n; ++i) {
      EniChange c;
      c.subnet_id = "subnet-a";
      c.at = at;
      c.eni_id = "eni-" + tag + std::to_string(i);
      changes.push_back(c);  // uncontrolled
    }
    t.Record(changes);
  };
  // One console re-run of 10 ENIs an hour in. Six hours in, it is 1 slot of 24: a 0.99 quantile of so few
  // slots is the largest seen. Twenty days in, it is 1 slot of 1,920 and falls below the quantile.
  arrive(t0 + std::chrono::hours(1), 10, "rerun");
  EXPECT_EQ(t.UncontrolledGrowthAt(0.99, minutes(15), t0 + std::chrono::hours(6)), 10);
  const Time later = t0 + std::chrono::hours(24 * 20);
  EXPECT_EQ(t.UncontrolledGrowthAt(0.99, minutes(15), later), 0);
  EXPECT_EQ(t.LargestUncontrolledBurst(minutes(15)), 10);
  // Two ENIs of another service in every hour of the 20 days: churn, allowed for.
  for (int h = 0; h < 24 * 20; ++h)
    arrive(t0 + std::chrono::hours(h) + minutes(7), 2, "svc" + std::to_string(h) + "-");
  EXPECT_EQ(t.UncontrolledGrowthAt(0.99, minutes(15), later), 2);
  EXPECT_EQ(t.UncontrolledGrowthAt(0.5, minutes(15), later), 0);  // 3 slots in 4 are quiet
}

TEST_F(EniTimelineTest, AQuietSubnetHasHistoryFromItsFirstObservation) {
  EXPECT_EQ(timeline_.watched_since(), Time{});
  timeline_.Watched(t0_);
  EXPECT_EQ(timeline_.watched_since(), t0_);
  See(300, {Other("eni-a")});
  EXPECT_EQ(timeline_.watched_since(), t0_);  // the first change came later
  EXPECT_EQ(timeline_.first_change(), t0_ + minutes(300));
}

TEST_F(EniTimelineTest, TailsAndArrivalsOlderThanTheWindowAreForgotten) {
  See(0, {Glue("eni-1", "available")});
  See(30, {});
  ASSERT_EQ(timeline_.tails().size(), 1u);
  See(30 + 25 * 60, {Other("eni-late")});
  EXPECT_TRUE(timeline_.tails().empty());
  EXPECT_EQ(timeline_.LargestUncontrolledBurst(minutes(15)), 1);
  EXPECT_EQ(timeline_.span(), std::chrono::hours(24));
}

// A timeline with one measured tail per entry of `tails` (minutes), then `available` Glue ENIs that turned
// available `age` minutes before the last observation.
EniTimeline WithTails(const std::vector<int>& tails, int available, int age) {
  EniTimeline t("subnet-a", std::chrono::hours(24 * 30));
  Time at = FromUnixMillis(1'767'225'600'000);
  auto record = [&](const std::vector<EniSighting>& list) {
    std::vector<EniChange> changes = t.Diff(at, list);
    for (EniChange& c : changes) c.controlled = true;
    t.Record(changes);
  };
  for (size_t i = 0; i < tails.size(); ++i) {
    record({Glue("eni-t" + std::to_string(i), "available")});
    at += minutes(tails[i]);
    record({});
    at += minutes(1);
  }
  std::vector<EniSighting> lingering;
  for (int i = 0; i < available; ++i) lingering.push_back(Glue("eni-l" + std::to_string(i), "available"));
  record(lingering);
  at += minutes(age);
  lingering.push_back(Other("eni-tick"));  // a change at the last observation's time
  record(lingering);
  return t;
}

// `n` measured tails of `tail` minutes each, then the lingering ENIs as above.
EniTimeline WithTails(int n, int tail, int available, int age) {
  return WithTails(std::vector<int>(static_cast<size_t>(n), tail), available, age);
}

// Half an hour of history and 20 tails suffice; releases and bursts are counted within two minutes.
ForecastSettings TwoMinuteSettings() {
  ForecastSettings s;
  s.min_history = minutes(30);
  s.min_tails = 20;
  s.startup = minutes(2);
  s.growth_horizon = minutes(2);
  return s;
}

TEST(Forecast, FallsBackUntilWatchedLongEnoughAndCountsNoReleasesOnTooFewTails) {
  ForecastSettings s;
  s.min_history = std::chrono::hours(24);
  s.min_tails = 20;
  const EniTimeline short_history = WithTails(5, 20, 6, 19);
  const Forecast f = ForecastSubnet(s, short_history, short_history.latest_change());
  EXPECT_FALSE(f.ready);
  EXPECT_NE(f.not_ready.find("needs 1.0 days of ENI history and has 2h4m"), std::string::npos) << f.not_ready;

  // Watched long enough, but 5 tails are too few to read releases from: ready, and none are counted.
  s.min_history = minutes(30);
  const Forecast few = ForecastSubnet(s, short_history, short_history.latest_change());
  ASSERT_TRUE(few.ready) << few.not_ready;
  EXPECT_EQ(few.tails, 5);
  EXPECT_EQ(few.releases, 0);
  EXPECT_EQ(few.horizon_releases, 0);
}

TEST(Forecast, KeepFreeIsNeverOffsetByReleasesWhileLearnedGrowthIs) {
  ForecastSettings s;
  Forecast f;
  f.ready = true;
  f.growth = 8;
  f.horizon_releases = 5;
  Allowance a = ForecastAllowance(s, f);  // 8 of growth, 5 of it covered by releases
  EXPECT_EQ(a.ips, 8);
  EXPECT_EQ(a.releases, 5);
  EXPECT_FALSE(a.kept_free);
  s.keep_free = 4;  // more than the 3 net: kept whole
  a = ForecastAllowance(s, f);
  EXPECT_EQ(a.net(), 4);
  EXPECT_EQ(a.releases, 0);
  EXPECT_TRUE(a.kept_free);
  s.keep_free = 2;  // less than the net growth: growth binds
  EXPECT_FALSE(ForecastAllowance(s, f).kept_free);
  f.horizon_releases = 20;  // releases cover all the growth: nothing set aside
  s.keep_free = 0;
  EXPECT_EQ(ForecastAllowance(s, f).net(), 0);
}

TEST(Forecast, AnEniNearTheEndOfItsTailIsCountedAsReleasedAndAFreshOneIsNot) {
  const ForecastSettings s = TwoMinuteSettings();
  // Every measured tail is 20 minutes: an ENI available for 19 minutes goes within 2, one available for 1
  // minute does not.
  const EniTimeline old_enis = WithTails(40, 20, 6, 19);
  const Forecast near_end = ForecastSubnet(s, old_enis, old_enis.latest_change());
  ASSERT_TRUE(near_end.ready) << near_end.not_ready;
  EXPECT_EQ(near_end.releases, 6);
  const EniTimeline fresh = WithTails(40, 20, 6, 1);
  EXPECT_EQ(ForecastSubnet(s, fresh, fresh.latest_change()).releases, 0);
}

TEST(Forecast, AnEniOlderThanEveryMeasuredTailIsNeverCountedAsReleased) {
  const EniTimeline orphans = WithTails(40, 20, 4, 90);
  EXPECT_EQ(ExpectedReleases(orphans, orphans.latest_change(), minutes(10)), 0.0);
}

TEST(Forecast, ReleasesAreCountedAtALowQuantile) {
  // Tails of 10 and 30 minutes in equal parts: an ENI 9 minutes available goes within 2 minutes with
  // probability 1/2. Of 10 such ENIs, the mean is 5 and the 10% quantile lower.
  ForecastSettings s;
  s.min_history = minutes(30);
  s.min_tails = 20;
  std::vector<int> tails;
  for (int i = 0; i < 40; ++i) tails.push_back(i % 2 == 0 ? 10 : 30);
  const EniTimeline mixed = WithTails(tails, 10, 9);
  EXPECT_NEAR(ExpectedReleases(mixed, mixed.latest_change(), minutes(2)), 5.0, 1e-9);
  const Forecast f = ForecastSubnet(s, mixed, mixed.latest_change());
  ASSERT_TRUE(f.ready) << f.not_ready;
  EXPECT_GE(f.releases, 2);
  EXPECT_LT(f.releases, 5);
}

TEST(Forecast, OnASlowCleanupDayTheRecentTailsCountAndFewerReleasesAreExpected) {
  // A month of 20-minute tails, then today's 20 tails of 60 minutes. ENIs available for 19 minutes would all
  // go within 2 minutes by the month's tails; by today's, none does. The forecast takes the careful count.
  const ForecastSettings s = TwoMinuteSettings();
  std::vector<int> tails(200, 20);
  tails.insert(tails.end(), 20, 60);
  const EniTimeline slow_today = WithTails(tails, 6, 19);
  const Forecast f = ForecastSubnet(s, slow_today, slow_today.latest_change());
  ASSERT_TRUE(f.ready) << f.not_ready;
  EXPECT_EQ(f.releases, 0);
  // With every tail 20 minutes the two estimates agree, and all six go.
  std::vector<int> fast_today(220, 20);
  const EniTimeline all_fast = WithTails(fast_today, 6, 19);
  EXPECT_EQ(ForecastSubnet(s, all_fast, all_fast.latest_change()).releases, 6);
}

TEST(Forecast, ExpectedReleasesForSeveralHorizonsAreEachHorizonsOwn) {
  std::vector<int> tails;
  for (int i = 0; i < 40; ++i) tails.push_back(5 + i);
  const EniTimeline t = WithTails(tails, 8, 12);
  const std::vector<Duration> horizons = {minutes(0), minutes(2), minutes(10), minutes(60)};
  const std::vector<double> at_once = ExpectedReleasesWithin(t, t.latest_change(), horizons);
  ASSERT_EQ(at_once.size(), horizons.size());
  for (size_t i = 0; i < horizons.size(); ++i) {
    EXPECT_DOUBLE_EQ(at_once[i], ExpectedReleases(t, t.latest_change(), horizons[i])) << i;
  }
  EXPECT_DOUBLE_EQ(at_once[0], 0.0);
  EXPECT_GT(at_once[2], at_once[1]);
}

TEST(Forecast, SummariseTailsGivesPercentilesAndTheMean) {
  const EniTimeline t = WithTails(10, 20, 0, 0);
  const TailSummary s = SummariseTails(t, {0.5, 0.95});
  EXPECT_EQ(s.count, 10);
  EXPECT_EQ(s.mean, minutes(20));
  ASSERT_EQ(s.quantiles.size(), 2u);
  EXPECT_EQ(s.quantiles[0].second, minutes(20));
  EXPECT_EQ(SummariseTails(t, {0.5}, "arn:other").count, 0);
}

TEST(Forecast, SettingsOutOfRangeAreNamed) {
  ForecastSettings s;
  s.release_quantile = 1.5;
  EXPECT_NE(ForecastSettingsError(s).find("release_quantile"), std::string::npos);
  s = ForecastSettings{};
  s.learn_over = minutes(1);
  EXPECT_NE(ForecastSettingsError(s).find("learn_over"), std::string::npos);
  EXPECT_EQ(ForecastSettingsError(ForecastSettings{}), "");
}

}  // namespace
}  // namespace glueguard
