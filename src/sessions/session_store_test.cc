#include "sessions/session_store.h"

#include <gtest/gtest.h>

#include <functional>

#include "sessions/dynamodb_session_store.h"
#include "testing/dynalite.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

// The store on dynalite, on fresh tables.
std::unique_ptr<SessionStore> DynamoDbStoreOnFreshTables() {
  auto [dynalite, tables] = testing::DynaliteWithFreshTables();
  return NewDynamoDbSessionStore(dynalite->client(), tables, std::chrono::hours(48));
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
                      // On dynalite, fresh tables per test.
                      StoreFactory{"dynamodb",
                                   [](const std::string&) { return DynamoDbStoreOnFreshTables(); }, true}),
    [](const ::testing::TestParamInfo<StoreFactory>& param_info) { return param_info.param.name; });

// Two replicas on one pair of tables: an event one accepted is pending for the other (which handles it when
// the first died), and a dead letter one parked the other lists, replays and removes.
TEST(DynamoDbSessionStore, ReplicasShareTheInboxAndTheDeadLetters) {
  auto [dynalite, tables] = testing::DynaliteWithFreshTables();
  auto one = NewDynamoDbSessionStore(dynalite->client(), tables, std::chrono::hours(48));
  auto two = NewDynamoDbSessionStore(dynalite->client(), tables, std::chrono::hours(48));
  const Time t0 = FromUnixMillis(1'700'000'000'000);
  const int64_t accepted = *one->Enqueue("http", R"({"id": "e1"})", t0);
  auto pending = *two->Pending(10);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].id, accepted);
  EXPECT_EQ(pending[0].body, R"({"id": "e1"})");
  ASSERT_TRUE(two->Dequeue(accepted).ok());
  EXPECT_TRUE(one->Pending(10)->empty());

  DeadLetter letter;
  letter.source = "http";
  letter.body = "not json";
  letter.error = "not an event";
  letter.parked_at = t0;
  const int64_t parked = *one->Park(letter);
  EXPECT_EQ(*two->DeadLetterCount(), 1);
  ASSERT_TRUE(two->UpdateDeadLetter(parked, "still not an event").ok());
  EXPECT_EQ((*one->FindDeadLetter(parked))->replays, 1);
  ASSERT_TRUE(one->RemoveDeadLetter(parked).ok());
  EXPECT_EQ(two->RemoveDeadLetter(parked).code(), StatusCode::kNotFound);
  EXPECT_EQ(two->UpdateDeadLetter(parked, "x").code(), StatusCode::kNotFound);
  EXPECT_EQ(*one->DeadLetterCount(), 0);
}

// An event must fit one item: a larger body is refused up front, naming its size, and nothing is queued.
TEST(DynamoDbSessionStore, AnEventLargerThanAnItemIsRefusedAndNothingIsQueued) {
  auto [dynalite, tables] = testing::DynaliteWithFreshTables();
  auto store = NewDynamoDbSessionStore(dynalite->client(), tables, std::chrono::hours(48));
  const std::string body(kMaxQueuedBodyBytes + 1, 'x');
  Result<int64_t> queued = store->Enqueue("http", body, FromUnixMillis(1'700'000'000'000));
  ASSERT_FALSE(queued.ok());
  EXPECT_EQ(queued.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(queued.status().message().find(std::to_string(body.size()) + " bytes"), std::string::npos)
      << queued.status().message();
  EXPECT_TRUE(store->Pending(10)->empty());
}

// A queue item that is not what the store writes is an Internal error naming the table and the attribute.
TEST(DynamoDbSessionStore, ADamagedQueueItemIsAnErrorNamingTheTableAndTheAttribute) {
  auto [dynalite, tables] = testing::DynaliteWithFreshTables();
  auto store = NewDynamoDbSessionStore(dynalite->client(), tables, std::chrono::hours(48));
  ASSERT_TRUE(dynalite->client()
                  .PutItem({.table_name = tables.queue,
                            .item = {{"queue", AttributeValue::String("dead")},
                                     {"id", AttributeValue::Number(7)},
                                     {"parked_at", AttributeValue::String("yesterday")}}})
                  .ok());
  Result<std::vector<DeadLetter>> letters = store->DeadLetters(10);
  ASSERT_FALSE(letters.ok());
  EXPECT_EQ(letters.status().code(), StatusCode::kInternal);
  EXPECT_NE(letters.status().message().find("table " + tables.queue), std::string::npos);
  EXPECT_NE(letters.status().message().find("parked_at"), std::string::npos) << letters.status().message();
}

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
