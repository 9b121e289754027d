// The SQLite EniLedger: its own table (doctor_enis) in the same file as the observation store, created if
// missing. One connection, serialised by a mutex; a pass is one IMMEDIATE transaction, so two doctors on one
// file cannot interleave their passes.
#include <fmt/format.h>

#include <mutex>
#include <set>

#include "doctor/eni_ledger.h"
#include "store/sqlite_table.h"

namespace glueguard {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS doctor_enis (
  eni_id          TEXT PRIMARY KEY,
  subnet_id       TEXT    NOT NULL,
  first_seen      INTEGER NOT NULL,  -- Unix milliseconds
  last_seen       INTEGER NOT NULL,
  delete_attempts INTEGER NOT NULL,
  last_error      TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS doctor_enis_by_subnet ON doctor_enis (subnet_id);
)sql";

constexpr const char* kColumns = "eni_id, subnet_id, first_seen, last_seen, delete_attempts, last_error";

constexpr std::string_view kOwner = "ENI ledger";

using sqlite::Stmt;

LedgerEntry ReadEntry(const Stmt& s) {
  LedgerEntry e;
  e.eni_id = s.Text(0);
  e.subnet_id = s.Text(1);
  e.first_seen = FromUnixMillis(s.Int(2));
  e.last_seen = FromUnixMillis(s.Int(3));
  e.delete_attempts = static_cast<int>(s.Int(4));
  e.last_error = s.Text(5);
  return e;
}

class SqliteEniLedger final : public EniLedger {
 public:
  explicit SqliteEniLedger(sqlite::DbPtr db) : db_(std::move(db)) {}

  Result<std::map<std::string, LedgerEntry>> RecordPass(const std::string& subnet_id,
                                                        const std::vector<std::string>& available_ids,
                                                        Time now) override {
    if (subnet_id.empty()) return Status::InvalidArgument("a subnet id is required");
    std::lock_guard lock(mu_);
    GG_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Result<std::map<std::string, LedgerEntry>> result = RecordPassLocked(subnet_id, available_ids, now);
    GG_RETURN_IF_ERROR(Exec(result.ok() ? "COMMIT" : "ROLLBACK"));
    return result;
  }

  Status NoteRefusedDelete(const std::string& eni_id, const std::string& error) override {
    std::lock_guard lock(mu_);
    Stmt s(db_.get(), kOwner,
           "UPDATE doctor_enis SET delete_attempts = delete_attempts + 1, last_error = ? WHERE eni_id = ?");
    if (!s.ok()) return s.Error("preparing");
    if (s.Bind(error).Bind(eni_id).Step() != SQLITE_DONE) return s.Error("noting a refused delete");
    if (sqlite3_changes(db_.get()) == 0) return Status::NotFound("ENI " + eni_id + " is not in the ledger");
    return Status::Ok();
  }

  Status Forget(const std::string& eni_id) override {
    std::lock_guard lock(mu_);
    Stmt s(db_.get(), kOwner, "DELETE FROM doctor_enis WHERE eni_id = ?");
    if (!s.ok()) return s.Error("preparing");
    if (s.Bind(eni_id).Step() != SQLITE_DONE) return s.Error("forgetting an ENI");
    return Status::Ok();
  }

  Result<std::vector<LedgerEntry>> Entries(const std::string& subnet_id) override {
    std::lock_guard lock(mu_);
    return Select(subnet_id);
  }

  Status Exec(const char* sql) { return sqlite::Exec(db_.get(), sql, kOwner); }

 private:
  Result<std::vector<LedgerEntry>> Select(const std::string& subnet_id) {
    Stmt s(db_.get(), kOwner,
           subnet_id.empty()
               ? fmt::format("SELECT {} FROM doctor_enis ORDER BY eni_id", kColumns)
               : fmt::format("SELECT {} FROM doctor_enis WHERE subnet_id = ? ORDER BY eni_id", kColumns));
    if (!s.ok()) return s.Error("preparing");
    if (!subnet_id.empty()) s.Bind(subnet_id);
    std::vector<LedgerEntry> out;
    int rc = SQLITE_ROW;
    while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadEntry(s));
    if (rc != SQLITE_DONE) return s.Error("reading");
    return out;
  }

  Result<std::map<std::string, LedgerEntry>> RecordPassLocked(const std::string& subnet_id,
                                                              const std::vector<std::string>& available_ids,
                                                              Time now) {
    const std::set<std::string> seen(available_ids.begin(), available_ids.end());
    Result<std::vector<LedgerEntry>> known = Select(subnet_id);
    if (!known.ok()) return known.status();
    std::map<std::string, LedgerEntry> before;
    for (const LedgerEntry& e : *known) {
      if (seen.count(e.eni_id)) {
        before.emplace(e.eni_id, e);
        continue;
      }
      Stmt drop(db_.get(), kOwner, "DELETE FROM doctor_enis WHERE eni_id = ?");
      if (!drop.ok() || drop.Bind(e.eni_id).Step() != SQLITE_DONE) return drop.Error("forgetting an ENI");
    }
    for (const std::string& id : seen) {
      if (before.count(id)) {
        Stmt touch(db_.get(), kOwner, "UPDATE doctor_enis SET last_seen = ? WHERE eni_id = ?");
        if (!touch.ok() || touch.Bind(ToUnixMillis(now)).Bind(id).Step() != SQLITE_DONE)
          return touch.Error("updating an ENI");
        continue;
      }
      // New to this subnet (an id recorded under another subnet moves: EC2 ids are unique).
      Stmt add(db_.get(), kOwner,
               fmt::format("INSERT OR REPLACE INTO doctor_enis ({}) VALUES (?, ?, ?, ?, 0, '')", kColumns));
      if (!add.ok() || add.Bind(id).Bind(subnet_id).Bind(ToUnixMillis(now)).Bind(ToUnixMillis(now)).Step() !=
                           SQLITE_DONE) {
        return add.Error("recording an ENI");
      }
    }
    return before;
  }

  std::mutex mu_;
  sqlite::DbPtr db_;  // GUARDED_BY(mu_)
};

}  // namespace

Result<std::unique_ptr<EniLedger>> OpenSqliteEniLedger(const std::string& path) {
  Result<sqlite::DbPtr> db = sqlite::OpenWithSchema(path, kSchema, kOwner);
  if (!db.ok()) return db.status();
  return std::unique_ptr<EniLedger>(new SqliteEniLedger(std::move(*db)));
}

}  // namespace glueguard
