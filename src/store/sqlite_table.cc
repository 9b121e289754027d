#include "store/sqlite_table.h"

#include <fmt/format.h>

namespace glueguard::sqlite {

Stmt::Stmt(sqlite3* db, std::string_view owner, const std::string& sql) : db_(db), owner_(owner) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) == SQLITE_OK) stmt_.reset(raw);
}

Stmt& Stmt::Bind(const std::string& v) {
  sqlite3_bind_text(stmt_.get(), ++index_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::Bind(int64_t v) {
  sqlite3_bind_int64(stmt_.get(), ++index_, v);
  return *this;
}

std::string Stmt::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), col));
  return p == nullptr ? std::string()
                      : std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), col)));
}

Status Stmt::Error(std::string_view what) const {
  return Status::Unavailable(fmt::format("{}: {}: {}", owner_, what, sqlite3_errmsg(db_)));
}

Status Exec(sqlite3* db, const std::string& sql, std::string_view owner) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    Status s = Status::Unavailable(fmt::format("{}: {}", owner, message != nullptr ? message : "error"));
    sqlite3_free(message);
    return s;
  }
  return Status::Ok();
}

Result<DbPtr> OpenWithSchema(const std::string& path, const std::string& schema, std::string_view owner) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    return Status::Unavailable(fmt::format("cannot open SQLite database '{}': {}", path,
                                           raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"));
  }
  sqlite3_busy_timeout(raw, 5000);
  Status s = Exec(raw, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + schema, owner);
  if (!s.ok()) return s.WithContext(fmt::format("creating tables in '{}'", path));
  return db;
}

}  // namespace glueguard::sqlite
