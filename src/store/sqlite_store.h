// SqliteStore: the embedded ObservationStore. One file, WAL journal, prepared statements, a versioned schema.
// Several processes may open the same file: Commit runs in an IMMEDIATE transaction and checks the version.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "store/observation_store.h"

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
  Result<int64_t> ExpireBefore(Time cutoff) override;

  // The schema version this binary writes.
  static int SchemaVersion();

  struct Impl;  // the connection and its statements; defined in the .cc so no SQLite header leaks out

 private:
  explicit SqliteStore(std::unique_ptr<Impl> impl);

  std::mutex mu_;  // one connection: calls are serialised
  std::unique_ptr<Impl> impl_;  // GUARDED_BY(mu_)
};

}  // namespace glueguard
