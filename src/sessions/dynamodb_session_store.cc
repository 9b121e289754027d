#include "sessions/dynamodb_ledger.h"

#include <fmt/format.h>

#include <chrono>

namespace glueguard {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

AttributeValue S(const std::string& s) { return AttributeValue::String(s); }
AttributeValue Millis(Time t) { return AttributeValue::Number(ToUnixMillis(t)); }

class DynamoDbLedger final : public SessionStore {
 public:
  DynamoDbLedger(SessionStore& local, DynamoDbApi& dynamodb, std::string table, Duration retention)
      : local_(local), db_(dynamodb), table_(std::move(table)), retention_(retention) {}
  DynamoDbLedger(std::unique_ptr<SessionStore> local, DynamoDbApi& dynamodb, std::string table,
                 Duration retention)
      : owned_(std::move(local)),
        local_(*owned_),
        db_(dynamodb),
        table_(std::move(table)),
        retention_(retention) {}

  Result<ClaimResult> Claim(const std::string& event_id, Time now, Duration window,
                            Duration stale_after) override {
    if (event_id.empty()) return Status::InvalidArgument("an event id to claim is empty");
    const Item key = Key("event#" + event_id);
    // Twice at most: a record that went away between the failed claim and the read is claimed on the second.
    for (int attempt = 0; attempt < 2; ++attempt) {
      const Result<Item> claimed = db_.UpdateItem(
          {.table_name = table_,
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
                          db_.GetItem({.table_name = table_, .key = key, .consistent_read = true}));
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
        .PutItem({.table_name = table_,
                  .item = {{"pk", S("event#" + event_id)},
                           {"state", S("done")},
                           {"done_at", Millis(now)},
                           {"outcome", S(outcome.empty() ? "-" : outcome)},
                           {"expires_at", ExpiresAt(now)}}})
        .status();
  }

  Status Release(const std::string& event_id) override {
    return db_.DeleteItem({.table_name = table_, .key = Key("event#" + event_id)}).status();
  }

  Result<int64_t> ReleaseUnfinishedClaims() override { return int64_t{0}; }

  Status RememberSession(const std::string& session_id, Time now) override {
    return db_
        .PutItem({.table_name = table_,
                  .item = {{"pk", S("session#" + session_id)},
                           {"remembered_at", Millis(now)},
                           {"expires_at", ExpiresAt(now)}}})
        .status();
  }

  Result<bool> SessionKnown(const std::string& session_id) override {
    GG_ASSIGN_OR_RETURN(
        std::optional<Item> item,
        db_.GetItem({.table_name = table_, .key = Key("session#" + session_id), .consistent_read = true}));
    return item.has_value();
  }

  // Records past `cutoff` are found with a scan (the table holds about a dedupe window of events) and
  // deleted; DynamoDB's TTL would remove them too, days later. The local store expires what it holds.
  Result<int64_t> ExpireBefore(Time cutoff) override {
    GG_ASSIGN_OR_RETURN(int64_t removed, local_.ExpireBefore(cutoff));
    GG_ASSIGN_OR_RETURN(
        std::vector<Item> old,
        ScanAll(db_,
                {.table_name = table_,
                 .filter_expression = "done_at < :cutoff OR claimed_at < :cutoff OR remembered_at < :cutoff",
                 .projection_expression = "pk",
                 .expression_attribute_values = {{":cutoff", Millis(cutoff)}}}));
    for (const Item& key : old) {
      GG_RETURN_IF_ERROR(db_.DeleteItem({.table_name = table_, .key = key}).status());
      ++removed;
    }
    return removed;
  }

  Result<int64_t> Enqueue(const std::string& source, const std::string& body, Time now) override {
    return local_.Enqueue(source, body, now);
  }
  Result<std::vector<InboxItem>> Pending(int limit) override { return local_.Pending(limit); }
  Status Dequeue(int64_t id) override { return local_.Dequeue(id); }
  Result<int64_t> Park(const DeadLetter& letter) override { return local_.Park(letter); }
  Result<std::vector<DeadLetter>> DeadLetters(int limit) override { return local_.DeadLetters(limit); }
  Result<std::optional<DeadLetter>> FindDeadLetter(int64_t id) override { return local_.FindDeadLetter(id); }
  Status RemoveDeadLetter(int64_t id) override { return local_.RemoveDeadLetter(id); }
  Status UpdateDeadLetter(int64_t id, const std::string& error) override {
    return local_.UpdateDeadLetter(id, error);
  }
  Result<int64_t> DeadLetterCount() override { return local_.DeadLetterCount(); }

 private:
  static Item Key(const std::string& pk) { return {{"pk", S(pk)}}; }
  AttributeValue ExpiresAt(Time now) const {
    return AttributeValue::Number(duration_cast<seconds>((now + retention_).time_since_epoch()).count());
  }

  std::unique_ptr<SessionStore> owned_;
  SessionStore& local_;
  DynamoDbApi& db_;
  const std::string table_;
  const Duration retention_;
};

}  // namespace

std::unique_ptr<SessionStore> WithDynamoDbLedger(SessionStore& local, DynamoDbApi& dynamodb,
                                                 std::string table, Duration retention) {
  return std::make_unique<DynamoDbLedger>(local, dynamodb, std::move(table), retention);
}

std::unique_ptr<SessionStore> WithDynamoDbLedger(std::unique_ptr<SessionStore> local, DynamoDbApi& dynamodb,
                                                 std::string table, Duration retention) {
  return std::make_unique<DynamoDbLedger>(std::move(local), dynamodb, std::move(table), retention);
}

}  // namespace glueguard
