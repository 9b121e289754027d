// Small RAII helpers for the SQLite tables other components keep in the observation store's file (the session
// store, the doctor's ENI ledger): open the file with its own tables, prepared statements bound in order, and
// errors that name the component. Only .cc files include this header (it brings sqlite3.h).
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace glueguard::sqlite {

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbClose>;

// A prepared statement: bind in order, step, read columns. `owner` names the component in errors.
class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view owner, const std::string& sql);
  bool ok() const { return stmt_ != nullptr; }
  Stmt& Bind(const std::string& v);
  Stmt& Bind(int64_t v);
  int Step() { return sqlite3_step(stmt_.get()); }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
  std::string Text(int col) const;
  // Unavailable: "<owner>: <what>: <SQLite's message>".
  Status Error(std::string_view what) const;

 private:
  sqlite3* db_;
  std::string owner_;
  std::unique_ptr<sqlite3_stmt, StmtFinalize> stmt_;
  int index_ = 0;
};

// Runs `sql` (one or more statements). Unavailable naming `owner` on failure.
Status Exec(sqlite3* db, const std::string& sql, std::string_view owner);

// Opens (creating if needed) the database at `path` in WAL mode and runs `schema` (CREATE ... IF NOT EXISTS).
// Unavailable naming the file when it cannot be opened or the schema cannot be created.
Result<DbPtr> OpenWithSchema(const std::string& path, const std::string& schema, std::string_view owner);

}  // namespace glueguard::sqlite
