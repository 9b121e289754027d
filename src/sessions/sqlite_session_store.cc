// The SQLite SessionStore: tables of its own (session_events, session_known, session_inbox,
// session_dead_letters) in the same file as the observation store, over the one SQLite layer. The claim is
// one IMMEDIATE transaction, so two processes on one file cannot both claim an event.
#include <fmt/format.h>

#include "sessions/session_store.h"
#include "store/sqlite_db.h"

namespace glueguard {
namespace {

// Each entry moves the session tables from version i to i + 1. Never edit an entry; append a new one.
// Version 1 is what files created before versioned migrations hold, hence IF NOT EXISTS.
constexpr std::string_view kMigrations[] = {
    R"sql(
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
)sql",
};

constexpr std::string_view kLetterColumns = "id, event_id, source, body, error, attempts, parked_at, replays";

using sqlite::Query;
using sqlite::Tx;

DeadLetter ReadLetter(const Query& q) {
  DeadLetter d;
  d.id = q.Int(0);
  d.event_id = q.Text(1);
  d.source = q.Text(2);
  d.body = q.Text(3);
  d.error = q.Text(4);
  d.attempts = static_cast<int>(q.Int(5));
  d.parked_at = q.TimeAt(6);
  d.replays = static_cast<int>(q.Int(7));
  return d;
}

class SqliteSessionStore final : public SessionStore {
 public:
  explicit SqliteSessionStore(std::unique_ptr<sqlite::Db> db) : db_(std::move(db)) {}

  Result<ClaimResult> Claim(const std::string& event_id, Time now, Duration window,
                            Duration stale_after) override {
    if (event_id.empty()) return Status::InvalidArgument("an event id is required");
    ClaimResult result = ClaimResult::kClaimed;
    GG_RETURN_IF_ERROR(db_->Write("claiming an event", [&](Tx& tx) -> Status {
      {
        Query read = tx.Prepare("SELECT done, at FROM session_events WHERE event_id = ?");
        Result<bool> row = read.Bind(event_id).Next();
        if (!row.ok()) return row.status();
        if (*row) {
          const bool done = read.Int(0) != 0;
          const Time at = read.TimeAt(1);
          if (done && now - at < window) {
            result = ClaimResult::kDone;
            return Status::Ok();
          }
          if (!done && now - at < stale_after) {
            result = ClaimResult::kInProgress;
            return Status::Ok();
          }
        }
      }
      result = ClaimResult::kClaimed;
      return tx.Prepare("INSERT OR REPLACE INTO session_events (event_id, done, outcome, at) VALUES (?, 0, '', ?)")
          .BindAll(event_id, now)
          .Run();
    }));
    return result;
  }

  Status MarkDone(const std::string& event_id, const std::string& outcome, Time now) override {
    return Change("recording a handled event",
                  "INSERT OR REPLACE INTO session_events (event_id, done, outcome, at) VALUES (?, 1, ?, ?)",
                  event_id, outcome, now);
  }

  Status Release(const std::string& event_id) override {
    return Change("releasing a claim", "DELETE FROM session_events WHERE event_id = ?", event_id);
  }

  Result<int64_t> ReleaseUnfinishedClaims() override {
    int64_t released = 0;
    GG_RETURN_IF_ERROR(db_->Write("releasing unfinished claims", [&](Tx& tx) -> Status {
      GG_RETURN_IF_ERROR(tx.Prepare("DELETE FROM session_events WHERE done = 0").Run());
      released = tx.Changes();
      return Status::Ok();
    }));
    return released;
  }

  Status RememberSession(const std::string& session_id, Time now) override {
    return Change("remembering a session", "INSERT OR REPLACE INTO session_known (session_id, at) VALUES (?, ?)",
                  session_id, now);
  }

  Result<bool> SessionKnown(const std::string& session_id) override {
    bool known = false;
    GG_RETURN_IF_ERROR(db_->Read("reading known sessions", [&](Tx& tx) -> Status {
      Result<bool> row = tx.Prepare("SELECT 1 FROM session_known WHERE session_id = ?").Bind(session_id).Next();
      if (!row.ok()) return row.status();
      known = *row;
      return Status::Ok();
    }));
    return known;
  }

  Result<int64_t> Enqueue(const std::string& source, const std::string& body, Time now) override {
    return Insert("accepting an event", "INSERT INTO session_inbox (source, body, received_at) VALUES (?, ?, ?)",
                  source, body, now);
  }

  Result<std::vector<InboxItem>> Pending(int limit) override {
    std::vector<InboxItem> out;
    GG_RETURN_IF_ERROR(db_->Read("reading the inbox", [&](Tx& tx) -> Status {
      out.clear();
      Query q = tx.Prepare("SELECT id, source, body, received_at FROM session_inbox ORDER BY id LIMIT ?");
      return q.Bind(limit).ForEachRow([&](const Query& row) {
        InboxItem item;
        item.id = row.Int(0);
        item.source = row.Text(1);
        item.body = row.Text(2);
        item.received_at = row.TimeAt(3);
        out.push_back(std::move(item));
      });
    }));
    return out;
  }

  Status Dequeue(int64_t id) override {
    return Change("removing a handled event", "DELETE FROM session_inbox WHERE id = ?", id);
  }

  Result<int64_t> Park(const DeadLetter& letter) override {
    return Insert("parking an event",
                  "INSERT INTO session_dead_letters (event_id, source, body, error, attempts, parked_at, replays) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)",
                  letter.event_id, letter.source, letter.body, letter.error, letter.attempts, letter.parked_at,
                  letter.replays);
  }

  Result<std::vector<DeadLetter>> DeadLetters(int limit) override {
    std::vector<DeadLetter> out;
    const std::string sql = fmt::format("SELECT {} FROM session_dead_letters ORDER BY id LIMIT ?", kLetterColumns);
    GG_RETURN_IF_ERROR(db_->Read("reading dead letters", [&](Tx& tx) -> Status {
      out.clear();
      Query q = tx.Prepare(sql);
      return q.Bind(limit).ForEachRow([&](const Query& row) { out.push_back(ReadLetter(row)); });
    }));
    return out;
  }

  Result<std::optional<DeadLetter>> FindDeadLetter(int64_t id) override {
    std::optional<DeadLetter> out;
    const std::string sql = fmt::format("SELECT {} FROM session_dead_letters WHERE id = ?", kLetterColumns);
    GG_RETURN_IF_ERROR(db_->Read("reading a dead letter", [&](Tx& tx) -> Status {
      out.reset();
      Query q = tx.Prepare(sql);
      Result<bool> row = q.Bind(id).Next();
      if (!row.ok()) return row.status();
      if (*row) out = ReadLetter(q);
      return Status::Ok();
    }));
    return out;
  }

  Status RemoveDeadLetter(int64_t id) override {
    return ChangeOne("removing a dead letter", "DELETE FROM session_dead_letters WHERE id = ?", id);
  }

  Status UpdateDeadLetter(int64_t id, const std::string& error) override {
    return ChangeOne("updating a dead letter",
                     "UPDATE session_dead_letters SET error = ?, replays = replays + 1 WHERE id = ?", id, error);
  }

  Result<int64_t> DeadLetterCount() override {
    int64_t count = 0;
    GG_RETURN_IF_ERROR(db_->Read("counting dead letters", [&](Tx& tx) -> Status {
      Query q = tx.Prepare("SELECT COUNT(*) FROM session_dead_letters");
      Result<bool> row = q.Next();
      if (!row.ok()) return row.status();
      count = *row ? q.Int(0) : 0;
      return Status::Ok();
    }));
    return count;
  }

  Result<int64_t> ExpireBefore(Time cutoff) override {
    int64_t removed = 0;
    GG_RETURN_IF_ERROR(db_->Write("expiring", [&](Tx& tx) -> Status {
      removed = 0;
      for (const char* sql :
           {"DELETE FROM session_events WHERE at < ?", "DELETE FROM session_known WHERE at < ?"}) {
        GG_RETURN_IF_ERROR(tx.Prepare(sql).Bind(cutoff).Run());
        removed += tx.Changes();
      }
      return Status::Ok();
    }));
    return removed;
  }

 private:
  // One statement in its own write transaction.
  template <typename... Args>
  Status Change(std::string_view what, std::string_view sql, const Args&... args) {
    return db_->Write(what, [&](Tx& tx) { return tx.Prepare(sql).BindAll(args...).Run(); });
  }
  // The same, NotFound when no row changed; `id` names the dead letter and is bound last.
  template <typename... Args>
  Status ChangeOne(std::string_view what, std::string_view sql, int64_t id, const Args&... args) {
    return db_->Write(what, [&](Tx& tx) -> Status {
      GG_RETURN_IF_ERROR(tx.Prepare(sql).BindAll(args..., id).Run());
      if (tx.Changes() == 0) return Status::NotFound(fmt::format("no dead letter {}", id));
      return Status::Ok();
    });
  }
  // An INSERT in its own write transaction; the new row's id.
  template <typename... Args>
  Result<int64_t> Insert(std::string_view what, std::string_view sql, const Args&... args) {
    int64_t id = 0;
    GG_RETURN_IF_ERROR(db_->Write(what, [&](Tx& tx) -> Status {
      GG_RETURN_IF_ERROR(tx.Prepare(sql).BindAll(args...).Run());
      id = tx.LastInsertRowid();
      return Status::Ok();
    }));
    return id;
  }

  std::unique_ptr<sqlite::Db> db_;  // thread-safe
};

}  // namespace

Result<std::unique_ptr<SessionStore>> OpenSqliteSessionStore(const std::string& path) {
  sqlite::Schema schema;
  schema.component = "sessions";
  schema.migrations.assign(std::begin(kMigrations), std::end(kMigrations));
  Result<std::unique_ptr<sqlite::Db>> db = sqlite::Db::Open(path, schema);
  if (!db.ok()) return db.status();
  return std::unique_ptr<SessionStore>(new SqliteSessionStore(std::move(*db)));
}

}  // namespace glueguard
