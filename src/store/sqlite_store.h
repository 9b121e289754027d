// SqliteStore: the embedded ObservationStore, over the one SQLite layer (store/sqlite_db.h). One file, WAL
// journal, versioned migrations. Several processes may open the same file: Commit runs in an IMMEDIATE
// transaction and checks the version, so two controllers on one file never spend the same headroom.
#pragma once

#include <memory>
#include <string>

#include "store/observation_store.h"
#include "store/sqlite_db.h"

namespace glueguard {

class SqliteStore final : public ObservationStore {
 public:
  // Opens (creating if needed) the database at `path` and migrates its schema to the current version.
  // ":memory:" gives a private in-memory database. Errors: Unavailable when the file cannot be opened,
  // FailedPrecondition when the file's schema is newer than this binary understands.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);
  ~SqliteStore() override;

  Status AppendObservation(const Observation& o) override;
  Result<std::vector<Observation>> LatestObservations(const std::string& subnet_id, int limit) override;
  Result<std::vector<Observation>> ObservationsBetween(const std::string& subnet_id, Time from, Time to) override;
  Result<SubnetState> LoadSubnet(const std::string& subnet_id) override;
  Status Commit(const SubnetCommit& commit) override;
  Result<std::vector<Decision>> DecisionsBetween(const std::string& subnet_id, Time from, Time to,
                                                 int limit) override;
  Result<std::vector<EniChange>> EniChangesAfter(const std::string& subnet_id, Time after) override;
  Result<int64_t> ExpireBefore(Time cutoff) override;

  // The schema version this binary writes, and the migrations that lead to it.
  static int SchemaVersion();
  static sqlite::Schema Schema();

  // The connection, for tests that check no transaction is left open.
  sqlite::Db& db() { return *db_; }

 private:
  explicit SqliteStore(std::unique_ptr<sqlite::Db> db);

  std::unique_ptr<sqlite::Db> db_;  // thread-safe: serialises calls on its one connection
};

}  // namespace glueguard
