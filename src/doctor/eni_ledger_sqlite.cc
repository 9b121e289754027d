// The SQLite EniLedger: its own table (doctor_enis) in the same file as the observation store, over the one
// SQLite layer. A pass is one IMMEDIATE transaction, so two doctors on one file cannot interleave their passes.
#include <fmt/format.h>

#include <set>

#include "doctor/eni_ledger.h"
#include "store/sqlite_db.h"

namespace glueguard {
namespace {

// Each entry moves the ledger from version i to i + 1. Never edit an entry; append a new one. Version 1 is
// what files created before versioned migrations hold, hence IF NOT EXISTS.
constexpr std::string_view kMigrations[] = {
    R"sql(
CREATE TABLE IF NOT EXISTS doctor_enis (
  eni_id          TEXT PRIMARY KEY,
  subnet_id       TEXT    NOT NULL,
  first_seen      INTEGER NOT NULL,  -- Unix milliseconds
  last_seen       INTEGER NOT NULL,
  delete_attempts INTEGER NOT NULL,
  last_error      TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS doctor_enis_by_subnet ON doctor_enis (subnet_id);
)sql",
};

constexpr const char* kColumns = "eni_id, subnet_id, first_seen, last_seen, delete_attempts, last_error";

using sqlite::Query;
using sqlite::Tx;

LedgerEntry ReadEntry(const Query& q) {
  LedgerEntry e;
  e.eni_id = q.Text(0);
  e.subnet_id = q.Text(1);
  e.first_seen = q.TimeAt(2);
  e.last_seen = q.TimeAt(3);
  e.delete_attempts = static_cast<int>(q.Int(4));
  e.last_error = q.Text(5);
  return e;
}

class SqliteEniLedger final : public EniLedger {
 public:
  explicit SqliteEniLedger(std::unique_ptr<sqlite::Db> db) : db_(std::move(db)) {}

  Result<std::map<std::string, LedgerEntry>> RecordPass(const std::string& subnet_id,
                                                        const std::vector<std::string>& available_ids,
                                                        Time now) override {
    if (subnet_id.empty()) return Status::InvalidArgument("a subnet id is required");
    std::map<std::string, LedgerEntry> before;
    GG_RETURN_IF_ERROR(db_->Write("recording a pass", [&](Tx& tx) -> Status {
      before.clear();
      const std::set<std::string> seen(available_ids.begin(), available_ids.end());
      std::vector<LedgerEntry> known;
      GG_RETURN_IF_ERROR(Select(tx, subnet_id, known));
      for (const LedgerEntry& e : known) {
        if (seen.count(e.eni_id)) {
          before.emplace(e.eni_id, e);
          continue;
        }
        GG_RETURN_IF_ERROR(tx.Prepare("DELETE FROM doctor_enis WHERE eni_id = ?").Bind(e.eni_id).Run());
      }
      for (const std::string& id : seen) {
        if (before.count(id)) {
          GG_RETURN_IF_ERROR(
              tx.Prepare("UPDATE doctor_enis SET last_seen = ? WHERE eni_id = ?").BindAll(now, id).Run());
          continue;
        }
        // New to this subnet (an id recorded under another subnet moves: EC2 ids are unique).
        GG_RETURN_IF_ERROR(
            tx.Prepare(fmt::format("INSERT OR REPLACE INTO doctor_enis ({}) VALUES (?, ?, ?, ?, 0, '')", kColumns))
                .BindAll(id, subnet_id, now, now)
                .Run());
      }
      return Status::Ok();
    }));
    return before;
  }

  Status NoteRefusedDelete(const std::string& eni_id, const std::string& error) override {
    return db_->Write("noting a refused delete", [&](Tx& tx) -> Status {
      GG_RETURN_IF_ERROR(
          tx.Prepare("UPDATE doctor_enis SET delete_attempts = delete_attempts + 1, last_error = ? WHERE eni_id = ?")
              .BindAll(error, eni_id)
              .Run());
      if (tx.Changes() == 0) return Status::NotFound("ENI " + eni_id + " is not in the ledger");
      return Status::Ok();
    });
  }

  Status Forget(const std::string& eni_id) override {
    return db_->Write("forgetting an ENI", [&](Tx& tx) {
      return tx.Prepare("DELETE FROM doctor_enis WHERE eni_id = ?").Bind(eni_id).Run();
    });
  }

  Result<std::vector<LedgerEntry>> Entries(const std::string& subnet_id) override {
    std::vector<LedgerEntry> out;
    GG_RETURN_IF_ERROR(db_->Read("reading", [&](Tx& tx) {
      out.clear();
      return Select(tx, subnet_id, out);
    }));
    return out;
  }

 private:
  // The entries of `subnet_id` (all of them when it is empty), by ENI id.
  static Status Select(Tx& tx, const std::string& subnet_id, std::vector<LedgerEntry>& out) {
    Query q = tx.Prepare(subnet_id.empty()
                             ? fmt::format("SELECT {} FROM doctor_enis ORDER BY eni_id", kColumns)
                             : fmt::format("SELECT {} FROM doctor_enis WHERE subnet_id = ? ORDER BY eni_id", kColumns));
    if (!subnet_id.empty()) q.Bind(subnet_id);
    return q.ForEachRow([&](const Query& row) { out.push_back(ReadEntry(row)); });
  }

  std::unique_ptr<sqlite::Db> db_;  // thread-safe
};

}  // namespace

Result<std::unique_ptr<EniLedger>> OpenSqliteEniLedger(const std::string& path) {
  sqlite::Schema schema;
  schema.component = "doctor";
  schema.migrations.assign(std::begin(kMigrations), std::end(kMigrations));
  Result<std::unique_ptr<sqlite::Db>> db = sqlite::Db::Open(path, schema);
  if (!db.ok()) return db.status();
  return std::unique_ptr<EniLedger>(new SqliteEniLedger(std::move(*db)));
}

}  // namespace glueguard
