#include "store/sqlite_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <map>

namespace glueguard {

namespace {

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbClose>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

// Each entry moves the schema from version i to i + 1. Never edit an entry; append a new one.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE observations (
  subnet_id   TEXT    NOT NULL,
  observed_at INTEGER NOT NULL,  -- Unix milliseconds
  total_enis  INTEGER NOT NULL,
  in_use      INTEGER NOT NULL,
  available   INTEGER NOT NULL,
  other       INTEGER NOT NULL,
  run_id      TEXT    NOT NULL,
  reason      TEXT    NOT NULL,
  PRIMARY KEY (subnet_id, observed_at)
) WITHOUT ROWID;
CREATE INDEX observations_by_time ON observations (observed_at);
CREATE TABLE subnets (
  subnet_id             TEXT PRIMARY KEY,
  version               INTEGER NOT NULL,
  cool_off_until        INTEGER NOT NULL,
  priority_floor_active INTEGER NOT NULL,
  last_total            INTEGER NOT NULL,
  next_sequence         INTEGER NOT NULL
);
CREATE TABLE reservations (
  id         TEXT PRIMARY KEY,
  subnet_id  TEXT    NOT NULL,
  category   TEXT    NOT NULL,
  run_id     TEXT    NOT NULL,
  ips        INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX reservations_by_subnet ON reservations (subnet_id, created_at);
CREATE TABLE waiters (
  subnet_id  TEXT    NOT NULL,
  run_id     TEXT    NOT NULL,
  category   TEXT    NOT NULL,
  needed_ips INTEGER NOT NULL,
  priority   INTEGER NOT NULL,
  sequence   INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen  INTEGER NOT NULL,
  PRIMARY KEY (subnet_id, run_id)
);
CREATE TABLE decisions (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  subnet_id      TEXT    NOT NULL,
  decided_at     INTEGER NOT NULL,
  category       TEXT    NOT NULL,
  run_id         TEXT    NOT NULL,
  priority       INTEGER NOT NULL,
  workers        INTEGER NOT NULL,
  outcome        TEXT    NOT NULL,
  code           TEXT    NOT NULL,
  capacity       INTEGER NOT NULL,
  total          INTEGER NOT NULL,
  free           INTEGER NOT NULL,
  buffer         INTEGER NOT NULL,
  reserved       INTEGER NOT NULL,
  needed         INTEGER NOT NULL,
  reason         TEXT    NOT NULL,
  reservation_id TEXT    NOT NULL,
  retry_after_ms INTEGER NOT NULL,
  waited_ms      INTEGER NOT NULL,
  observed_at    INTEGER NOT NULL
);
CREATE INDEX decisions_by_subnet ON decisions (subnet_id, decided_at);
CREATE INDEX decisions_by_time ON decisions (decided_at);
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

}  // namespace

struct SqliteStore::Impl {
  DbPtr db;
  std::map<std::string, StmtPtr, std::less<>> statements;

  Status Error(const std::string& what) const {
    const int code = sqlite3_extended_errcode(db.get());
    const std::string message = fmt::format("sqlite: {}: {}", what, sqlite3_errmsg(db.get()));
    if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED || (code & 0xff) == SQLITE_IOERR ||
        (code & 0xff) == SQLITE_CANTOPEN || (code & 0xff) == SQLITE_FULL) {
      return Status::Unavailable(message);
    }
    return Status::Internal(message);
  }

  Status Exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db.get(), sql, nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error != nullptr ? error : "unknown error";
      sqlite3_free(error);
      return Status::Internal(fmt::format("sqlite: {}", message));
    }
    return Status::Ok();
  }

  // A cached prepared statement, reset and with its bindings cleared. Valid until the next Prepare of the
  // same SQL; callers use one statement at a time per SQL text.
  Result<sqlite3_stmt*> Prepare(std::string_view sql) {
    auto it = statements.find(sql);
    if (it == statements.end()) {
      sqlite3_stmt* raw = nullptr;
      if (sqlite3_prepare_v3(db.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw,
                             nullptr) != SQLITE_OK) {
        return Error("prepare");
      }
      it = statements.emplace(std::string(sql), StmtPtr(raw)).first;
    }
    sqlite3_stmt* stmt = it->second.get();
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return stmt;
  }
};

namespace {

void Bind(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
void Bind(sqlite3_stmt* s, int i, int64_t v) { sqlite3_bind_int64(s, i, v); }
void Bind(sqlite3_stmt* s, int i, int v) { sqlite3_bind_int64(s, i, v); }
void Bind(sqlite3_stmt* s, int i, Time v) { sqlite3_bind_int64(s, i, ToUnixMillis(v)); }
void Bind(sqlite3_stmt* s, int i, Duration v) { sqlite3_bind_int64(s, i, v.count()); }

template <typename... Args>
void BindAll(sqlite3_stmt* s, const Args&... args) {
  int i = 0;
  (Bind(s, ++i, args), ...);
}

std::string Text(sqlite3_stmt* s, int col) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
  return p == nullptr ? std::string() : std::string(p, static_cast<size_t>(sqlite3_column_bytes(s, col)));
}
int Int(sqlite3_stmt* s, int col) { return sqlite3_column_int(s, col); }
int64_t Int64(sqlite3_stmt* s, int col) { return sqlite3_column_int64(s, col); }
Time TimeAt(sqlite3_stmt* s, int col) { return FromUnixMillis(sqlite3_column_int64(s, col)); }

constexpr std::string_view kObservationColumns =
    "subnet_id, observed_at, total_enis, in_use, available, other, run_id, reason";

Observation ReadObservation(sqlite3_stmt* s) {
  Observation o;
  o.subnet_id = Text(s, 0);
  o.observed_at = TimeAt(s, 1);
  o.total_enis = Int(s, 2);
  o.in_use = Int(s, 3);
  o.available = Int(s, 4);
  o.other = Int(s, 5);
  o.run_id = Text(s, 6);
  o.reason = Text(s, 7);
  return o;
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

int SqliteStore::SchemaVersion() { return kSchemaVersion; }

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  impl->db.reset(raw);
  if (rc != SQLITE_OK) {
    return Status::Unavailable(fmt::format("cannot open SQLite database '{}': {}", path,
                                           raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(raw, 5000);
  sqlite3_extended_result_codes(raw, 1);
  GG_RETURN_IF_ERROR(impl->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
                         .WithContext(fmt::format("opening '{}'", path)));

  // Migrate under an exclusive lock so two processes opening a new file do not both create tables.
  GG_RETURN_IF_ERROR(impl->Exec("BEGIN IMMEDIATE"));
  Result<sqlite3_stmt*> version_stmt = impl->Prepare("PRAGMA user_version");
  if (!version_stmt.ok()) return version_stmt.status();
  sqlite3_step(*version_stmt);
  const int version = sqlite3_column_int(*version_stmt, 0);
  sqlite3_reset(*version_stmt);
  if (version > kSchemaVersion) {
    (void)impl->Exec("ROLLBACK");
    return Status::FailedPrecondition(
        fmt::format("'{}' has schema version {}, newer than this glueguard understands ({}); upgrade glueguard",
                    path, version, kSchemaVersion));
  }
  for (int v = version; v < kSchemaVersion; ++v) {
    Status s = impl->Exec(kMigrations[v]);
    if (!s.ok()) {
      (void)impl->Exec("ROLLBACK");
      return s.WithContext(fmt::format("migrating '{}' to schema version {}", path, v + 1));
    }
  }
  GG_RETURN_IF_ERROR(impl->Exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion).c_str()));
  GG_RETURN_IF_ERROR(impl->Exec("COMMIT"));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

Status SqliteStore::AppendObservation(const Observation& o) {
  GG_RETURN_IF_ERROR(ValidateObservation(o));
  std::lock_guard lock(mu_);
  Result<sqlite3_stmt*> s = impl_->Prepare(
      "INSERT OR REPLACE INTO observations (subnet_id, observed_at, total_enis, in_use, available, other, run_id, "
      "reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!s.ok()) return s.status();
  BindAll(*s, o.subnet_id, o.observed_at, o.total_enis, o.in_use, o.available, o.other, o.run_id, o.reason);
  if (sqlite3_step(*s) != SQLITE_DONE) return impl_->Error("appending an observation");
  return Status::Ok();
}

Result<std::vector<Observation>> SqliteStore::LatestObservations(const std::string& subnet_id, int limit) {
  std::lock_guard lock(mu_);
  Result<sqlite3_stmt*> s = impl_->Prepare(fmt::format(
      "SELECT {} FROM observations WHERE subnet_id = ? ORDER BY observed_at DESC LIMIT ?", kObservationColumns));
  if (!s.ok()) return s.status();
  BindAll(*s, subnet_id, limit);
  std::vector<Observation> out;
  int rc = 0;
  while ((rc = sqlite3_step(*s)) == SQLITE_ROW) out.push_back(ReadObservation(*s));
  if (rc != SQLITE_DONE) return impl_->Error("reading observations");
  return out;
}

Result<std::vector<Observation>> SqliteStore::ObservationsBetween(const std::string& subnet_id, Time from,
                                                                  Time to) {
  std::lock_guard lock(mu_);
  Result<sqlite3_stmt*> s = impl_->Prepare(
      fmt::format("SELECT {} FROM observations WHERE subnet_id = ? AND observed_at >= ? AND observed_at < ? "
                  "ORDER BY observed_at",
                  kObservationColumns));
  if (!s.ok()) return s.status();
  BindAll(*s, subnet_id, from, to);
  std::vector<Observation> out;
  int rc = 0;
  while ((rc = sqlite3_step(*s)) == SQLITE_ROW) out.push_back(ReadObservation(*s));
  if (rc != SQLITE_DONE) return impl_->Error("reading observations");
  return out;
}

Result<SubnetState> SqliteStore::LoadSubnet(const std::string& subnet_id) {
  std::lock_guard lock(mu_);
  SubnetState state;
  state.record.subnet_id = subnet_id;
  // One read transaction, so the three reads see the same commit.
  GG_RETURN_IF_ERROR(impl_->Exec("BEGIN"));
  auto fail = [&](const std::string& what) {
    Status s = impl_->Error(what);
    (void)impl_->Exec("ROLLBACK");
    return s;
  };
  {
    Result<sqlite3_stmt*> s = impl_->Prepare(
        "SELECT version, cool_off_until, priority_floor_active, last_total, next_sequence FROM subnets "
        "WHERE subnet_id = ?");
    if (!s.ok()) return fail("reading a subnet");
    BindAll(*s, subnet_id);
    const int rc = sqlite3_step(*s);
    if (rc == SQLITE_ROW) {
      state.record.version = Int64(*s, 0);
      state.record.cool_off_until = TimeAt(*s, 1);
      state.record.priority_floor_active = Int(*s, 2) != 0;
      state.record.last_total = Int(*s, 3);
      state.record.next_sequence = Int64(*s, 4);
    } else if (rc != SQLITE_DONE) {
      return fail("reading a subnet");
    }
  }
  {
    Result<sqlite3_stmt*> s = impl_->Prepare(
        "SELECT id, category, run_id, ips, created_at, expires_at FROM reservations WHERE subnet_id = ? "
        "ORDER BY created_at, id");
    if (!s.ok()) return fail("reading reservations");
    BindAll(*s, subnet_id);
    int rc = 0;
    while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
      Reservation r;
      r.id = Text(*s, 0);
      r.subnet_id = subnet_id;
      r.category = Text(*s, 1);
      r.run_id = Text(*s, 2);
      r.ips = Int(*s, 3);
      r.created_at = TimeAt(*s, 4);
      r.expires_at = TimeAt(*s, 5);
      state.reservations.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return fail("reading reservations");
  }
  {
    Result<sqlite3_stmt*> s = impl_->Prepare(
        "SELECT run_id, category, needed_ips, priority, sequence, first_seen, last_seen FROM waiters "
        "WHERE subnet_id = ? ORDER BY sequence");
    if (!s.ok()) return fail("reading waiters");
    BindAll(*s, subnet_id);
    int rc = 0;
    while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
      Waiter w;
      w.subnet_id = subnet_id;
      w.run_id = Text(*s, 0);
      w.category = Text(*s, 1);
      w.needed_ips = Int(*s, 2);
      w.priority = Int(*s, 3);
      w.sequence = Int64(*s, 4);
      w.first_seen = TimeAt(*s, 5);
      w.last_seen = TimeAt(*s, 6);
      state.waiters.push_back(std::move(w));
    }
    if (rc != SQLITE_DONE) return fail("reading waiters");
  }
  GG_RETURN_IF_ERROR(impl_->Exec("COMMIT"));
  return state;
}

Status SqliteStore::Commit(const SubnetCommit& commit) {
  std::lock_guard lock(mu_);
  const std::string& subnet_id = commit.record.subnet_id;
  GG_RETURN_IF_ERROR(impl_->Exec("BEGIN IMMEDIATE"));
  auto rollback = [&](Status s) {
    (void)impl_->Exec("ROLLBACK");
    return s;
  };
  auto step = [&](sqlite3_stmt* s, const char* what) -> Status {
    if (sqlite3_step(s) != SQLITE_DONE) return impl_->Error(what);
    return Status::Ok();
  };

  int64_t stored_version = 0;
  {
    Result<sqlite3_stmt*> s = impl_->Prepare("SELECT version FROM subnets WHERE subnet_id = ?");
    if (!s.ok()) return rollback(s.status());
    BindAll(*s, subnet_id);
    const int rc = sqlite3_step(*s);
    if (rc == SQLITE_ROW) {
      stored_version = Int64(*s, 0);
    } else if (rc != SQLITE_DONE) {
      return rollback(impl_->Error("reading a subnet's version"));
    }
  }
  if (stored_version != commit.expected_version) {
    return rollback(Status::FailedPrecondition(
        fmt::format("subnet {} changed since it was read (version {}, expected {})", subnet_id, stored_version,
                    commit.expected_version)));
  }

  Status status;
  {
    Result<sqlite3_stmt*> s = impl_->Prepare(
        "INSERT OR REPLACE INTO subnets (subnet_id, version, cool_off_until, priority_floor_active, last_total, "
        "next_sequence) VALUES (?, ?, ?, ?, ?, ?)");
    if (!s.ok()) return rollback(s.status());
    const SubnetRecord& r = commit.record;
    BindAll(*s, subnet_id, commit.expected_version + 1, r.cool_off_until, r.priority_floor_active ? 1 : 0,
            r.last_total, r.next_sequence);
    status = step(*s, "writing a subnet");
    if (!status.ok()) return rollback(status);
  }
  const SubnetChanges& c = commit.changes;
  for (const std::string& id : c.delete_reservations) {
    Result<sqlite3_stmt*> s = impl_->Prepare("DELETE FROM reservations WHERE id = ?");
    if (!s.ok()) return rollback(s.status());
    BindAll(*s, id);
    if (!(status = step(*s, "deleting a reservation")).ok()) return rollback(status);
  }
  for (const Reservation& r : c.put_reservations) {
    Result<sqlite3_stmt*> s = impl_->Prepare(
        "INSERT OR REPLACE INTO reservations (id, subnet_id, category, run_id, ips, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!s.ok()) return rollback(s.status());
    BindAll(*s, r.id, r.subnet_id, r.category, r.run_id, r.ips, r.created_at, r.expires_at);
    if (!(status = step(*s, "writing a reservation")).ok()) return rollback(status);
  }
  for (const std::string& run_id : c.delete_waiters) {
    Result<sqlite3_stmt*> s = impl_->Prepare("DELETE FROM waiters WHERE subnet_id = ? AND run_id = ?");
    if (!s.ok()) return rollback(s.status());
    BindAll(*s, subnet_id, run_id);
    if (!(status = step(*s, "deleting a waiter")).ok()) return rollback(status);
  }
  for (const Waiter& w : c.put_waiters) {
    Result<sqlite3_stmt*> s = impl_->Prepare(
        "INSERT OR REPLACE INTO waiters (subnet_id, run_id, category, needed_ips, priority, sequence, first_seen, "
        "last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s.ok()) return rollback(s.status());
    BindAll(*s, w.subnet_id, w.run_id, w.category, w.needed_ips, w.priority, w.sequence, w.first_seen, w.last_seen);
    if (!(status = step(*s, "writing a waiter")).ok()) return rollback(status);
  }
  for (const Decision& d : commit.decisions) {
    Result<sqlite3_stmt*> s = impl_->Prepare(
        "INSERT INTO decisions (subnet_id, decided_at, category, run_id, priority, workers, outcome, code, "
        "capacity, total, free, buffer, reserved, needed, reason, reservation_id, retry_after_ms, waited_ms, "
        "observed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!s.ok()) return rollback(s.status());
    BindAll(*s, d.subnet_id, d.decided_at, d.category, d.run_id, d.priority, d.workers,
            std::string(OutcomeName(d.outcome)), std::string(DecisionCodeName(d.code)), d.capacity, d.total, d.free,
            d.buffer, d.reserved, d.needed, d.reason, d.reservation_id, d.retry_after, d.waited, d.observed_at);
    if (!(status = step(*s, "writing a decision")).ok()) return rollback(status);
  }
  if (!(status = impl_->Exec("COMMIT")).ok()) return rollback(status);
  return Status::Ok();
}

Result<std::vector<Decision>> SqliteStore::DecisionsBetween(const std::string& subnet_id, Time from, Time to,
                                                            int limit) {
  std::lock_guard lock(mu_);
  Result<sqlite3_stmt*> s = impl_->Prepare(
      "SELECT subnet_id, decided_at, category, run_id, priority, workers, outcome, code, capacity, total, free, "
      "buffer, reserved, needed, reason, reservation_id, retry_after_ms, waited_ms, observed_at FROM decisions "
      "WHERE subnet_id = ? AND decided_at >= ? AND decided_at < ? ORDER BY decided_at DESC, id DESC LIMIT ?");
  if (!s.ok()) return s.status();
  BindAll(*s, subnet_id, from, to, limit);
  std::vector<Decision> out;
  int rc = 0;
  while ((rc = sqlite3_step(*s)) == SQLITE_ROW) {
    Decision d;
    d.subnet_id = Text(*s, 0);
    d.decided_at = TimeAt(*s, 1);
    d.category = Text(*s, 2);
    d.run_id = Text(*s, 3);
    d.priority = Int(*s, 4);
    d.workers = Int(*s, 5);
    const std::optional<Outcome> outcome = ParseOutcome(Text(*s, 6));
    const std::optional<DecisionCode> code = ParseDecisionCode(Text(*s, 7));
    if (!outcome || !code) {
      return Status::Internal(fmt::format("sqlite: decision of {} at {} has an unknown outcome '{}' or code '{}'",
                                          d.subnet_id, FormatTime(d.decided_at), Text(*s, 6), Text(*s, 7)));
    }
    d.outcome = *outcome;
    d.code = *code;
    d.capacity = Int(*s, 8);
    d.total = Int(*s, 9);
    d.free = Int(*s, 10);
    d.buffer = Int(*s, 11);
    d.reserved = Int(*s, 12);
    d.needed = Int(*s, 13);
    d.reason = Text(*s, 14);
    d.reservation_id = Text(*s, 15);
    d.retry_after = Duration(Int64(*s, 16));
    d.waited = Duration(Int64(*s, 17));
    d.observed_at = TimeAt(*s, 18);
    out.push_back(std::move(d));
  }
  if (rc != SQLITE_DONE) return impl_->Error("reading decisions");
  return out;
}

Result<int64_t> SqliteStore::ExpireBefore(Time cutoff) {
  std::lock_guard lock(mu_);
  int64_t removed = 0;
  for (const char* sql :
       {"DELETE FROM observations WHERE observed_at < ?", "DELETE FROM decisions WHERE decided_at < ?"}) {
    Result<sqlite3_stmt*> s = impl_->Prepare(sql);
    if (!s.ok()) return s.status();
    BindAll(*s, cutoff);
    if (sqlite3_step(*s) != SQLITE_DONE) return impl_->Error("expiring old rows");
    removed += sqlite3_changes(impl_->db.get());
  }
  return removed;
}

}  // namespace glueguard
