// One contract for every ObservationStore: the in-memory fake and SQLite run the same tests, so the fake
// cannot drift from the real thing.
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "store/dynamodb_store.h"
#include "store/memory_store.h"
#include "store/observation_store.h"
#include "store/sqlite_store.h"
#include "testing/dynalite.h"
#include "testing/observations.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<ObservationStore>(const testing::TempDir&)> make;
};

void PrintTo(const StoreFactory& factory, std::ostream* out) { *out << factory.name; }

class StoreContractTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { store_ = GetParam().make(dir_); }

  static Observation Obs(const std::string& subnet, Time at, int in_use, int available) {
    Observation o = testing::ObservationOf(subnet, at, in_use, available);
    o.run_id = "dag/run/task";
    o.observer = "replica-1";
    o.reason = "admission";
    return o;
  }

  static Reservation Rsv(const std::string& id, Time at, int ips) {
    return Reservation{id, "subnet-a", "critical", "run-" + id, ips, at, at + minutes(15)};
  }

  static Decision MakeDecision(Time at, const std::string& run_id) {
    Decision d;
    d.outcome = Outcome::kWait;
    d.code = DecisionCode::kNoHeadroom;
    d.subnet_id = "subnet-a";
    d.category = "critical";
    d.run_id = run_id;
    d.priority = 100;
    d.workers = 10;
    d.decided_at = at;
    d.observed_at = at - minutes(1);
    d.capacity = 59;
    d.total = 30;
    d.free = 29;
    d.buffer = 15;
    d.reserved = 10;
    d.needed = 10;
    d.reason = "19 < 25";
    d.retry_after = std::chrono::seconds(60);
    d.waited = minutes(2);
    return d;
  }

  testing::TempDir dir_;
  std::unique_ptr<ObservationStore> store_;
  const Time t0_ = FromUnixMillis(1'767'225'600'000);
};

TEST_P(StoreContractTest, LatestObservationsComeNewestFirstAndPerSubnet) {
  for (int i = 0; i < 7; ++i)
    ASSERT_TRUE(store_->AppendObservation(Obs("subnet-a", t0_ + minutes(i), i, 1)).ok());
  ASSERT_TRUE(store_->AppendObservation(Obs("subnet-b", t0_ + minutes(30), 50, 0)).ok());
  Result<std::vector<Observation>> latest = store_->LatestObservations("subnet-a", 5);
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 5u);
  EXPECT_EQ((*latest)[0].observed_at, t0_ + minutes(6));
  EXPECT_EQ((*latest)[4].observed_at, t0_ + minutes(2));
  EXPECT_EQ((*latest)[0].in_use, 6);
  EXPECT_EQ((*latest)[0].run_id, "dag/run/task");
  EXPECT_EQ((*latest)[0].reason, "admission");
  EXPECT_EQ((*latest)[0].observer, "replica-1");
  EXPECT_TRUE(store_->LatestObservations("subnet-unknown", 5)->empty());
}

TEST_P(StoreContractTest, ObservationsBetweenIsHalfOpenAndOldestFirst) {
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(store_->AppendObservation(Obs("subnet-a", t0_ + minutes(i), i, 0)).ok());
  Result<std::vector<Observation>> range =
      store_->ObservationsBetween("subnet-a", t0_ + minutes(1), t0_ + minutes(3));
  ASSERT_TRUE(range.ok());
  ASSERT_EQ(range->size(), 2u);
  EXPECT_EQ((*range)[0].observed_at, t0_ + minutes(1));
  EXPECT_EQ((*range)[1].observed_at, t0_ + minutes(2));
}

TEST_P(StoreContractTest, SameSubnetAndTimeReplacesTheObservation) {
  ASSERT_TRUE(store_->AppendObservation(Obs("subnet-a", t0_, 1, 1)).ok());
  ASSERT_TRUE(store_->AppendObservation(Obs("subnet-a", t0_, 2, 2)).ok());
  Result<std::vector<Observation>> latest = store_->LatestObservations("subnet-a", 5);
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ((*latest)[0].total_enis, 4);
}

TEST_P(StoreContractTest, MalformedObservationIsRejectedAndNothingIsStored) {
  Observation bad = Obs("subnet-a", t0_, 3, 3);
  bad.total_enis = 5;
  EXPECT_EQ(store_->AppendObservation(bad).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(store_->LatestObservations("subnet-a", 5)->empty());
}

TEST_P(StoreContractTest, ExpireBeforeDeletesOnlyOlderObservationsAndDecisions) {
  for (int d = 0; d < 40; d += 10) {
    ASSERT_TRUE(store_->AppendObservation(Obs("subnet-a", t0_ + hours(24 * d), 1, 0)).ok());
  }
  SubnetCommit commit;
  commit.record.subnet_id = "subnet-a";
  commit.decisions = {MakeDecision(t0_, "old"), MakeDecision(t0_ + hours(24 * 35), "new")};
  ASSERT_TRUE(store_->Commit(commit).ok());
  Result<int64_t> removed = store_->ExpireBefore(t0_ + hours(24 * 15));
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 3);  // two observations and one decision
  EXPECT_EQ(store_->LatestObservations("subnet-a", 10)->size(), 2u);
  Result<std::vector<Decision>> left = store_->DecisionsBetween("subnet-a", t0_, t0_ + hours(24 * 40), 10);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].run_id, "new");
}

EniChange Line(Time at, const std::string& id, EniEvent event, bool controlled = false) {
  EniChange c;
  c.subnet_id = "subnet-a";
  c.at = at;
  c.eni_id = id;
  c.event = event;
  if (event == EniEvent::kAppeared) {
    c.role = "arn:aws:iam::123456789012:role/GlueJobRole";
    c.glue = true;
    c.controlled = controlled;
  }
  return c;
}

TEST_P(StoreContractTest, TheEniChangeLogComesBackInOrderAfterAGivenTimeAndExpiresWithObservations) {
  const std::vector<EniChange> first = {Line(t0_, "eni-1", EniEvent::kAppeared, true),
                                        Line(t0_, "eni-2", EniEvent::kAppeared), Line(t0_, "eni-1", EniEvent::kInUse)};
  const std::vector<EniChange> later = {Line(t0_ + hours(24 * 20), "eni-1", EniEvent::kAvailable),
                                        Line(t0_ + hours(24 * 20), "eni-2", EniEvent::kGone)};
  int64_t version = 0;
  for (const auto& lines : {first, later}) {
    SubnetCommit commit;
    commit.expected_version = version++;
    commit.record.subnet_id = "subnet-a";
    commit.changes.eni_changes = lines;
    ASSERT_TRUE(store_->Commit(commit).ok());
  }
  Result<std::vector<EniChange>> all = store_->EniChangesAfter("subnet-a", t0_ - minutes(1));
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[0].eni_id, "eni-1");
  EXPECT_EQ((*all)[0].role, "arn:aws:iam::123456789012:role/GlueJobRole");
  EXPECT_TRUE((*all)[0].glue);
  EXPECT_TRUE((*all)[0].controlled);
  EXPECT_FALSE((*all)[1].controlled);
  EXPECT_EQ((*all)[2].event, EniEvent::kInUse);
  EXPECT_EQ((*all)[3].event, EniEvent::kAvailable);
  EXPECT_EQ((*all)[4].at, t0_ + hours(24 * 20));
  EXPECT_EQ(store_->EniChangesAfter("subnet-a", t0_)->size(), 2u);
  EXPECT_TRUE(store_->EniChangesAfter("subnet-b", t0_ - minutes(1))->empty());

  ASSERT_TRUE(store_->ExpireBefore(t0_ + hours(24 * 15)).ok());
  EXPECT_EQ(store_->EniChangesAfter("subnet-a", t0_ - minutes(1))->size(), 2u);
}

TEST_P(StoreContractTest, NeverCommittedSubnetLoadsEmptyAtVersionZero) {
  Result<SubnetState> s = store_->LoadSubnet("subnet-a");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->record.version, 0);
  EXPECT_EQ(s->record.subnet_id, "subnet-a");
  EXPECT_TRUE(s->reservations.empty());
  EXPECT_TRUE(s->waiters.empty());
}

TEST_P(StoreContractTest, CommitRoundTripsRecordReservationsAndWaiters) {
  SubnetCommit commit;
  commit.record.subnet_id = "subnet-a";
  commit.record.cool_off_until = t0_ + minutes(15);
  commit.record.priority_floor_active = true;
  commit.record.last_total = 42;
  commit.record.next_sequence = 7;
  commit.record.poll_token = 41;
  commit.changes.put_reservations = {Rsv("r2", t0_ + minutes(1), 5), Rsv("r1", t0_, 10)};
  commit.changes.put_waiters = {Waiter{"subnet-a", "w2", "ad-hoc", 3, 10, 6, t0_, t0_ + minutes(1)},
                                Waiter{"subnet-a", "w1", "critical", 8, 100, 5, t0_, t0_}};
  ASSERT_TRUE(store_->Commit(commit).ok());

  Result<SubnetState> s = store_->LoadSubnet("subnet-a");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->record.version, 1);
  EXPECT_EQ(s->record.cool_off_until, t0_ + minutes(15));
  EXPECT_TRUE(s->record.priority_floor_active);
  EXPECT_EQ(s->record.last_total, 42);
  EXPECT_EQ(s->record.next_sequence, 7);
  EXPECT_EQ(s->record.poll_token, 41);
  ASSERT_EQ(s->reservations.size(), 2u);
  EXPECT_EQ(s->reservations[0].id, "r1");  // oldest first
  EXPECT_EQ(s->reservations[0].ips, 10);
  EXPECT_EQ(s->reservations[0].run_id, "run-r1");
  EXPECT_EQ(s->reservations[0].expires_at, t0_ + minutes(15));
  ASSERT_EQ(s->waiters.size(), 2u);
  EXPECT_EQ(s->waiters[0].run_id, "w1");  // by sequence
  EXPECT_EQ(s->waiters[1].last_seen, t0_ + minutes(1));
  EXPECT_EQ(s->waiters[1].needed_ips, 3);

  SubnetCommit next;
  next.expected_version = 1;
  next.record = s->record;
  next.changes.delete_reservations = {"r1"};
  Reservation shrunk = Rsv("r2", t0_ + minutes(1), 2);
  next.changes.put_reservations = {shrunk};
  next.changes.delete_waiters = {"w2"};
  ASSERT_TRUE(store_->Commit(next).ok());
  s = store_->LoadSubnet("subnet-a");
  EXPECT_EQ(s->record.version, 2);
  ASSERT_EQ(s->reservations.size(), 1u);
  EXPECT_EQ(s->reservations[0].ips, 2);
  ASSERT_EQ(s->waiters.size(), 1u);
  EXPECT_EQ(s->waiters[0].run_id, "w1");
}

TEST_P(StoreContractTest, CommitWithAStaleVersionFailsAndChangesNothing) {
  SubnetCommit first;
  first.record.subnet_id = "subnet-a";
  first.changes.put_reservations = {Rsv("r1", t0_, 10)};
  ASSERT_TRUE(store_->Commit(first).ok());

  SubnetCommit racing;  // read version 0 before `first` landed
  racing.record.subnet_id = "subnet-a";
  racing.changes.put_reservations = {Rsv("r2", t0_, 10)};
  racing.decisions = {MakeDecision(t0_, "racer")};
  EXPECT_EQ(store_->Commit(racing).code(), StatusCode::kFailedPrecondition);

  Result<SubnetState> s = store_->LoadSubnet("subnet-a");
  EXPECT_EQ(s->record.version, 1);
  ASSERT_EQ(s->reservations.size(), 1u);
  EXPECT_EQ(s->reservations[0].id, "r1");
  EXPECT_TRUE(store_->DecisionsBetween("subnet-a", t0_ - hours(1), t0_ + hours(1), 10)->empty());
}

TEST_P(StoreContractTest, DecisionsKeepEveryNumberAndComeNewestFirst) {
  SubnetCommit commit;
  commit.record.subnet_id = "subnet-a";
  for (int i = 0; i < 4; ++i)
    commit.decisions.push_back(MakeDecision(t0_ + minutes(i), "run-" + std::to_string(i)));
  commit.decisions[3].outcome = Outcome::kAdmit;
  commit.decisions[3].code = DecisionCode::kFits;
  commit.decisions[3].reservation_id = "rsv-1";
  ASSERT_TRUE(store_->Commit(commit).ok());
  Result<std::vector<Decision>> ds = store_->DecisionsBetween("subnet-a", t0_, t0_ + hours(1), 3);
  ASSERT_TRUE(ds.ok());
  ASSERT_EQ(ds->size(), 3u);
  const Decision& d = (*ds)[0];
  EXPECT_EQ(d.run_id, "run-3");
  EXPECT_EQ(d.outcome, Outcome::kAdmit);
  EXPECT_EQ(d.code, DecisionCode::kFits);
  EXPECT_EQ(d.reservation_id, "rsv-1");
  EXPECT_EQ(d.capacity, 59);
  EXPECT_EQ(d.total, 30);
  EXPECT_EQ(d.free, 29);
  EXPECT_EQ(d.buffer, 15);
  EXPECT_EQ(d.reserved, 10);
  EXPECT_EQ(d.needed, 10);
  EXPECT_EQ(d.priority, 100);
  EXPECT_EQ(d.workers, 10);
  EXPECT_EQ(d.reason, "19 < 25");
  EXPECT_EQ(d.retry_after, std::chrono::seconds(60));
  EXPECT_EQ(d.waited, minutes(2));
  EXPECT_EQ(d.observed_at, t0_ + minutes(2));
  EXPECT_EQ((*ds)[2].run_id, "run-1");
}

INSTANTIATE_TEST_SUITE_P(
    Stores, StoreContractTest,
    ::testing::Values(StoreFactory{"Memory",
                                   [](const testing::TempDir&) -> std::unique_ptr<ObservationStore> {
                                     return std::make_unique<MemoryStore>();
                                   }},
                      StoreFactory{"Sqlite",
                                   [](const testing::TempDir& dir) -> std::unique_ptr<ObservationStore> {
                                     Result<std::unique_ptr<SqliteStore>> s =
                                         SqliteStore::Open(dir.File("g.db"));
                                     if (!s.ok()) throw std::runtime_error(s.status().ToString());
                                     return std::move(*s);
                                   }},
                      // Each test on its own tables of one dynalite server.
                      StoreFactory{"DynamoDb",
                                   [](const testing::TempDir&) -> std::unique_ptr<ObservationStore> {
                                     auto [dynalite, tables] = testing::DynaliteWithFreshTables();
                                     return std::make_unique<DynamoDbStore>(dynalite->client(), tables,
                                                                            hours(24 * 30));
                                   }}),
    [](const ::testing::TestParamInfo<StoreFactory>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace glueguard
