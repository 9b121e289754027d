// One contract for the three ledgers: the memory fake, the SQLite table and the DynamoDB items (on dynalite).
#include "doctor/eni_ledger.h"

#include <gtest/gtest.h>

#include "testing/dynalite.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

using std::chrono::minutes;

enum class Kind { kMemory, kSqlite, kDynamoDb };

class EniLedgerContract : public ::testing::TestWithParam<Kind> {
 protected:
  EniLedgerContract() {
    if (GetParam() == Kind::kMemory) {
      ledger_ = MakeMemoryEniLedger();
    } else if (GetParam() == Kind::kSqlite) {
      ledger_ = std::move(*OpenSqliteEniLedger(dir_.File("glueguard.db")));
    } else {
      auto [dynalite, tables] = testing::DynaliteWithFreshTables();
      ledger_ = MakeDynamoDbEniLedger(dynalite->client(), tables.state, std::chrono::hours(24 * 30));
    }
  }
  testing::TempDir dir_;
  std::unique_ptr<EniLedger> ledger_;
  const Time t0_ = FromUnixMillis(1'767'225'600'000);
};

TEST_P(EniLedgerContract, KeepsTheFirstSightingAcrossPasses) {
  auto first = ledger_->RecordPass("subnet-a", {"eni-1", "eni-2"}, t0_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->empty());  // both new
  auto second = ledger_->RecordPass("subnet-a", {"eni-1", "eni-2", "eni-3"}, t0_ + minutes(10));
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 2u);
  EXPECT_EQ(second->at("eni-1").first_seen, t0_);
  EXPECT_EQ(second->at("eni-1").last_seen, t0_);  // as it was before this pass
  auto entries = ledger_->Entries("subnet-a");
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].last_seen, t0_ + minutes(10));
  EXPECT_EQ((*entries)[2].first_seen, t0_ + minutes(10));
}

TEST_P(EniLedgerContract, AnEniNotSeenAvailableStartsItsClockOver) {
  ASSERT_TRUE(ledger_->RecordPass("subnet-a", {"eni-1"}, t0_).ok());
  ASSERT_TRUE(ledger_->RecordPass("subnet-a", {}, t0_ + minutes(5)).ok());  // attached again, or deleted
  auto again = ledger_->RecordPass("subnet-a", {"eni-1"}, t0_ + minutes(10));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(ledger_->Entries("subnet-a")->at(0).first_seen, t0_ + minutes(10));
}

TEST_P(EniLedgerContract, APassOverOneSubnetLeavesTheOthersAlone) {
  ASSERT_TRUE(ledger_->RecordPass("subnet-a", {"eni-1"}, t0_).ok());
  ASSERT_TRUE(ledger_->RecordPass("subnet-b", {"eni-2"}, t0_).ok());
  ASSERT_TRUE(ledger_->RecordPass("subnet-a", {}, t0_ + minutes(1)).ok());
  EXPECT_EQ(ledger_->Entries("")->size(), 1u);
  EXPECT_EQ(ledger_->Entries("subnet-b")->size(), 1u);
}

TEST_P(EniLedgerContract, CountsRefusedDeletesAndForgets) {
  ASSERT_TRUE(ledger_->RecordPass("subnet-a", {"eni-1"}, t0_).ok());
  ASSERT_TRUE(ledger_->NoteRefusedDelete("eni-1", "InvalidNetworkInterface.InUse").ok());
  ASSERT_TRUE(ledger_->NoteRefusedDelete("eni-1", "InvalidParameterValue").ok());
  const LedgerEntry e = ledger_->Entries("subnet-a")->at(0);
  EXPECT_EQ(e.delete_attempts, 2);
  EXPECT_EQ(e.last_error, "InvalidParameterValue");
  EXPECT_EQ(ledger_->NoteRefusedDelete("eni-9", "x").code(), StatusCode::kNotFound);
  ASSERT_TRUE(ledger_->Forget("eni-1").ok());
  ASSERT_TRUE(ledger_->Forget("eni-1").ok());
  EXPECT_TRUE(ledger_->Entries("")->empty());
}

TEST_P(EniLedgerContract, RefusesAPassWithoutASubnet) {
  EXPECT_EQ(ledger_->RecordPass("", {"eni-1"}, t0_).status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(All, EniLedgerContract, ::testing::Values(Kind::kMemory, Kind::kSqlite, Kind::kDynamoDb),
                         [](const ::testing::TestParamInfo<Kind>& p) {
                           return p.param == Kind::kMemory ? "Memory" : p.param == Kind::kSqlite ? "Sqlite" : "DynamoDb";
                         });

// Forwards to dynalite, counting scans.
class ScanCounting final : public DynamoDbApi {
 public:
  explicit ScanCounting(DynamoDbApi& db) : db_(db) {}
  Result<TableDescription> CreateTable(const CreateTableRequest& r) override { return db_.CreateTable(r); }
  Result<TableDescription> DescribeTable(const std::string& t) override { return db_.DescribeTable(t); }
  Status UpdateTimeToLive(const std::string& t, const std::string& a, bool on) override {
    return db_.UpdateTimeToLive(t, a, on);
  }
  Result<TimeToLiveDescription> DescribeTimeToLive(const std::string& t) override { return db_.DescribeTimeToLive(t); }
  Result<Item> PutItem(const PutItemRequest& r) override { return db_.PutItem(r); }
  Result<std::optional<Item>> GetItem(const GetItemRequest& r) override { return db_.GetItem(r); }
  Result<Item> UpdateItem(const UpdateItemRequest& r) override { return db_.UpdateItem(r); }
  Result<Item> DeleteItem(const DeleteItemRequest& r) override { return db_.DeleteItem(r); }
  Result<QueryPage> Query(const QueryRequest& r) override { return db_.Query(r); }
  Result<QueryPage> Scan(const QueryRequest& r) override {
    ++scans;
    return db_.Scan(r);
  }
  int scans = 0;

 private:
  DynamoDbApi& db_;
};

// A doctor pass records a subnet, then notes refused deletes and forgets deleted ENIs: the ledger finds each
// ENI's item from the pass, without scanning the state table once per ENI.
TEST(DynamoDbEniLedger, ActingOnTheEnisOfAPassScansNothing) {
  auto [dynalite, tables] = testing::DynaliteWithFreshTables();
  ScanCounting counting(dynalite->client());
  auto ledger = MakeDynamoDbEniLedger(counting, tables.state, std::chrono::hours(24));
  const Time t0 = FromUnixMillis(1'767'225'600'000);
  ASSERT_TRUE(ledger->RecordPass("subnet-a", {"eni-1", "eni-2", "eni-3"}, t0).ok());
  ASSERT_TRUE(ledger->NoteRefusedDelete("eni-1", "InvalidNetworkInterface.InUse").ok());
  ASSERT_TRUE(ledger->Forget("eni-2").ok());
  ASSERT_TRUE(ledger->Forget("eni-3").ok());
  EXPECT_EQ(counting.scans, 0);
  EXPECT_EQ(ledger->Entries("subnet-a")->at(0).delete_attempts, 1);
  // An ENI the ledger has not read is still found, by a scan: another doctor recorded it.
  auto other = MakeDynamoDbEniLedger(dynalite->client(), tables.state, std::chrono::hours(24));
  ASSERT_TRUE(other->RecordPass("subnet-b", {"eni-9"}, t0).ok());
  ASSERT_TRUE(ledger->NoteRefusedDelete("eni-9", "x").ok());
  EXPECT_EQ(counting.scans, 1);
}

TEST(SqliteEniLedger, SurvivesReopeningTheFileTheStoreAlsoUses) {
  testing::TempDir dir;
  const Time t0 = FromUnixMillis(1'767'225'600'000);
  {
    auto ledger = OpenSqliteEniLedger(dir.File("glueguard.db"));
    ASSERT_TRUE(ledger.ok());
    ASSERT_TRUE((*ledger)->RecordPass("subnet-a", {"eni-1"}, t0).ok());
  }
  auto reopened = OpenSqliteEniLedger(dir.File("glueguard.db"));
  ASSERT_TRUE(reopened.ok());
  auto before = (*reopened)->RecordPass("subnet-a", {"eni-1"}, t0 + minutes(61));
  ASSERT_EQ(before->size(), 1u);
  EXPECT_EQ(before->at("eni-1").first_seen, t0);
}

}  // namespace
}  // namespace glueguard
