// The SQLite EniLedger: its own table (doctor_enis) in the same file as the observation store, created if
// missing. One connection, serialised by a mutex; a pass is one IMMEDIATE transaction, so two doctors on one
// file cannot interleave their passes.
#include <fmt/format.h>
#include <sqlite3.h>

#include <mutex>
#include <set>

#include "doctor/eni_ledger.h"

namespace glueguard {
namespace {

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

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

// A prepared statement: bind in order, step, read columns.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) : db_(db) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) == SQLITE_OK) stmt_.reset(raw);
  }
  bool ok() const { return stmt_ != nullptr; }
  Stmt& Bind(const std::string& v) {
    sqlite3_bind_text(stmt_.get(), ++index_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int64_t v) {
    sqlite3_bind_int64(stmt_.get(), ++index_, v);
    return *this;
  }
  int Step() { return sqlite3_step(stmt_.get()); }
  LedgerEntry Entry() const {
    LedgerEntry e;
    e.eni_id = Text(0);
    e.subnet_id = Text(1);
    e.first_seen = FromUnixMillis(sqlite3_column_int64(stmt_.get(), 2));
    e.last_seen = FromUnixMillis(sqlite3_column_int64(stmt_.get(), 3));
    e.delete_attempts = sqlite3_column_int(stmt_.get(), 4);
    e.last_error = Text(5);
    return e;
  }
  Status Error(std::string_view what) const {
    return Status::Unavailable(fmt::format("ENI ledger: {}: {}", what, sqlite3_errmsg(db_)));
  }

 private:
  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), col));
    return p == nullptr ? std::string()
                        : std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), col)));
  }

  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, StmtFinalize> stmt_;
  int index_ = 0;
};

class SqliteEniLedger final : public EniLedger {
 public:
  explicit SqliteEniLedger(sqlite3* db) : db_(db) {}

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
    Stmt s(db_.get(),
           "UPDATE doctor_enis SET delete_attempts = delete_attempts + 1, last_error = ? WHERE eni_id = ?");
    if (!s.ok()) return s.Error("preparing");
    if (s.Bind(error).Bind(eni_id).Step() != SQLITE_DONE) return s.Error("noting a refused delete");
    if (sqlite3_changes(db_.get()) == 0) return Status::NotFound("ENI " + eni_id + " is not in the ledger");
    return Status::Ok();
  }

  Status Forget(const std::string& eni_id) override {
    std::lock_guard lock(mu_);
    Stmt s(db_.get(), "DELETE FROM doctor_enis WHERE eni_id = ?");
    if (!s.ok()) return s.Error("preparing");
    if (s.Bind(eni_id).Step() != SQLITE_DONE) return s.Error("forgetting an ENI");
    return Status::Ok();
  }

  Result<std::vector<LedgerEntry>> Entries(const std::string& subnet_id) override {
    std::lock_guard lock(mu_);
    return Select(subnet_id);
  }

  Status Exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &error) != SQLITE_OK) {
      const std::string message = error != nullptr ? error : "unknown error";
      sqlite3_free(error);
      return Status::Unavailable(fmt::format("ENI ledger: {}", message));
    }
    return Status::Ok();
  }

 private:
  Result<std::vector<LedgerEntry>> Select(const std::string& subnet_id) {
    Stmt s(db_.get(),
           subnet_id.empty()
               ? fmt::format("SELECT {} FROM doctor_enis ORDER BY eni_id", kColumns)
               : fmt::format("SELECT {} FROM doctor_enis WHERE subnet_id = ? ORDER BY eni_id", kColumns));
    if (!s.ok()) return s.Error("preparing");
    if (!subnet_id.empty()) s.Bind(subnet_id);
    std::vector<LedgerEntry> out;
    int rc = SQLITE_ROW;
    while ((rc = s.Step()) == SQLITE_ROW) out.push_back(s.Entry());
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
      Stmt drop(db_.get(), "DELETE FROM doctor_enis WHERE eni_id = ?");
      if (!drop.ok() || drop.Bind(e.eni_id).Step() != SQLITE_DONE) return drop.Error("forgetting an ENI");
    }
    for (const std::string& id : seen) {
      if (before.count(id)) {
        Stmt touch(db_.get(), "UPDATE doctor_enis SET last_seen = ? WHERE eni_id = ?");
        if (!touch.ok() || touch.Bind(ToUnixMillis(now)).Bind(id).Step() != SQLITE_DONE)
          return touch.Error("updating an ENI");
        continue;
      }
      // New to this subnet (an id recorded under another subnet moves: EC2 ids are unique).
      Stmt add(db_.get(),
               fmt::format("INSERT OR REPLACE INTO doctor_enis ({}) VALUES (?, ?, ?, ?, 0, '')", kColumns));
      if (!add.ok() || add.Bind(id).Bind(subnet_id).Bind(ToUnixMillis(now)).Bind(ToUnixMillis(now)).Step() !=
                           SQLITE_DONE) {
        return add.Error("recording an ENI");
      }
    }
    return before;
  }

  std::mutex mu_;
  std::unique_ptr<sqlite3, DbClose> db_;  // GUARDED_BY(mu_)
};

}  // namespace

Result<std::unique_ptr<EniLedger>> OpenSqliteEniLedger(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  auto ledger = std::make_unique<SqliteEniLedger>(raw);
  if (rc != SQLITE_OK) {
    return Status::Unavailable(fmt::format("cannot open SQLite database '{}': {}", path,
                                           raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(raw, 5000);
  GG_RETURN_IF_ERROR(ledger->Exec("PRAGMA journal_mode=WAL;"));
  GG_RETURN_IF_ERROR(ledger->Exec(kSchema));
  return std::unique_ptr<EniLedger>(std::move(ledger));
}

}  // namespace glueguard
