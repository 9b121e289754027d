#include "store/sqlite_db.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <thread>
#include <utility>

namespace glueguard::sqlite {

namespace {

bool IsBusy(int rc) { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

// The first words of a statement, to name it in an error.
std::string Excerpt(std::string_view sql) {
  constexpr size_t kMax = 48;
  std::string out(sql.substr(0, kMax));
  for (char& c : out) {
    if (c == '\n') c = ' ';
  }
  return sql.size() > kMax ? out + "..." : out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// Db

Db::Db(sqlite3* db, std::string path, std::string owner, DbOptions options)
    : db_(db), path_(std::move(path)), owner_(std::move(owner)), options_(options) {}

Db::~Db() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, const Schema& schema, DbOptions options) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<Db> db(new Db(raw, path, schema.component, options));
  if (rc != SQLITE_OK) {
    return Status::Unavailable(fmt::format("cannot open SQLite database '{}': {}", path,
                                           raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  // journal_mode=WAL needs a moment of exclusive access on a new file; it is retried like any busy write.
  Status s;
  {
    MutexLock lock(db->mu_);
    for (int attempt = 0; attempt <= options.busy_attempts; ++attempt) {
      s = db->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "opening");
      if (s.ok() || s.code() != StatusCode::kUnavailable) break;
    }
  }
  if (!s.ok()) return s.WithContext(fmt::format("opening '{}'", path));
  GG_RETURN_IF_ERROR(db->Migrate(schema).WithContext(fmt::format("migrating '{}'", path)));
  return db;
}

Status Db::Exec(const char* sql, std::string_view what) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status::Ok();
  sqlite3_free(message);
  return Failed(rc, what);
}

Status Db::Control(const char* sql, std::string_view what) {
  // Prepared once and kept, like every other statement: these run twice per call.
  Query q = Prepare(sql);
  Result<bool> done = q.Next();
  return done.ok() ? Status::Ok() : done.status().WithContext(std::string(what));
}

Query Db::Prepare(std::string_view sql) {
  for (auto& [text, stmt] : statements_) {
    if (text == sql) return Query(*this, stmt, SQLITE_OK, text);
  }
  sqlite3_stmt* raw = nullptr;
  const int rc =
      sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) return Query(*this, nullptr, rc, std::string(sql));
  statements_.emplace_back(std::string(sql), raw);
  return Query(*this, raw, SQLITE_OK, std::string(sql));
}

Status Db::Failed(int rc, std::string_view what) {
  last_error_rc_ = sqlite3_extended_errcode(db_);
  return Error(rc, what);
}

Status Db::Error(int rc, std::string_view what) const {
  const std::string message = fmt::format("sqlite: {}: {}: {}", owner_, what, sqlite3_errmsg(db_));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_READONLY:
      return Status::Unavailable(message);
    case SQLITE_CONSTRAINT:
      return Status::FailedPrecondition(message);
    default:
      return Status::Internal(message);
  }
}

Status Db::Migrate(const Schema& schema) {
  const int newest = static_cast<int>(schema.migrations.size());
  return Write("migrating the schema", [&](Tx& tx) -> Status {
    GG_RETURN_IF_ERROR(tx.Exec(
        "CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)",
        "creating schema_versions"));
    int version = 0;
    bool recorded = false;
    {
      Query q = tx.Prepare("SELECT version FROM schema_versions WHERE component = ?");
      Result<bool> row = q.Bind(schema.component).Next();
      if (!row.ok()) return row.status();
      if (*row) {
        version = static_cast<int>(q.Int(0));
        recorded = true;
      }
    }
    if (!recorded && schema.adopt_user_version) {
      Query q = tx.Prepare("PRAGMA user_version");
      Result<bool> row = q.Next();
      if (!row.ok()) return row.status();
      if (*row) version = static_cast<int>(q.Int(0));
    }
    if (version > newest) {
      return Status::FailedPrecondition(fmt::format(
          "the {} tables have schema version {}, newer than this glueguard understands ({}); upgrade glueguard",
          schema.component, version, newest));
    }
    for (int v = version; v < newest; ++v) {
      const std::string sql(schema.migrations[static_cast<size_t>(v)]);
      GG_RETURN_IF_ERROR(tx.Exec(sql.c_str(), fmt::format("{} schema version {}", schema.component, v + 1)));
    }
    if (recorded && version == newest) return Status::Ok();
    return tx.Prepare("INSERT OR REPLACE INTO schema_versions (component, version) VALUES (?, ?)")
        .BindAll(schema.component, newest)
        .Run();
  });
}

Status Db::Write(std::string_view what, const std::function<Status(Tx&)>& body) {
  return Run(what, /*write=*/true, body);
}

Status Db::Read(std::string_view what, const std::function<Status(Tx&)>& body) {
  return Run(what, /*write=*/false, body);
}

Status Db::Run(std::string_view what, bool write, const std::function<Status(Tx&)>& body) {
  MutexLock lock(mu_);
  Status last;
  for (int attempt = 0; attempt <= options_.busy_attempts; ++attempt) {
    if (attempt > 0) std::this_thread::yield();
    // BEGIN IMMEDIATE takes the write lock now, waiting up to the busy timeout; a deferred BEGIN would take
    // it at the first write and could then fail at once with BUSY_SNAPSHOT.
    last_error_rc_ = SQLITE_OK;
    last = Control(write ? "BEGIN IMMEDIATE" : "BEGIN", what);
    if (!last.ok()) {
      if (IsBusy(last_error_rc_)) continue;
      return last;
    }
    Tx tx(*this);
    last = body(tx);
    if (last.ok()) {
      last = Control("COMMIT", what);
      if (last.ok()) return last;
    }
    // Busy only when the failure came from SQLite saying so, not from the body's own verdict.
    const bool busy = last.code() == StatusCode::kUnavailable && IsBusy(last_error_rc_);
    if (!sqlite3_get_autocommit(db_)) (void)Control("ROLLBACK", "rolling back");
    if (!busy) return last;
  }
  return last.WithContext(fmt::format("still busy after {} attempts", options_.busy_attempts + 1));
}

bool Db::Idle() {
  MutexLock lock(mu_);
  if (!sqlite3_get_autocommit(db_)) return false;
  for (sqlite3_stmt* s = sqlite3_next_stmt(db_, nullptr); s != nullptr; s = sqlite3_next_stmt(db_, s)) {
    if (sqlite3_stmt_busy(s)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Tx

// A Tx exists only inside Db::Run, which holds db_.mu_ while the body runs; the analysis cannot see that
// through the body's std::function, hence the exemptions here and in Query::Next.
Query Tx::Prepare(std::string_view sql) GG_NO_THREAD_SAFETY_ANALYSIS { return db_.Prepare(sql); }

Status Tx::Exec(const char* sql, std::string_view what) GG_NO_THREAD_SAFETY_ANALYSIS {
  return db_.Exec(sql, what);
}

int64_t Tx::Changes() const { return sqlite3_changes64(db_.db_); }
int64_t Tx::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_.db_); }

// ---------------------------------------------------------------------------------------------------------
// Query

Query::Query(Db& db, sqlite3_stmt* stmt, int prepare_rc, std::string sql)
    : db_(&db), stmt_(stmt), prepare_rc_(prepare_rc), sql_(std::move(sql)) {}

Query::Query(Query&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      prepare_rc_(other.prepare_rc_),
      sql_(std::move(other.sql_)),
      index_(other.index_) {}

Query::~Query() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Query& Query::Bind(std::string_view v) {
  if (stmt_ != nullptr) sqlite3_bind_text(stmt_, ++index_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Query& Query::Bind(int64_t v) {
  if (stmt_ != nullptr) sqlite3_bind_int64(stmt_, ++index_, v);
  return *this;
}

// Runs inside a Tx (or Db::Control), with db_->mu_ held: see Tx::Prepare.
Result<bool> Query::Next() GG_NO_THREAD_SAFETY_ANALYSIS {
  if (stmt_ == nullptr) return db_->Error(prepare_rc_, "preparing " + Excerpt(sql_));
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_->Failed(rc, Excerpt(sql_));
}

Status Query::Run() {
  Result<bool> row = Next();
  if (!row.ok()) return row.status();
  return Status::Ok();
}

int64_t Query::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Query::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p == nullptr ? std::string() : std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

}  // namespace glueguard::sqlite
