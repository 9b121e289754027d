// The SQLite SessionStore: tables of its own (session_events, session_known, session_dead_letters) in the
// same file as the observation store, created if missing. One connection, serialised by a mutex; the claim
// runs in an IMMEDIATE transaction so two processes on one file cannot both claim an event.
#include <fmt/format.h>

#include <mutex>

#include "sessions/session_store.h"
#include "store/sqlite_table.h"

namespace glueguard {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS session_events (
  event_id TEXT PRIMARY KEY,
  done     INTEGER NOT NULL,  -- 0 claimed and in progress, 1 handled
  outcome  TEXT    NOT NULL,
  at       INTEGER NOT NULL   -- Unix milliseconds of the claim or of the end
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS session_known (
  session_id TEXT PRIMARY KEY,
  at         INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS session_inbox (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  source      TEXT    NOT NULL,
  body        TEXT    NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS session_dead_letters (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id  TEXT    NOT NULL,
  source    TEXT    NOT NULL,
  body      TEXT    NOT NULL,
  error     TEXT    NOT NULL,
  attempts  INTEGER NOT NULL,
  parked_at INTEGER NOT NULL,
  replays   INTEGER NOT NULL
);
)sql";

constexpr std::string_view kOwner = "session store";

using sqlite::Stmt;

class SqliteSessionStore final : public SessionStore {
 public:
  explicit SqliteSessionStore(sqlite::DbPtr db) : db_(std::move(db)) {}

  Result<ClaimResult> Claim(const std::string& event_id, Time now, Duration window,
                            Duration stale_after) override {
    if (event_id.empty()) return Status::InvalidArgument("an event id is required");
    std::lock_guard lock(mu_);
    GG_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
    Result<ClaimResult> result = ClaimLocked(event_id, now, window, stale_after);
    GG_RETURN_IF_ERROR(Exec(result.ok() ? "COMMIT" : "ROLLBACK"));
    return result;
  }

  Status MarkDone(const std::string& event_id, const std::string& outcome, Time now) override {
    std::lock_guard lock(mu_);
    Stmt s(db_.get(), kOwner,
           "INSERT OR REPLACE INTO session_events (event_id, done, outcome, at) VALUES (?, 1, ?, ?)");
    if (!s.ok()) return s.Error("preparing");
    if (s.Bind(event_id).Bind(outcome).Bind(ToUnixMillis(now)).Step() != SQLITE_DONE) {
      return s.Error("recording a handled event");
    }
    return Status::Ok();
  }

  Status Release(const std::string& event_id) override {
    std::lock_guard lock(mu_);
    Stmt s(db_.get(), kOwner, "DELETE FROM session_events WHERE event_id = ?");
    if (!s.ok()) return s.Error("preparing");
    if (s.Bind(event_id).Step() != SQLITE_DONE) return s.Error("releasing a claim");
    return Status::Ok();
  }

  Status RememberSession(const std::string& session_id, Time now) override {
    std::lock_guard lock(mu_);
    Stmt s(db_.get(), kOwner, "INSERT OR REPLACE INTO session_known (session_id, at) VALUES (?, ?)");
    if (!s.ok()) return s.Error("preparing");
    if (s.Bind(session_id).Bind(ToUnixMillis(now)).Step() != SQLITE_DONE)
      return s.Error("remembering a session");
    return Status::Ok();
  }

  Result<bool> SessionKnown(const std::string& session_id) override {
    std::lock_guard lock(mu_);
    Stmt s(db_.get(), kOwner, "SELECT 1 FROM session_known WHERE session_id = ?");
    if (!s.ok()) return s.Error("preparing");
    const int rc = s.Bind(session_id).Step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return s.Error("reading known sessions");
    return rc == SQLITE_ROW;
  }

  Result<int64_t> Enqueue(const std::string& source, const std::string& body, Time now) override {
    std::lock_guard lock(mu_);
    Stmt s(db_.get(), kOwner, "INSERT INTO session_inbox (source, body, received_at) VALUES (?, ?, ?)");
    if (!s.ok()) return s.Error("preparing");
    if (s.Bind(source).Bind(body).Bind(ToUnixMillis(now)).Step() != SQLITE_DONE)
      return s.Error("accepting an event");
    return static_cast<int64_t>(sqlite3_last_insert_rowid(db_.get()));
  }

  Result<std::vector<InboxItem>> Pending(int limit) override {
    std::lock_guard lock(mu_);
    Stmt s(db_.get(), kOwner, "SELECT id, source, body, received_at FROM session_inbox ORDER BY id LIMIT ?");
    if (!s.ok()) return s.Error("preparing");
    s.Bind(int64_t{limit});
    std::vector<InboxItem> out;
    int rc = 0;
    while ((rc = s.Step()) == SQLITE_ROW) {
      InboxItem item;
      item.id = s.Int(0);
      item.source = s.Text(1);
      item.body = s.Text(2);
      item.received_at = FromUnixMillis(s.Int(3));
      out.push_back(std::move(item));
    }
    if (rc != SQLITE_DONE) return s.Error("reading the inbox");
    return out;
  }

  Status Dequeue(int64_t id) override {
    std::lock_guard lock(mu_);
    Stmt s(db_.get(), kOwner, "DELETE FROM session_inbox WHERE id = ?");
    if (!s.ok()) return s.Error("preparing");
    if (s.Bind(id).Step() != SQLITE_DONE) return s.Error("removing a handled event");
    return Status::Ok();
  }

  Result<int64_t> Park(const DeadLetter& letter) override {
    std::lock_guard lock(mu_);
    Stmt s(db_.get(), kOwner,
           "INSERT INTO session_dead_letters (event_id, source, body, error, attempts, parked_at, replays) "
           "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!s.ok()) return s.Error("preparing");
    s.Bind(letter.event_id).Bind(letter.source).Bind(letter.body).Bind(letter.error);
    s.Bind(int64_t{letter.attempts}).Bind(ToUnixMillis(letter.parked_at)).Bind(int64_t{letter.replays});
    if (s.Step() != SQLITE_DONE) return s.Error("parking an event");
    return static_cast<int64_t>(sqlite3_last_insert_rowid(db_.get()));
  }

  Result<std::vector<DeadLetter>> DeadLetters(int limit) override {
    std::lock_guard lock(mu_);
    Stmt s(db_.get(), kOwner,
           "SELECT id, event_id, source, body, error, attempts, parked_at, replays "
           "FROM session_dead_letters ORDER BY id LIMIT ?");
    if (!s.ok()) return s.Error("preparing");
    s.Bind(int64_t{limit});
    std::vector<DeadLetter> out;
    int rc = 0;
    while ((rc = s.Step()) == SQLITE_ROW) out.push_back(Read(s));
    if (rc != SQLITE_DONE) return s.Error("reading dead letters");
    return out;
  }

  Result<std::optional<DeadLetter>> FindDeadLetter(int64_t id) override {
    std::lock_guard lock(mu_);
    Stmt s(db_.get(), kOwner,
           "SELECT id, event_id, source, body, error, attempts, parked_at, replays "
           "FROM session_dead_letters WHERE id = ?");
    if (!s.ok()) return s.Error("preparing");
    const int rc = s.Bind(id).Step();
    if (rc == SQLITE_DONE) return std::optional<DeadLetter>();
    if (rc != SQLITE_ROW) return s.Error("reading a dead letter");
    return std::optional<DeadLetter>(Read(s));
  }

  Status RemoveDeadLetter(int64_t id) override {
    std::lock_guard lock(mu_);
    Stmt s(db_.get(), kOwner, "DELETE FROM session_dead_letters WHERE id = ?");
    if (!s.ok()) return s.Error("preparing");
    if (s.Bind(id).Step() != SQLITE_DONE) return s.Error("removing a dead letter");
    if (sqlite3_changes(db_.get()) == 0) return Status::NotFound(fmt::format("no dead letter {}", id));
    return Status::Ok();
  }

  Status UpdateDeadLetter(int64_t id, const std::string& error) override {
    std::lock_guard lock(mu_);
    Stmt s(db_.get(), kOwner,
           "UPDATE session_dead_letters SET error = ?, replays = replays + 1 WHERE id = ?");
    if (!s.ok()) return s.Error("preparing");
    if (s.Bind(error).Bind(id).Step() != SQLITE_DONE) return s.Error("updating a dead letter");
    if (sqlite3_changes(db_.get()) == 0) return Status::NotFound(fmt::format("no dead letter {}", id));
    return Status::Ok();
  }

  Result<int64_t> DeadLetterCount() override {
    std::lock_guard lock(mu_);
    Stmt s(db_.get(), kOwner, "SELECT COUNT(*) FROM session_dead_letters");
    if (!s.ok()) return s.Error("preparing");
    if (s.Step() != SQLITE_ROW) return s.Error("counting dead letters");
    return s.Int(0);
  }

  Result<int64_t> ExpireBefore(Time cutoff) override {
    std::lock_guard lock(mu_);
    int64_t removed = 0;
    for (const char* sql :
         {"DELETE FROM session_events WHERE at < ?", "DELETE FROM session_known WHERE at < ?"}) {
      Stmt s(db_.get(), kOwner, sql);
      if (!s.ok()) return s.Error("preparing");
      if (s.Bind(ToUnixMillis(cutoff)).Step() != SQLITE_DONE) return s.Error("expiring");
      removed += sqlite3_changes(db_.get());
    }
    return removed;
  }

 private:
  Result<ClaimResult> ClaimLocked(const std::string& event_id, Time now, Duration window,
                                  Duration stale_after) {
    Stmt read(db_.get(), kOwner, "SELECT done, at FROM session_events WHERE event_id = ?");
    if (!read.ok()) return read.Error("preparing");
    const int rc = read.Bind(event_id).Step();
    if (rc == SQLITE_ROW) {
      const bool done = read.Int(0) != 0;
      const Time at = FromUnixMillis(read.Int(1));
      if (done && now - at < window) return ClaimResult::kDone;
      if (!done && now - at < stale_after) return ClaimResult::kInProgress;
    } else if (rc != SQLITE_DONE) {
      return read.Error("reading a claim");
    }
    Stmt write(db_.get(), kOwner,
               "INSERT OR REPLACE INTO session_events (event_id, done, outcome, at) VALUES (?, 0, '', ?)");
    if (!write.ok()) return write.Error("preparing");
    if (write.Bind(event_id).Bind(ToUnixMillis(now)).Step() != SQLITE_DONE) return write.Error("claiming");
    return ClaimResult::kClaimed;
  }

  static DeadLetter Read(const Stmt& s) {
    DeadLetter d;
    d.id = s.Int(0);
    d.event_id = s.Text(1);
    d.source = s.Text(2);
    d.body = s.Text(3);
    d.error = s.Text(4);
    d.attempts = static_cast<int>(s.Int(5));
    d.parked_at = FromUnixMillis(s.Int(6));
    d.replays = static_cast<int>(s.Int(7));
    return d;
  }

  Status Exec(const char* sql) { return sqlite::Exec(db_.get(), sql, kOwner); }

  std::mutex mu_;
  sqlite::DbPtr db_;  // GUARDED_BY(mu_)
};

}  // namespace

Result<std::unique_ptr<SessionStore>> OpenSqliteSessionStore(const std::string& path) {
  Result<sqlite::DbPtr> db = sqlite::OpenWithSchema(path, kSchema, kOwner);
  if (!db.ok()) return db.status();
  return std::unique_ptr<SessionStore>(new SqliteSessionStore(std::move(*db)));
}

}  // namespace glueguard
