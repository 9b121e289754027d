#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "testing/temp_dir.h"

namespace glueguard {
namespace {

Observation Obs(Time at, int in_use) {
  Observation o;
  o.subnet_id = "subnet-a";
  o.observed_at = at;
  o.in_use = in_use;
  o.total_enis = in_use;
  o.reason = "poll";
  return o;
}

TEST(SqliteStore, DataSurvivesClosingAndReopeningTheFile) {
  testing::TempDir dir;
  const Time t0 = FromUnixMillis(1'767'225'600'000);
  {
    auto store = SqliteStore::Open(dir.File("g.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->AppendObservation(Obs(t0, 7)).ok());
    SubnetCommit commit;
    commit.record.subnet_id = "subnet-a";
    commit.changes.put_reservations = {Reservation{"r1", "subnet-a", "critical", "run-1", 10, t0, t0 + std::chrono::minutes(15)}};
    ASSERT_TRUE((*store)->Commit(commit).ok());
  }
  auto reopened = SqliteStore::Open(dir.File("g.db"));
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->LatestObservations("subnet-a", 1)->at(0).in_use, 7);
  Result<SubnetState> s = (*reopened)->LoadSubnet("subnet-a");
  EXPECT_EQ(s->record.version, 1);
  ASSERT_EQ(s->reservations.size(), 1u);
  EXPECT_EQ(s->reservations[0].id, "r1");
}

TEST(SqliteStore, UsesWalAndRecordsTheSchemaVersion) {
  testing::TempDir dir;
  ASSERT_TRUE(SqliteStore::Open(dir.File("g.db")).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.File("g.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), SqliteStore::SchemaVersion());
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(SqliteStore, RefusesAFileFromANewerGlueguard) {
  testing::TempDir dir;
  ASSERT_TRUE(SqliteStore::Open(dir.File("g.db")).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.File("g.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto store = SqliteStore::Open(dir.File("g.db"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("schema version 99"), std::string::npos);
}

TEST(SqliteStore, UnopenablePathIsUnavailableWithThePathNamed) {
  auto store = SqliteStore::Open("/nonexistent-dir/sub/g.db");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(store.status().message().find("/nonexistent-dir/sub/g.db"), std::string::npos);
}

TEST(SqliteStore, TwoConnectionsToOneFileSeeEachOthersCommitsAndConflicts) {
  testing::TempDir dir;
  auto a = SqliteStore::Open(dir.File("g.db"));
  auto b = SqliteStore::Open(dir.File("g.db"));
  ASSERT_TRUE(a.ok() && b.ok());
  SubnetCommit commit;
  commit.record.subnet_id = "subnet-a";
  ASSERT_TRUE((*a)->Commit(commit).ok());
  EXPECT_EQ((*b)->Commit(commit).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*b)->LoadSubnet("subnet-a")->record.version, 1);
}

}  // namespace
}  // namespace glueguard
