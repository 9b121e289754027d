#include "sessions/session_store.h"

#include <gtest/gtest.h>

#include <functional>

#include "sessions/dynamodb_ledger.h"
#include "testing/dynalite.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

// The ledger on dynalite (fresh tables), over an in-memory store for the rest.
std::unique_ptr<SessionStore> DynamoDbLedgerOverMemory() {
  auto [dynalite, tables] = testing::DynaliteWithFreshTables();
  return WithDynamoDbLedger(NewMemorySessionStore(), dynalite->client(), tables.sessions, std::chrono::hours(48));
}

using std::chrono::hours;
using std::chrono::minutes;

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<SessionStore>(const std::string& dir)> open;
  bool shared_ledger = false;  // its claims may be other replicas': unfinished ones are never released
};

class SessionStoreContract : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { store_ = GetParam().open(dir_.path().string()); }
  testing::TempDir dir_;
  std::unique_ptr<SessionStore> store_;
  const Time t0_ = FromUnixMillis(1'700'000'000'000);
};

TEST_P(SessionStoreContract, AnEventIsClaimedOnceAndIsADuplicateWhileDone) {
  EXPECT_EQ(*store_->Claim("e1", t0_, hours(24), minutes(10)), ClaimResult::kClaimed);
  EXPECT_EQ(*store_->Claim("e1", t0_ + minutes(1), hours(24), minutes(10)), ClaimResult::kInProgress);
  ASSERT_TRUE(store_->MarkDone("e1", "violation", t0_ + minutes(2)).ok());
  EXPECT_EQ(*store_->Claim("e1", t0_ + hours(23), hours(24), minutes(10)), ClaimResult::kDone);
  // Past the dedupe window it counts as new again.
  EXPECT_EQ(*store_->Claim("e1", t0_ + hours(25), hours(24), minutes(10)), ClaimResult::kClaimed);
}

TEST_P(SessionStoreContract, AStaleClaimIsTakenOverAndAReleasedOneClaimedAgain) {
  ASSERT_EQ(*store_->Claim("e2", t0_, hours(24), minutes(10)), ClaimResult::kClaimed);
  EXPECT_EQ(*store_->Claim("e2", t0_ + minutes(11), hours(24), minutes(10)), ClaimResult::kClaimed);
  ASSERT_TRUE(store_->Release("e2").ok());
  EXPECT_EQ(*store_->Claim("e2", t0_ + minutes(12), hours(24), minutes(10)), ClaimResult::kClaimed);
  EXPECT_FALSE(store_->Claim("", t0_, hours(24), minutes(10)).ok());
}

TEST_P(SessionStoreContract, UnfinishedClaimsAreReleasedAndFinishedOnesKept) {
  ASSERT_EQ(*store_->Claim("left", t0_, hours(24), minutes(10)), ClaimResult::kClaimed);
  ASSERT_EQ(*store_->Claim("done", t0_, hours(24), minutes(10)), ClaimResult::kClaimed);
  ASSERT_TRUE(store_->MarkDone("done", "violation", t0_).ok());
  if (GetParam().shared_ledger) {
    // Another replica may be handling "left": its claim stands until it goes stale.
    EXPECT_EQ(*store_->ReleaseUnfinishedClaims(), 0);
    EXPECT_EQ(*store_->Claim("left", t0_ + minutes(1), hours(24), minutes(10)), ClaimResult::kInProgress);
    EXPECT_EQ(*store_->Claim("left", t0_ + minutes(11), hours(24), minutes(10)), ClaimResult::kClaimed);
  } else {
    EXPECT_EQ(*store_->ReleaseUnfinishedClaims(), 1);
    EXPECT_EQ(*store_->Claim("left", t0_ + minutes(1), hours(24), minutes(10)), ClaimResult::kClaimed);
  }
  EXPECT_EQ(*store_->Claim("done", t0_ + minutes(1), hours(24), minutes(10)), ClaimResult::kDone);
}

TEST_P(SessionStoreContract, DeadLettersAreKeptInOrderUntilRemoved) {
  DeadLetter a;
  a.event_id = "e1";
  a.source = "sqs";
  a.body = R"({"id": "x"})";
  a.error = "GetSession: throttled";
  a.attempts = 5;
  a.parked_at = t0_;
  DeadLetter b = a;
  b.event_id = "";
  b.body = "not json";
  const int64_t ida = *store_->Park(a);
  const int64_t idb = *store_->Park(b);
  EXPECT_LT(ida, idb);
  EXPECT_EQ(*store_->DeadLetterCount(), 2);
  auto letters = *store_->DeadLetters(10);
  ASSERT_EQ(letters.size(), 2u);
  EXPECT_EQ(letters[0].id, ida);
  EXPECT_EQ(letters[0].body, a.body);
  EXPECT_EQ(letters[0].error, a.error);
  EXPECT_EQ(letters[0].attempts, 5);
  EXPECT_EQ(letters[0].parked_at, t0_);
  EXPECT_EQ(store_->DeadLetters(1)->size(), 1u);

  ASSERT_TRUE(store_->UpdateDeadLetter(idb, "still failing").ok());
  auto found = *store_->FindDeadLetter(idb);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->error, "still failing");
  EXPECT_EQ(found->replays, 1);

  ASSERT_TRUE(store_->RemoveDeadLetter(ida).ok());
  EXPECT_EQ(store_->RemoveDeadLetter(ida).code(), StatusCode::kNotFound);
  EXPECT_FALSE(store_->FindDeadLetter(ida)->has_value());
  EXPECT_EQ(*store_->DeadLetterCount(), 1);
}

TEST_P(SessionStoreContract, TheInboxKeepsAcceptedEventsInOrderUntilDequeued) {
  const int64_t a = *store_->Enqueue("http", "{\"a\":1}", t0_);
  const int64_t b = *store_->Enqueue("http", "{\"b\":2}", t0_ + minutes(1));
  auto pending = *store_->Pending(10);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].id, a);
  EXPECT_EQ(pending[0].body, "{\"a\":1}");
  EXPECT_EQ(pending[1].received_at, t0_ + minutes(1));
  ASSERT_TRUE(store_->Dequeue(a).ok());
  ASSERT_TRUE(store_->Dequeue(a).ok());
  pending = *store_->Pending(10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, b);
}

TEST_P(SessionStoreContract, KnownSessionsExpireWithTheirRecords) {
  ASSERT_TRUE(store_->RememberSession("s1", t0_).ok());
  EXPECT_TRUE(*store_->SessionKnown("s1"));
  EXPECT_FALSE(*store_->SessionKnown("s2"));
  ASSERT_TRUE(store_->MarkDone("e1", "compliant", t0_).ok());
  EXPECT_EQ(*store_->ExpireBefore(t0_ + minutes(1)), 2);
  EXPECT_FALSE(*store_->SessionKnown("s1"));
}

INSTANTIATE_TEST_SUITE_P(
    Stores, SessionStoreContract,
    ::testing::Values(StoreFactory{"memory", [](const std::string&) { return NewMemorySessionStore(); }},
                      StoreFactory{"sqlite",
                                   [](const std::string& dir) {
                                     auto s = OpenSqliteSessionStore(dir + "/glueguard.db");
                                     EXPECT_TRUE(s.ok()) << s.status().ToString();
                                     return std::move(*s);
                                   }},
                      // The ledger on dynalite (fresh tables per test), the inbox and dead letters in memory.
                      StoreFactory{"dynamodb_ledger",
                                   [](const std::string&) { return DynamoDbLedgerOverMemory(); }, true}),
    [](const ::testing::TestParamInfo<StoreFactory>& param_info) { return param_info.param.name; });

TEST(SqliteSessionStore, DeadLettersSurviveReopening) {
  testing::TempDir dir;
  const std::string path = dir.File("glueguard.db");
  {
    auto store = *OpenSqliteSessionStore(path);
    DeadLetter d;
    d.event_id = "e9";
    d.body = "{}";
    ASSERT_TRUE(store->Park(d).ok());
    ASSERT_TRUE(store->MarkDone("e8", "compliant", FromUnixMillis(5)).ok());
  }
  auto store = *OpenSqliteSessionStore(path);
  EXPECT_EQ(*store->DeadLetterCount(), 1);
  EXPECT_EQ(*store->Claim("e8", FromUnixMillis(6), std::chrono::hours(1), std::chrono::minutes(1)),
            ClaimResult::kDone);
}

}  // namespace
}  // namespace glueguard
