// PollerLease on every backend: memory, and DynamoDB on dynalite.
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "store/dynamodb_store.h"
#include "store/lease.h"
#include "testing/dynalite.h"

namespace glueguard {
namespace {

using std::chrono::seconds;

struct LeaseFactory {
  std::string name;
  std::function<std::unique_ptr<PollerLease>()> make;
};

void PrintTo(const LeaseFactory& factory, std::ostream* out) { *out << factory.name; }

class LeaseContractTest : public ::testing::TestWithParam<LeaseFactory> {
 protected:
  void SetUp() override { lease_ = GetParam().make(); }

  std::unique_ptr<PollerLease> lease_;
  const Time t0_ = FromUnixMillis(1'767'225'600'000);
};

TEST_P(LeaseContractTest, OneHolderAtATimeRenewalsKeepItAndAnExpiredLeasePassesOn) {
  Result<LeaseGrant> a = lease_->Acquire("poll#subnet-a", "replica-1", t0_, seconds(90));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(a->held);
  EXPECT_EQ(a->until, t0_ + seconds(90));

  Result<LeaseGrant> b = lease_->Acquire("poll#subnet-a", "replica-2", t0_ + seconds(30), seconds(90));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_FALSE(b->held);
  EXPECT_EQ(b->holder, "replica-1");

  // Another name is another lease.
  EXPECT_TRUE(lease_->Acquire("poll#subnet-b", "replica-2", t0_, seconds(90))->held);

  Result<LeaseGrant> renewed = lease_->Acquire("poll#subnet-a", "replica-1", t0_ + seconds(60), seconds(90));
  ASSERT_TRUE(renewed->held);
  EXPECT_GT(renewed->token, a->token);
  EXPECT_EQ(renewed->until, t0_ + seconds(150));
  EXPECT_FALSE(lease_->Acquire("poll#subnet-a", "replica-2", t0_ + seconds(150), seconds(90))->held);

  Result<LeaseGrant> taken = lease_->Acquire("poll#subnet-a", "replica-2", t0_ + seconds(151), seconds(90));
  ASSERT_TRUE(taken->held);
  EXPECT_GT(taken->token, renewed->token);  // a fencing token: the later grant's is larger
  Result<LeaseGrant> old = lease_->Acquire("poll#subnet-a", "replica-1", t0_ + seconds(152), seconds(90));
  EXPECT_FALSE(old->held);
  EXPECT_EQ(old->holder, "replica-2");
}

// A lease item deleted on its own (by hand, or by a clean-up that missed the subnet's state) used to start
// again at token 1, below the poll_token the subnet's state keeps, and every observation of its next holder
// was fenced off for good. A new item's tokens start above every token of the one it replaces.
TEST(DynamoDbLeaseTokens, ALeaseItemMadeAgainGrantsTokensAboveTheOldOnes) {
  auto [dynalite, tables] = testing::DynaliteWithFreshTables();
  DynamoDbLease lease(dynalite->client(), tables.state);
  const Time t0 = FromUnixMillis(1'767'225'600'000);
  int64_t last = 0;
  for (int i = 0; i < 3; ++i) {
    Result<LeaseGrant> g = lease.Acquire("poll#subnet-a", "replica-1", t0 + seconds(10 * i), seconds(90));
    ASSERT_TRUE(g.ok() && g->held) << g.status().ToString();
    EXPECT_GT(g->token, last);
    last = g->token;
  }
  // The token is the item's own `token` attribute, which replicas of an earlier version read and grow too.
  Result<std::optional<Item>> item = dynalite->client().GetItem(
      {.table_name = tables.state, .key = {{"subnet_id", AttributeValue::String("lease#poll#subnet-a")}}});
  ASSERT_TRUE(item.ok() && *item) << item.status().ToString();
  EXPECT_EQ((*item)->at("token").AsInt64(), last);
  ASSERT_TRUE(dynalite->client()
                  .DeleteItem({.table_name = tables.state,
                               .key = {{"subnet_id", AttributeValue::String("lease#poll#subnet-a")}}})
                  .ok());
  Result<LeaseGrant> again = lease.Acquire("poll#subnet-a", "replica-2", t0 + seconds(40), seconds(90));
  ASSERT_TRUE(again.ok() && again->held) << again.status().ToString();
  EXPECT_GT(again->token, last);
}

INSTANTIATE_TEST_SUITE_P(
    Leases, LeaseContractTest,
    ::testing::Values(LeaseFactory{"Memory", [] { return std::unique_ptr<PollerLease>(new MemoryLease()); }},
                      LeaseFactory{"DynamoDb",
                                   [] {
                                     auto [dynalite, tables] = testing::DynaliteWithFreshTables();
                                     return std::unique_ptr<PollerLease>(
                                         new DynamoDbLease(dynalite->client(), tables.state));
                                   }}),
    [](const ::testing::TestParamInfo<LeaseFactory>& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace glueguard
