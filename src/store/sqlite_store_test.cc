#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "sessions/session_store.h"
#include "testing/observations.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

Observation Obs(Time at, int in_use) { return testing::ObservationOf("subnet-a", at, in_use, 0); }

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
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT version FROM schema_versions WHERE component = 'admission'", -1, &stmt,
                               nullptr),
            SQLITE_OK);
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
  ASSERT_EQ(sqlite3_exec(db, "UPDATE schema_versions SET version = 99 WHERE component = 'admission'", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
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

TEST(SqliteStore, AFileFromBeforeSchemaVersionsIsAdoptedNotRecreated) {
  testing::TempDir dir;
  {
    auto store = SqliteStore::Open(dir.File("g.db"));
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->AppendObservation(Obs(FromUnixMillis(1'767'225'600'000), 3)).ok());
  }
  // What an older glueguard left: the admission tables at user_version 1 (observations without an observer)
  // and no schema_versions table.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(dir.File("g.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "DROP TABLE schema_versions; DROP TABLE eni_changes; ALTER TABLE observations DROP COLUMN observer; "
                         "ALTER TABLE subnets DROP COLUMN poll_token; "
                         "PRAGMA user_version = 1",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto reopened = SqliteStore::Open(dir.File("g.db"));
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->LatestObservations("subnet-a", 1)->at(0).in_use, 3);
  EXPECT_EQ((*reopened)->LatestObservations("subnet-a", 1)->at(0).observer, "");  // added by migration 2
}

// The lock-out seen in serve: the store's cached statements were reset only when next used, so a SELECT left
// at SQLITE_ROW (Commit's version read) kept a read transaction, and its WAL snapshot, open after COMMIT. Once
// another connection to the file wrote (the session inbox taking one event), every BEGIN IMMEDIATE on the
// stale snapshot failed at once with SQLITE_BUSY_SNAPSHOT, and the statement was never reset again.
TEST(SqliteStore, ASessionEventWrittenToTheSameFileDoesNotLockAdmissionOut) {
  testing::TempDir dir;
  auto store = SqliteStore::Open(dir.File("g.db"));
  auto sessions = OpenSqliteSessionStore(dir.File("g.db"));
  ASSERT_TRUE(store.ok() && sessions.ok());
  const Time t0 = FromUnixMillis(1'767'225'600'000);
  SubnetCommit commit;
  commit.record.subnet_id = "subnet-a";
  ASSERT_TRUE((*store)->Commit(commit).ok());
  EXPECT_TRUE((*store)->db().Idle());
  ASSERT_TRUE((*sessions)->Enqueue("http", "{", t0).ok());
  for (int64_t version = 1; version <= 3; ++version) {
    ASSERT_TRUE((*store)->LoadSubnet("subnet-a").ok());
    commit.expected_version = version;
    Status s = (*store)->Commit(commit);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE((*store)->AppendObservation(Obs(t0 + std::chrono::seconds(version), 1)).ok());
    ASSERT_TRUE((*sessions)->Enqueue("http", "{}", t0).ok());
  }
  EXPECT_TRUE((*store)->db().Idle());
}

TEST(SqliteStore, EveryCallLeavesNoTransactionOrStatementOpen) {
  testing::TempDir dir;
  auto store = SqliteStore::Open(dir.File("g.db"));
  ASSERT_TRUE(store.ok());
  const Time t0 = FromUnixMillis(1'767'225'600'000);
  SqliteStore& s = **store;
  ASSERT_TRUE(s.AppendObservation(Obs(t0, 1)).ok());
  ASSERT_TRUE(s.AppendObservation(Obs(t0 + std::chrono::seconds(1), 2)).ok());
  EXPECT_TRUE(s.db().Idle());
  ASSERT_EQ(s.LatestObservations("subnet-a", 1)->size(), 1u);  // stops after one of two rows
  EXPECT_TRUE(s.db().Idle());
  ASSERT_TRUE(s.ObservationsBetween("subnet-a", t0, t0 + std::chrono::hours(1)).ok());
  EXPECT_TRUE(s.db().Idle());
  SubnetCommit commit;
  commit.record.subnet_id = "subnet-a";
  ASSERT_TRUE(s.Commit(commit).ok());
  EXPECT_TRUE(s.db().Idle());
  EXPECT_EQ(s.Commit(commit).code(), StatusCode::kFailedPrecondition);  // a stale version, rolled back
  EXPECT_TRUE(s.db().Idle());
  ASSERT_TRUE(s.LoadSubnet("subnet-a").ok());
  EXPECT_TRUE(s.db().Idle());
  ASSERT_TRUE(s.DecisionsBetween("subnet-a", t0, t0 + std::chrono::hours(1), 1).ok());
  EXPECT_TRUE(s.db().Idle());
  ASSERT_TRUE(s.ExpireBefore(t0).ok());
  EXPECT_TRUE(s.db().Idle());
}

// Two controllers on one file, asked in turn: every request to the second used to fail with "database is
// locked" once the first had written.
TEST(SqliteStore, TwoStoresOnOneFileTakeTurnsWritingForever) {
  testing::TempDir dir;
  auto a = SqliteStore::Open(dir.File("g.db"));
  auto b = SqliteStore::Open(dir.File("g.db"));
  ASSERT_TRUE(a.ok() && b.ok());
  SqliteStore* stores[] = {a->get(), b->get()};
  SubnetCommit commit;
  commit.record.subnet_id = "subnet-a";
  for (int64_t i = 0; i < 10; ++i) {
    SqliteStore& s = *stores[i % 2];
    Result<SubnetState> state = s.LoadSubnet("subnet-a");
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    ASSERT_EQ(state->record.version, i);
    commit.expected_version = i;
    Status st = s.Commit(commit);
    ASSERT_TRUE(st.ok()) << "turn " << i << ": " << st.ToString();
  }
}

}  // namespace
}  // namespace glueguard

namespace glueguard {
namespace {

TEST(EniChangeLines, RoundTripAndALineThatIsNotOneIsAnErrorNamingWhereItIs) {
  const Time at = FromUnixMillis(1'767'225'600'000);
  EniChange appeared{"subnet-a", at, "eni-1", EniEvent::kAppeared, "arn:aws:iam::1:role/Glue", true, true};
  EniChange gone{"subnet-a", at, "eni-2", EniEvent::kGone, "", false, false};
  Result<std::vector<EniChange>> back =
      DecodeEniChanges("subnet-a", at, EncodeEniChanges({appeared, gone}), "table t");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].role, "arn:aws:iam::1:role/Glue");
  EXPECT_TRUE((*back)[0].controlled);
  EXPECT_EQ((*back)[1].event, EniEvent::kGone);

  for (const char* bad : {"eni-1\tappeared\trole\t1\n", "eni-1\tvanished\t\t0\t0\n", "\tgone\t\t0\t0\n",
                          "eni-1\tgone\t\tyes\t0\n"}) {
    Result<std::vector<EniChange>> r =
        DecodeEniChanges("subnet-a", at, std::string("eni-0\tgone\t\t0\t0\n") + bad, "table t");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInternal);
    EXPECT_NE(r.status().message().find("table t: ENI change line 2 of subnet-a"), std::string::npos)
        << r.status().message();
  }
}

}  // namespace
}  // namespace glueguard
