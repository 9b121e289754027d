// What only the DynamoDB store does (the contract it shares with the others is store_contract_test.cc): it
// reads the seed sensor's items, and it refuses a state item DynamoDB would refuse, before sending it.
#include "store/dynamodb_store.h"

#include <gtest/gtest.h>

#include "testing/dynalite.h"

namespace glueguard {
namespace {

using std::chrono::hours;

class DynamoDbStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto [dynalite, tables] = testing::DynaliteWithFreshTables();
    dynalite_ = dynalite;
    tables_ = tables;
    store_ = std::make_unique<DynamoDbStore>(dynalite_->client(), tables_, hours(24 * 30));
  }

  testing::Dynalite* dynalite_ = nullptr;
  DynamoDbTableNames tables_;
  std::unique_ptr<DynamoDbStore> store_;
  const Time t0_ = FromUnixMillis(1'767'225'600'000);
};

TEST_F(DynamoDbStoreTest, ReadsTheItemsTheSeedSensorWrote) {
  // The sensor's shape: no `other`, no `reason`, no TTL attribute.
  const Result<Item> put = dynalite_->client().PutItem(
      {.table_name = tables_.observations,
       .item = {{"subnet_id", AttributeValue::String("subnet-a")},
                {"observed_at", AttributeValue::Number(ToUnixMillis(t0_))},
                {"total_enis", AttributeValue::Number(int64_t{30})},
                {"in_use", AttributeValue::Number(int64_t{18})},
                {"available", AttributeValue::Number(int64_t{10})},
                {"dag_run_id", AttributeValue::String("customer_analytics/scheduled__2026-01-01")}}});
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  Result<std::vector<Observation>> latest = store_->LatestObservations("subnet-a", 5);
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ((*latest)[0].observed_at, t0_);
  EXPECT_EQ((*latest)[0].other, 2);  // what total leaves
  EXPECT_EQ((*latest)[0].run_id, "customer_analytics/scheduled__2026-01-01");
  EXPECT_TRUE(ValidateObservation((*latest)[0]).ok());
}

TEST_F(DynamoDbStoreTest, AnItemThatIsNotAnObservationIsAnErrorNamingTheTableAndTheAttribute) {
  ASSERT_TRUE(dynalite_->client()
                  .PutItem({.table_name = tables_.observations,
                            .item = {{"subnet_id", AttributeValue::String("subnet-a")},
                                     {"observed_at", AttributeValue::Number(ToUnixMillis(t0_))},
                                     {"total_enis", AttributeValue::String("thirty")}}})
                  .ok());
  Result<std::vector<Observation>> latest = store_->LatestObservations("subnet-a", 5);
  ASSERT_FALSE(latest.ok());
  EXPECT_EQ(latest.status().code(), StatusCode::kInternal);
  EXPECT_NE(latest.status().message().find("table " + tables_.observations), std::string::npos);
  EXPECT_NE(latest.status().message().find("total_enis is not a whole number"), std::string::npos)
      << latest.status().message();
}

TEST_F(DynamoDbStoreTest, AStateItemOverTheItemLimitIsRefusedBeforeItIsSentAndAShrinkingCommitGoesThrough) {
  SubnetCommit commit;
  commit.record.subnet_id = "subnet-a";
  for (int i = 0; i < 3000; ++i) {
    commit.changes.put_waiters.push_back(
        Waiter{"subnet-a", "a_rather_long_dag_id/scheduled__2026-01-05T07:00:00/task-" + std::to_string(i),
               "critical", 10, 100, i + 1, t0_, t0_});
  }
  const Status refused = store_->Commit(commit);
  EXPECT_EQ(refused.code(), StatusCode::kInternal);
  EXPECT_NE(refused.message().find("over DynamoDB's 400 KB item limit"), std::string::npos)
      << refused.message();
  EXPECT_NE(refused.message().find("3000 waiters"), std::string::npos) << refused.message();
  EXPECT_EQ(store_->LoadSubnet("subnet-a")->record.version, 0);  // nothing was written

  commit.changes.put_waiters.resize(1000);  // under the limit
  ASSERT_TRUE(store_->Commit(commit).ok());
  EXPECT_EQ(store_->LoadSubnet("subnet-a")->waiters.size(), 1000u);
}

}  // namespace
}  // namespace glueguard
