#include "sessions/dynamodb_session_store.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/mutex.h"
#include "base/random.h"
#include "store/dynamodb_item.h"

namespace glueguard {
namespace {

using ddb::ItemReader;
using ddb::Millis;
using ddb::N;
using ddb::S;

constexpr char kInbox[] = "inbox";
constexpr char kDead[] = "dead";
constexpr int kIdAttempts = 5;  // fresh ids tried when one is taken (1 in 1,000 per millisecond)

class DynamoDbSessionStore final : public SessionStore {
 public:
  DynamoDbSessionStore(DynamoDbApi& dynamodb, const DynamoDbTableNames& tables, Duration retention)
      : db_(dynamodb), ledger_(tables.sessions), queue_(tables.queue), retention_(retention) {}
  DynamoDbSessionStore(std::unique_ptr<DynamoDbApi> dynamodb, const DynamoDbTableNames& tables,
                       Duration retention)
      : owned_(std::move(dynamodb)),
        db_(*owned_),
        ledger_(tables.sessions),
        queue_(tables.queue),
        retention_(retention) {}

  Result<ClaimResult> Claim(const std::string& event_id, Time now, Duration window,
                            Duration stale_after) override {
    if (event_id.empty()) return Status::InvalidArgument("an event id to claim is empty");
    const Item key = LedgerKey("event#" + event_id);
    // Twice at most: a record that went away between the failed claim and the read is claimed on the second.
    for (int attempt = 0; attempt < 2; ++attempt) {
      const Result<Item> claimed = db_.UpdateItem(
          {.table_name = ledger_,
           .key = key,
           .update_expression = "SET #st = :claimed, claimed_at = :now, expires_at = :expires",
           .condition_expression = "attribute_not_exists(pk) OR (#st = :claimed AND claimed_at < :stale) OR "
                                   "(#st = :done AND done_at < :window)",
           .expression_attribute_names = {{"#st", "state"}},
           .expression_attribute_values = {{":claimed", S("claimed")},
                                           {":done", S("done")},
                                           {":now", Millis(now)},
                                           {":stale", Millis(now - stale_after)},
                                           {":window", Millis(now - window)},
                                           {":expires", ExpiresAt(now)}}});
      if (claimed.ok()) return ClaimResult::kClaimed;
      if (claimed.status().reason() != "ConditionalCheckFailedException") return claimed.status();
      GG_ASSIGN_OR_RETURN(std::optional<Item> record,
                          db_.GetItem({.table_name = ledger_, .key = key, .consistent_read = true}));
      if (!record) continue;
      const auto state = record->find("state");
      const bool done = state != record->end() && state->second.AsString() != nullptr &&
                        *state->second.AsString() == "done";
      return done ? ClaimResult::kDone : ClaimResult::kInProgress;
    }
    return Status::Unavailable(fmt::format("event {}: its claim kept changing", event_id));
  }

  Status MarkDone(const std::string& event_id, const std::string& outcome, Time now) override {
    return db_
        .PutItem({.table_name = ledger_,
                  .item = {{"pk", S("event#" + event_id)},
                           {"state", S("done")},
                           {"done_at", Millis(now)},
                           {"outcome", S(outcome.empty() ? "-" : outcome)},
                           {ddb::kTtlAttribute, ExpiresAt(now)}}})
        .status();
  }

  Status Release(const std::string& event_id) override {
    return db_.DeleteItem({.table_name = ledger_, .key = LedgerKey("event#" + event_id)}).status();
  }

  Result<int64_t> ReleaseUnfinishedClaims() override { return int64_t{0}; }

  Status RememberSession(const std::string& session_id, Time now) override {
    return db_
        .PutItem({.table_name = ledger_,
                  .item = {{"pk", S("session#" + session_id)},
                           {"remembered_at", Millis(now)},
                           {ddb::kTtlAttribute, ExpiresAt(now)}}})
        .status();
  }

  Result<bool> SessionKnown(const std::string& session_id) override {
    GG_ASSIGN_OR_RETURN(std::optional<Item> item,
                        db_.GetItem({.table_name = ledger_,
                                     .key = LedgerKey("session#" + session_id),
                                     .consistent_read = true}));
    return item.has_value();
  }

  // Records past `cutoff` are found with a scan (the table holds about a dedupe window of events) and
  // deleted; DynamoDB's TTL would remove them too, days later. Queued and parked events are left to the TTL.
  Result<int64_t> ExpireBefore(Time cutoff) override {
    GG_ASSIGN_OR_RETURN(
        std::vector<Item> old,
        ScanAll(db_,
                {.table_name = ledger_,
                 .filter_expression = "done_at < :cutoff OR claimed_at < :cutoff OR remembered_at < :cutoff",
                 .projection_expression = "pk",
                 .expression_attribute_values = {{":cutoff", Millis(cutoff)}}}));
    int64_t removed = 0;
    for (const Item& key : old) {
      GG_RETURN_IF_ERROR(db_.DeleteItem({.table_name = ledger_, .key = key}).status());
      ++removed;
    }
    return removed;
  }

  Result<int64_t> Enqueue(const std::string& source, const std::string& body, Time now) override {
    Item item{{"source", S(source)}, {"body", S(body)}, {"received_at", Millis(now)}};
    return Put(kInbox, now, body, std::move(item));
  }

  Result<std::vector<InboxItem>> Pending(int limit) override {
    GG_ASSIGN_OR_RETURN(std::vector<Item> items, Oldest(kInbox, limit));
    std::vector<InboxItem> pending;
    for (const Item& item : items) {
      ItemReader r(item, "table " + queue_ + " inbox");
      InboxItem in{r.Int("id"), r.String("source"), r.String("body"), r.TimeAt("received_at")};
      GG_RETURN_IF_ERROR(r.status());
      pending.push_back(std::move(in));
    }
    return pending;
  }

  Status Dequeue(int64_t id) override {
    return db_.DeleteItem({.table_name = queue_, .key = QueueKey(kInbox, id)}).status();
  }

  Result<int64_t> Park(const DeadLetter& letter) override {
    Item item{{"source", S(letter.source)},
              {"body", S(letter.body)},
              {"error", S(letter.error.empty() ? "-" : letter.error)},
              {"attempts", N(letter.attempts)},
              {"parked_at", Millis(letter.parked_at)},
              {"replays", N(letter.replays)}};
    if (!letter.event_id.empty()) item["event_id"] = S(letter.event_id);
    return Put(kDead, letter.parked_at, letter.body, std::move(item));
  }

  Result<std::vector<DeadLetter>> DeadLetters(int limit) override {
    GG_ASSIGN_OR_RETURN(std::vector<Item> items, Oldest(kDead, limit));
    std::vector<DeadLetter> letters;
    for (const Item& item : items) {
      GG_ASSIGN_OR_RETURN(DeadLetter letter, ReadDeadLetter(item));
      letters.push_back(std::move(letter));
    }
    return letters;
  }

  Result<std::optional<DeadLetter>> FindDeadLetter(int64_t id) override {
    GG_ASSIGN_OR_RETURN(std::optional<Item> item,
                        db_.GetItem({.table_name = queue_, .key = QueueKey(kDead, id), .consistent_read = true}));
    if (!item) return std::optional<DeadLetter>();
    GG_ASSIGN_OR_RETURN(DeadLetter letter, ReadDeadLetter(*item));
    return std::optional<DeadLetter>(std::move(letter));
  }

  Status RemoveDeadLetter(int64_t id) override {
    return Absent(id, db_.DeleteItem({.table_name = queue_,
                                      .key = QueueKey(kDead, id),
                                      .condition_expression = "attribute_exists(#id)",
                                      .expression_attribute_names = {{"#id", "id"}}})
                          .status());
  }

  Status UpdateDeadLetter(int64_t id, const std::string& error) override {
    return Absent(id, db_.UpdateItem({.table_name = queue_,
                                      .key = QueueKey(kDead, id),
                                      .update_expression = "SET #error = :error ADD replays :one",
                                      .condition_expression = "attribute_exists(#id)",
                                      .expression_attribute_names = {{"#id", "id"}, {"#error", "error"}},
                                      .expression_attribute_values = {{":error", S(error.empty() ? "-" : error)},
                                                                      {":one", N(1)}}})
                          .status());
  }

  Result<int64_t> DeadLetterCount() override {
    GG_ASSIGN_OR_RETURN(std::vector<Item> keys,
                        QueryAll(db_, {.table_name = queue_,
                                       .key_condition_expression = "#q = :q",
                                       .projection_expression = "#id",
                                       .expression_attribute_names = {{"#q", "queue"}, {"#id", "id"}},
                                       .expression_attribute_values = {{":q", S(kDead)}},
                                       .consistent_read = true}));
    return static_cast<int64_t>(keys.size());
  }

 private:
  static Item LedgerKey(const std::string& pk) { return {{"pk", S(pk)}}; }
  static Item QueueKey(const char* queue, int64_t id) { return {{"queue", S(queue)}, {"id", N(id)}}; }
  AttributeValue ExpiresAt(Time now) const { return ddb::ExpiresAt(now, retention_); }

  // Writes `item` into `queue` under a new id taken from `at`; returns the id.
  Result<int64_t> Put(const char* queue, Time at, const std::string& body, Item item) {
    if (body.size() > kMaxQueuedBodyBytes) {
      return Status::InvalidArgument(fmt::format(
          "an event of {} bytes is larger than the {} bytes one DynamoDB item can keep of it", body.size(),
          kMaxQueuedBodyBytes));
    }
    item["queue"] = S(queue);
    item[ddb::kTtlAttribute] = ExpiresAt(at);
    Status last;
    for (int attempt = 0; attempt < kIdAttempts; ++attempt) {
      const int64_t id = NewId(at);
      item["id"] = N(id);
      const Result<Item> put = db_.PutItem({.table_name = queue_,
                                            .item = item,
                                            .condition_expression = "attribute_not_exists(#id)",
                                            .expression_attribute_names = {{"#id", "id"}}});
      if (put.ok()) return id;
      last = put.status();
      if (last.reason() != "ConditionalCheckFailedException") return last;
    }
    return Status::Unavailable(
        fmt::format("no free id in queue {} of table {} after {} tries", queue, queue_, kIdAttempts));
  }

  // Up to `limit` items of `queue`, oldest first, read consistently (an event just queued is seen).
  Result<std::vector<Item>> Oldest(const char* queue, int limit) {
    GG_ASSIGN_OR_RETURN(QueryPage page, db_.Query({.table_name = queue_,
                                                   .key_condition_expression = "#q = :q",
                                                   .expression_attribute_names = {{"#q", "queue"}},
                                                   .expression_attribute_values = {{":q", S(queue)}},
                                                   .limit = std::max(1, limit),
                                                   .consistent_read = true}));
    return std::move(page.items);
  }

  Result<DeadLetter> ReadDeadLetter(const Item& item) const {
    ItemReader r(item, "table " + queue_ + " dead letter");
    DeadLetter letter;
    letter.id = r.Int("id");
    letter.event_id = r.String("event_id");
    letter.source = r.String("source");
    letter.body = r.String("body");
    letter.error = r.String("error");
    letter.attempts = static_cast<int>(r.Int("attempts", false));
    letter.parked_at = r.TimeAt("parked_at");
    letter.replays = static_cast<int>(r.Int("replays", false));
    GG_RETURN_IF_ERROR(r.status());
    return letter;
  }

  // NotFound, naming the dead letter, for a write whose "it exists" condition failed.
  static Status Absent(int64_t id, Status s) {
    if (s.reason() == "ConditionalCheckFailedException") {
      return Status::NotFound(fmt::format("no dead letter {}", id));
    }
    return s;
  }

  // Later than every id this process took before, so what one replica queues keeps its order.
  int64_t NewId(Time at) GG_EXCLUDES(mu_) {
    const int64_t candidate = std::max<int64_t>(0, ToUnixMillis(at)) * 1000 + random_.UniformInt(0, 999);
    MutexLock lock(mu_);
    last_id_ = std::max(candidate, last_id_ + 1);
    return last_id_;
  }

  std::unique_ptr<DynamoDbApi> owned_;
  DynamoDbApi& db_;
  const std::string ledger_;
  const std::string queue_;
  const Duration retention_;
  SystemRandom random_;
  Mutex mu_;
  int64_t last_id_ GG_GUARDED_BY(mu_) = 0;
};

}  // namespace

std::unique_ptr<SessionStore> NewDynamoDbSessionStore(DynamoDbApi& dynamodb, const DynamoDbTableNames& tables,
                                                      Duration retention) {
  return std::make_unique<DynamoDbSessionStore>(dynamodb, tables, retention);
}

std::unique_ptr<SessionStore> NewDynamoDbSessionStore(std::unique_ptr<DynamoDbApi> dynamodb,
                                                      const DynamoDbTableNames& tables, Duration retention) {
  return std::make_unique<DynamoDbSessionStore>(std::move(dynamodb), tables, retention);
}

}  // namespace glueguard
