#include "store/sqlite_store.h"

#include <fmt/format.h>

#include <iterator>
#include <map>

namespace glueguard {

namespace {

// Each entry moves the schema from version i to i + 1. Never edit an entry; append a new one.
const std::string_view kMigrations[] = {
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
    R"sql(
ALTER TABLE observations ADD COLUMN observer TEXT NOT NULL DEFAULT '';
)sql",
    R"sql(
CREATE TABLE eni_changes (
  subnet_id TEXT    NOT NULL,
  at        INTEGER NOT NULL,  -- Unix milliseconds of the observation that saw the changes
  changes   TEXT    NOT NULL,  -- one line per change (EncodeEniChanges)
  PRIMARY KEY (subnet_id, at)
) WITHOUT ROWID;
CREATE INDEX eni_changes_by_time ON eni_changes (at);
)sql",
    R"sql(
ALTER TABLE subnets ADD COLUMN poll_token INTEGER NOT NULL DEFAULT 0;
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

using sqlite::Query;
using sqlite::Tx;

constexpr std::string_view kObservationColumns =
    "subnet_id, observed_at, total_enis, in_use, available, other, run_id, reason, observer";

int Int(const Query& q, int col) { return static_cast<int>(q.Int(col)); }

Observation ReadObservation(const Query& q) {
  Observation o;
  o.subnet_id = q.Text(0);
  o.observed_at = q.TimeAt(1);
  o.total_enis = Int(q, 2);
  o.in_use = Int(q, 3);
  o.available = Int(q, 4);
  o.other = Int(q, 5);
  o.run_id = q.Text(6);
  o.reason = q.Text(7);
  o.observer = q.Text(8);
  return o;
}

// Runs `q` to its end, appending each row as read by `read`.
template <typename T, typename Read>
Status ReadAll(Query& q, std::vector<T>& out, Read read) {
  return q.ForEachRow([&](const Query& row) { out.push_back(read(row)); });
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<sqlite::Db> db) : db_(std::move(db)) {}
SqliteStore::~SqliteStore() = default;

int SqliteStore::SchemaVersion() { return kSchemaVersion; }

sqlite::Schema SqliteStore::Schema() {
  sqlite::Schema schema;
  schema.component = "admission";
  schema.migrations.assign(std::begin(kMigrations), std::end(kMigrations));
  schema.adopt_user_version = true;  // files from before schema_versions kept the version there
  return schema;
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  Result<std::unique_ptr<sqlite::Db>> db = sqlite::Db::Open(path, Schema());
  if (!db.ok()) return db.status();
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(*db)));
}

Status SqliteStore::AppendObservation(const Observation& o) {
  GG_RETURN_IF_ERROR(ValidateObservation(o));
  return db_->Write("appending an observation", [&](Tx& tx) {
    return tx
        .Prepare(
            "INSERT OR REPLACE INTO observations (subnet_id, observed_at, total_enis, in_use, available, other, "
            "run_id, reason, observer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .BindAll(o.subnet_id, o.observed_at, o.total_enis, o.in_use, o.available, o.other, o.run_id, o.reason,
                 o.observer)
        .Run();
  });
}

Result<std::vector<Observation>> SqliteStore::LatestObservations(const std::string& subnet_id, int limit) {
  std::vector<Observation> out;
  const std::string sql = fmt::format(
      "SELECT {} FROM observations WHERE subnet_id = ? ORDER BY observed_at DESC LIMIT ?", kObservationColumns);
  GG_RETURN_IF_ERROR(db_->Read("reading observations", [&](Tx& tx) {
    out.clear();
    Query q = tx.Prepare(sql);
    q.BindAll(subnet_id, limit);
    return ReadAll(q, out, ReadObservation);
  }));
  return out;
}

Result<std::vector<Observation>> SqliteStore::ObservationsBetween(const std::string& subnet_id, Time from,
                                                                  Time to) {
  std::vector<Observation> out;
  const std::string sql =
      fmt::format("SELECT {} FROM observations WHERE subnet_id = ? AND observed_at >= ? AND observed_at < ? "
                  "ORDER BY observed_at",
                  kObservationColumns);
  GG_RETURN_IF_ERROR(db_->Read("reading observations", [&](Tx& tx) {
    out.clear();
    Query q = tx.Prepare(sql);
    q.BindAll(subnet_id, from, to);
    return ReadAll(q, out, ReadObservation);
  }));
  return out;
}

Result<SubnetState> SqliteStore::LoadSubnet(const std::string& subnet_id) {
  SubnetState state;
  // One read transaction, so the three reads see the same commit.
  GG_RETURN_IF_ERROR(db_->Read("reading a subnet", [&](Tx& tx) -> Status {
    state = SubnetState{};
    state.record.subnet_id = subnet_id;
    {
      Query q = tx.Prepare(
          "SELECT version, cool_off_until, priority_floor_active, last_total, next_sequence, poll_token "
          "FROM subnets "
          "WHERE subnet_id = ?");
      Result<bool> row = q.Bind(subnet_id).Next();
      if (!row.ok()) return row.status();
      if (*row) {
        state.record.version = q.Int(0);
        state.record.cool_off_until = q.TimeAt(1);
        state.record.priority_floor_active = q.Int(2) != 0;
        state.record.last_total = Int(q, 3);
        state.record.next_sequence = q.Int(4);
        state.record.poll_token = q.Int(5);
      }
    }
    Query reservations = tx.Prepare(
        "SELECT id, category, run_id, ips, created_at, expires_at FROM reservations WHERE subnet_id = ? "
        "ORDER BY created_at, id");
    reservations.Bind(subnet_id);
    GG_RETURN_IF_ERROR(ReadAll(reservations, state.reservations, [&](const Query& q) {
      Reservation r;
      r.id = q.Text(0);
      r.subnet_id = subnet_id;
      r.category = q.Text(1);
      r.run_id = q.Text(2);
      r.ips = Int(q, 3);
      r.created_at = q.TimeAt(4);
      r.expires_at = q.TimeAt(5);
      return r;
    }));
    Query waiters = tx.Prepare(
        "SELECT run_id, category, needed_ips, priority, sequence, first_seen, last_seen FROM waiters "
        "WHERE subnet_id = ? ORDER BY sequence");
    waiters.Bind(subnet_id);
    return ReadAll(waiters, state.waiters, [&](const Query& q) {
      Waiter w;
      w.subnet_id = subnet_id;
      w.run_id = q.Text(0);
      w.category = q.Text(1);
      w.needed_ips = Int(q, 2);
      w.priority = Int(q, 3);
      w.sequence = q.Int(4);
      w.first_seen = q.TimeAt(5);
      w.last_seen = q.TimeAt(6);
      return w;
    });
  }));
  return state;
}

Status SqliteStore::Commit(const SubnetCommit& commit) {
  const std::string& subnet_id = commit.record.subnet_id;
  return db_->Write("committing a subnet", [&](Tx& tx) -> Status {
    int64_t stored_version = 0;
    {
      Query q = tx.Prepare("SELECT version FROM subnets WHERE subnet_id = ?");
      Result<bool> row = q.Bind(subnet_id).Next();
      if (!row.ok()) return row.status();
      if (*row) stored_version = q.Int(0);
    }
    if (stored_version != commit.expected_version) {
      return VersionConflict(subnet_id, stored_version, commit.expected_version);
    }
    const SubnetRecord& r = commit.record;
    GG_RETURN_IF_ERROR(
        tx.Prepare("INSERT OR REPLACE INTO subnets (subnet_id, version, cool_off_until, priority_floor_active, "
                   "last_total, next_sequence, poll_token) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .BindAll(subnet_id, commit.expected_version + 1, r.cool_off_until, r.priority_floor_active,
                     r.last_total, r.next_sequence, r.poll_token)
            .Run());
    const SubnetChanges& c = commit.changes;
    for (const std::string& id : c.delete_reservations) {
      GG_RETURN_IF_ERROR(tx.Prepare("DELETE FROM reservations WHERE id = ?").Bind(id).Run());
    }
    for (const Reservation& res : c.put_reservations) {
      GG_RETURN_IF_ERROR(
          tx.Prepare("INSERT OR REPLACE INTO reservations (id, subnet_id, category, run_id, ips, created_at, "
                     "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
              .BindAll(res.id, res.subnet_id, res.category, res.run_id, res.ips, res.created_at, res.expires_at)
              .Run());
    }
    for (const std::string& run_id : c.delete_waiters) {
      GG_RETURN_IF_ERROR(
          tx.Prepare("DELETE FROM waiters WHERE subnet_id = ? AND run_id = ?").BindAll(subnet_id, run_id).Run());
    }
    for (const Waiter& w : c.put_waiters) {
      GG_RETURN_IF_ERROR(
          tx.Prepare("INSERT OR REPLACE INTO waiters (subnet_id, run_id, category, needed_ips, priority, sequence, "
                     "first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
              .BindAll(w.subnet_id, w.run_id, w.category, w.needed_ips, w.priority, w.sequence, w.first_seen,
                       w.last_seen)
              .Run());
    }
    // One row per observation; a retried commit of the same observation adds its lines to the row.
    std::map<Time, std::vector<EniChange>> by_time;
    for (const EniChange& e : c.eni_changes) by_time[e.at].push_back(e);
    for (const auto& [at, lines] : by_time) {
      GG_RETURN_IF_ERROR(tx.Prepare("INSERT INTO eni_changes (subnet_id, at, changes) VALUES (?, ?, ?) "
                                    "ON CONFLICT (subnet_id, at) DO UPDATE SET changes = changes || excluded.changes")
                             .BindAll(subnet_id, at, EncodeEniChanges(lines))
                             .Run());
    }
    for (const Decision& d : commit.decisions) {
      GG_RETURN_IF_ERROR(
          tx.Prepare("INSERT INTO decisions (subnet_id, decided_at, category, run_id, priority, workers, outcome, "
                     "code, capacity, total, free, buffer, reserved, needed, reason, reservation_id, "
                     "retry_after_ms, waited_ms, observed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                     "?, ?, ?, ?)")
              .BindAll(d.subnet_id, d.decided_at, d.category, d.run_id, d.priority, d.workers,
                       OutcomeName(d.outcome), DecisionCodeName(d.code), d.capacity, d.total, d.free, d.buffer,
                       d.reserved, d.needed, d.reason, d.reservation_id, d.retry_after, d.waited, d.observed_at)
              .Run());
    }
    return Status::Ok();
  });
}

Result<std::vector<Decision>> SqliteStore::DecisionsBetween(const std::string& subnet_id, Time from, Time to,
                                                            int limit) {
  std::vector<Decision> out;
  GG_RETURN_IF_ERROR(db_->Read("reading decisions", [&](Tx& tx) -> Status {
    out.clear();
    Query q = tx.Prepare(
        "SELECT subnet_id, decided_at, category, run_id, priority, workers, outcome, code, capacity, total, free, "
        "buffer, reserved, needed, reason, reservation_id, retry_after_ms, waited_ms, observed_at FROM decisions "
        "WHERE subnet_id = ? AND decided_at >= ? AND decided_at < ? ORDER BY decided_at DESC, id DESC LIMIT ?");
    q.BindAll(subnet_id, from, to, limit);
    while (true) {
      Result<bool> row = q.Next();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      Decision d;
      d.subnet_id = q.Text(0);
      d.decided_at = q.TimeAt(1);
      d.category = q.Text(2);
      d.run_id = q.Text(3);
      d.priority = Int(q, 4);
      d.workers = Int(q, 5);
      const std::optional<Outcome> outcome = ParseOutcome(q.Text(6));
      const std::optional<DecisionCode> code = ParseDecisionCode(q.Text(7));
      if (!outcome || !code) {
        return Status::Internal(fmt::format("sqlite: decision of {} at {} has an unknown outcome '{}' or code '{}'",
                                            d.subnet_id, FormatTime(d.decided_at), q.Text(6), q.Text(7)));
      }
      d.outcome = *outcome;
      d.code = *code;
      d.capacity = Int(q, 8);
      d.total = Int(q, 9);
      d.free = Int(q, 10);
      d.buffer = Int(q, 11);
      d.reserved = Int(q, 12);
      d.needed = Int(q, 13);
      d.reason = q.Text(14);
      d.reservation_id = q.Text(15);
      d.retry_after = Duration(q.Int(16));
      d.waited = Duration(q.Int(17));
      d.observed_at = q.TimeAt(18);
      out.push_back(std::move(d));
    }
  }));
  return out;
}

Result<std::vector<EniChange>> SqliteStore::EniChangesAfter(const std::string& subnet_id, Time after) {
  std::vector<EniChange> out;
  GG_RETURN_IF_ERROR(db_->Read("reading ENI changes", [&](Tx& tx) -> Status {
    out.clear();
    Query q = tx.Prepare("SELECT at, changes FROM eni_changes WHERE subnet_id = ? AND at > ? ORDER BY at");
    q.BindAll(subnet_id, after);
    while (true) {
      Result<bool> row = q.Next();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      GG_ASSIGN_OR_RETURN(std::vector<EniChange> lines,
                          DecodeEniChanges(subnet_id, q.TimeAt(0), q.Text(1), "sqlite table eni_changes"));
      out.insert(out.end(), lines.begin(), lines.end());
    }
  }));
  return out;
}

Result<int64_t> SqliteStore::ExpireBefore(Time cutoff) {
  int64_t removed = 0;
  GG_RETURN_IF_ERROR(db_->Write("expiring old rows", [&](Tx& tx) -> Status {
    removed = 0;
    for (const char* sql :
         {"DELETE FROM observations WHERE observed_at < ?", "DELETE FROM decisions WHERE decided_at < ?",
          "DELETE FROM eni_changes WHERE at < ?"}) {
      GG_RETURN_IF_ERROR(tx.Prepare(sql).Bind(cutoff).Run());
      removed += tx.Changes();
    }
    return Status::Ok();
  }));
  return removed;
}

}  // namespace glueguard
