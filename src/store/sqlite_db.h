// sqlite::Db: the one SQLite layer every table in the store file goes through (observations, admission state
// and decisions, the session ledger, inbox and dead letters, the ENI ledger).
//
// Rules it enforces, so no component can get them wrong:
// - every statement is reset when the Query that ran it goes out of scope, on every path, so no read
//   transaction stays open between calls (an open one pins a WAL snapshot, and a connection holding a stale
//   snapshot can never write again: SQLite answers SQLITE_BUSY_SNAPSHOT at once, without waiting);
// - writes run in BEGIN IMMEDIATE, which waits up to the busy timeout for other connections and processes;
//   a transaction that still meets SQLITE_BUSY (or BUSY_SNAPSHOT) is rolled back and run again, a bounded
//   number of times;
// - multi-statement reads run in one read transaction, ended before the call returns;
// - each component's tables are created and upgraded by numbered migrations recorded in `schema_versions`;
// - SQLite errors map to Status in one place: busy, locked, I/O, full and cannot-open are Unavailable
//   ("try again"), a constraint violation is FailedPrecondition, anything else Internal.
//
// No SQLite header is included here: callers see Status, Query and plain values only.
// Thread-safety: a Db is one connection; Read and Write serialise on its mutex, so it may be shared by threads.
// A Tx, and the Queries it prepares, exist only inside a Read or Write body, with that mutex held.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "base/time.h"

struct sqlite3;
struct sqlite3_stmt;

namespace glueguard::sqlite {

// The tables of one component and how they evolved: migrations[i] moves the component from version i to
// i + 1. Never edit an entry that has shipped; append a new one.
struct Schema {
  std::string component;                    // "admission", "sessions", "doctor": a row in schema_versions
  std::vector<std::string_view> migrations;
  // Files written before schema_versions existed kept the admission schema's version in PRAGMA user_version;
  // when set and the component has no row yet, that version is adopted.
  bool adopt_user_version = false;
};

struct DbOptions {
  int busy_timeout_ms = 5000;  // how long BEGIN IMMEDIATE waits for another writer before giving up
  int busy_attempts = 3;       // a transaction that still meets SQLITE_BUSY is run again this many times
};

class Query;

// What a Read or Write body uses to run statements. Valid only inside the body.
class Tx {
 public:
  // A prepared statement (cached on the connection), reset and with no bindings; reset again when the
  // returned Query is destroyed. Two Queries of the same SQL text must not be alive at once.
  Query Prepare(std::string_view sql);
  int64_t Changes() const;          // rows changed by the last INSERT, UPDATE or DELETE
  int64_t LastInsertRowid() const;  // the rowid of the last INSERT

 private:
  friend class Db;
  explicit Tx(class Db& db) : db_(db) {}
  // Db::Exec inside the transaction (a statement list, as a migration is).
  Status Exec(const char* sql, std::string_view what);
  class Db& db_;
};

class Db {
 public:
  // Opens (creating if needed) the database at `path` in WAL mode and migrates `schema` to its newest
  // version under an exclusive lock. ":memory:" gives a private database. Errors: Unavailable naming the file
  // when it cannot be opened; FailedPrecondition when the file's version of the component is newer than
  // this binary knows.
  static Result<std::unique_ptr<Db>> Open(const std::string& path, const Schema& schema, DbOptions options = {});
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs `body` in one write transaction and commits it, or rolls it back when `body` (or the commit) fails.
  // The body may run more than once (see the busy rules above): it must not have effects outside `tx`
  // other than filling outputs it resets first. `what` names the operation in errors.
  Status Write(std::string_view what, const std::function<Status(Tx&)>& body) GG_EXCLUDES(mu_);
  // Runs `body` in one read transaction: every statement in it sees the same commit.
  Status Read(std::string_view what, const std::function<Status(Tx&)>& body) GG_EXCLUDES(mu_);

  // True when no transaction is open and no statement is mid-way: what every call must leave behind.
  bool Idle() GG_EXCLUDES(mu_);
  const std::string& path() const { return path_; }

 private:
  friend class Tx;
  friend class Query;
  Db(sqlite3* db, std::string path, std::string owner, DbOptions options);
  Status Run(std::string_view what, bool write, const std::function<Status(Tx&)>& body) GG_EXCLUDES(mu_);
  Status Exec(const char* sql, std::string_view what) GG_REQUIRES(mu_);
  // BEGIN, COMMIT, ROLLBACK: a cached statement run to its end; sets last_error_rc_ on failure.
  Status Control(const char* sql, std::string_view what) GG_REQUIRES(mu_);
  Status Migrate(const Schema& schema) GG_EXCLUDES(mu_);
  // The statement for `sql` from the cache, prepared and cached on first use.
  Query Prepare(std::string_view sql) GG_REQUIRES(mu_);
  // A call failed with `rc`: records the connection's extended code in last_error_rc_ and returns Error().
  Status Failed(int rc, std::string_view what) GG_REQUIRES(mu_);
  // The Status for the connection's last error: see the mapping above.
  Status Error(int rc, std::string_view what) const;

  Mutex mu_;             // one connection: Read and Write are serialised
  sqlite3* db_;          // owned; closed by the destructor after every cached statement is finalised
  std::string path_;
  std::string owner_;    // the component, for error messages
  DbOptions options_;
  std::vector<std::pair<std::string, sqlite3_stmt*>> statements_ GG_GUARDED_BY(mu_);  // the prepared cache
  int last_error_rc_ GG_GUARDED_BY(mu_) = 0;  // the extended code of the last failed call in this transaction
};

// One run of a prepared statement: bind in order, step, read columns. Resets the statement when destroyed.
class Query {
 public:
  Query(Query&& other) noexcept;
  Query& operator=(Query&&) = delete;
  ~Query();

  Query& Bind(std::string_view v);
  Query& Bind(const std::string& v) { return Bind(std::string_view(v)); }
  Query& Bind(const char* v) { return Bind(std::string_view(v)); }
  Query& Bind(int64_t v);
  Query& Bind(int v) { return Bind(static_cast<int64_t>(v)); }
  Query& Bind(bool v) { return Bind(static_cast<int64_t>(v ? 1 : 0)); }
  Query& Bind(Time v) { return Bind(ToUnixMillis(v)); }
  Query& Bind(Duration v) { return Bind(static_cast<int64_t>(v.count())); }
  template <typename... Args>
  Query& BindAll(const Args&... args) {
    (Bind(args), ...);
    return *this;
  }

  // Advances to the next row: true when there is one, false when the statement is done; the error otherwise
  // (also when the statement could not be prepared).
  Result<bool> Next();
  // Runs a statement that returns no rows to its end.
  Status Run();
  // Calls on_row(*this) for every row, to the end; the first error otherwise.
  template <typename OnRow>
  Status ForEachRow(OnRow on_row) {
    while (true) {
      Result<bool> row = Next();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      on_row(*this);
    }
  }

  int64_t Int(int col) const;
  std::string Text(int col) const;
  Time TimeAt(int col) const { return FromUnixMillis(Int(col)); }

 private:
  friend class Db;
  Query(Db& db, sqlite3_stmt* stmt, int prepare_rc, std::string sql);

  Db* db_;
  sqlite3_stmt* stmt_;  // borrowed from the Db's cache; nullptr when preparing failed
  int prepare_rc_;
  std::string sql_;
  int index_ = 0;
};

}  // namespace glueguard::sqlite
