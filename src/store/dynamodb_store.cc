#include "store/dynamodb_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <utility>

#include "store/dynamodb_item.h"

namespace glueguard {
namespace {

using ddb::ExpiresAt;
using ddb::ItemReader;
using ddb::kTtlAttribute;
using ddb::Millis;
using ddb::N;
using ddb::S;

// "<epoch ms, 15 digits>": decision keys of one subnet sort by time, and a bare prefix bounds a range.
std::string TimeKey(Time t) { return fmt::format("{:015d}", ToUnixMillis(t)); }

Item ObservationItem(const Observation& o, Duration retention) {
  Item item{{"subnet_id", S(o.subnet_id)},
            {"observed_at", Millis(o.observed_at)},
            {"total_enis", N(o.total_enis)},
            {"in_use", N(o.in_use)},
            {"available", N(o.available)},
            {"other", N(o.other)},
            {kTtlAttribute, ExpiresAt(o.observed_at, retention)}};
  // Empty strings are left out: older DynamoDB-compatible servers refuse them.
  if (!o.run_id.empty()) item["dag_run_id"] = S(o.run_id);
  if (!o.reason.empty()) item["reason"] = S(o.reason);
  if (!o.observer.empty()) item["observer"] = S(o.observer);
  return item;
}

// The ENI change log lives in the observations table, in a partition of its own per subnet: key
// ("eni#<subnet>", at in ms x 100 + chunk), the lines in `changes`, at most kLinesPerItem per item.
constexpr size_t kLinesPerItem = 2000;
constexpr int64_t kChunksPerMs = 100;
constexpr int64_t kGrantsPerLeaseEpoch = 1'000'000;  // a new DynamoDbLease item's first token: ms x this + 1
std::string EniPartition(const std::string& subnet_id) { return "eni#" + subnet_id; }

Result<Observation> ReadObservationItem(const Item& item, const std::string& table) {
  ItemReader r(item, "table " + table);
  Observation o;
  o.subnet_id = r.String("subnet_id", true);
  o.observed_at = r.TimeAt("observed_at");
  o.total_enis = static_cast<int>(r.Int("total_enis"));
  o.in_use = static_cast<int>(r.Int("in_use"));
  o.available = static_cast<int>(r.Int("available"));
  // An item the seed's sensor wrote has no `other`: whatever total leaves.
  o.other = static_cast<int>(r.Int("other", false, o.total_enis - o.in_use - o.available));
  o.run_id = r.String("dag_run_id");
  o.reason = r.String("reason");
  o.observer = r.String("observer");
  GG_RETURN_IF_ERROR(r.status());
  return o;
}

AttributeValue ReservationValue(const Reservation& x) {
  return AttributeValue::Map({{"id", S(x.id)},
                              {"category", S(x.category)},
                              {"run_id", S(x.run_id)},
                              {"ips", N(x.ips)},
                              {"created_at", Millis(x.created_at)},
                              {"expires_at", Millis(x.expires_at)}});
}

AttributeValue WaiterValue(const Waiter& w) {
  return AttributeValue::Map({{"run_id", S(w.run_id)},
                              {"category", S(w.category)},
                              {"needed_ips", N(w.needed_ips)},
                              {"priority", N(w.priority)},
                              {"sequence", N(w.sequence)},
                              {"first_seen", Millis(w.first_seen)},
                              {"last_seen", Millis(w.last_seen)}});
}

Item StateItem(const SubnetState& state) {
  const SubnetRecord& r = state.record;
  std::vector<AttributeValue> reservations, waiters;
  for (const Reservation& x : state.reservations) reservations.push_back(ReservationValue(x));
  for (const Waiter& w : state.waiters) waiters.push_back(WaiterValue(w));
  return Item{{"subnet_id", S(r.subnet_id)},
              {"version", N(r.version)},
              {"cool_off_until", Millis(r.cool_off_until)},
              {"priority_floor_active", AttributeValue::Bool(r.priority_floor_active)},
              {"last_total", N(r.last_total)},
              {"next_sequence", N(r.next_sequence)},
              {"poll_token", N(r.poll_token)},
              {"reservations", AttributeValue::List(std::move(reservations))},
              {"waiters", AttributeValue::List(std::move(waiters))}};
}

Result<SubnetState> ReadStateItem(const Item& item, const std::string& table) {
  const std::string what = "table " + table;
  ItemReader r(item, what);
  SubnetState state;
  SubnetRecord& record = state.record;
  record.subnet_id = r.String("subnet_id", true);
  record.version = r.Int("version");
  record.cool_off_until = r.TimeAt("cool_off_until");
  record.priority_floor_active = r.Bool("priority_floor_active");
  record.last_total = static_cast<int>(r.Int("last_total"));
  record.next_sequence = r.Int("next_sequence");
  record.poll_token = r.Int("poll_token", false);  // absent from items written before fencing
  for (const AttributeValue& v : r.List("reservations")) {
    ItemReader m(v, what + " reservation");
    Reservation x;
    x.subnet_id = record.subnet_id;
    x.id = m.String("id", true);
    x.category = m.String("category");
    x.run_id = m.String("run_id");
    x.ips = static_cast<int>(m.Int("ips"));
    x.created_at = m.TimeAt("created_at");
    x.expires_at = m.TimeAt("expires_at");
    GG_RETURN_IF_ERROR(m.status());
    state.reservations.push_back(std::move(x));
  }
  for (const AttributeValue& v : r.List("waiters")) {
    ItemReader m(v, what + " waiter");
    Waiter w;
    w.subnet_id = record.subnet_id;
    w.run_id = m.String("run_id", true);
    w.category = m.String("category");
    w.needed_ips = static_cast<int>(m.Int("needed_ips"));
    w.priority = static_cast<int>(m.Int("priority"));
    w.sequence = m.Int("sequence");
    w.first_seen = m.TimeAt("first_seen");
    w.last_seen = m.TimeAt("last_seen");
    GG_RETURN_IF_ERROR(m.status());
    state.waiters.push_back(std::move(w));
  }
  GG_RETURN_IF_ERROR(r.status());
  return state;
}

Item DecisionItem(const Decision& d, int64_t version, size_t index, Duration retention) {
  Item item{{"subnet_id", S(d.subnet_id)},
            {"decision_key", S(fmt::format("{}#{}#{}", TimeKey(d.decided_at), version, index))},
            {"decided_at", Millis(d.decided_at)},
            {"observed_at", Millis(d.observed_at)},
            {"outcome", S(OutcomeName(d.outcome))},
            {"code", S(DecisionCodeName(d.code))},
            {"priority", N(d.priority)},
            {"workers", N(d.workers)},
            {"capacity", N(d.capacity)},
            {"total", N(d.total)},
            {"free", N(d.free)},
            {"buffer", N(d.buffer)},
            {"reserved", N(d.reserved)},
            {"needed", N(d.needed)},
            {"retry_after_ms", N(d.retry_after.count())},
            {"waited_ms", N(d.waited.count())},
            {kTtlAttribute, ExpiresAt(d.decided_at, retention)}};
  for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"category", &d.category},
                                    {"run_id", &d.run_id},
                                    {"reason", &d.reason},
                                    {"reservation_id", &d.reservation_id}}) {
    if (!value->empty()) item[name] = S(*value);
  }
  return item;
}

Result<Decision> ReadDecisionItem(const Item& item, const std::string& table) {
  ItemReader r(item, "table " + table);
  Decision d;
  d.subnet_id = r.String("subnet_id", true);
  d.decided_at = r.TimeAt("decided_at");
  d.observed_at = r.TimeAt("observed_at");
  const std::string outcome = r.String("outcome", true), code = r.String("code", true);
  d.category = r.String("category");
  d.run_id = r.String("run_id");
  d.priority = static_cast<int>(r.Int("priority"));
  d.workers = static_cast<int>(r.Int("workers"));
  d.capacity = static_cast<int>(r.Int("capacity"));
  d.total = static_cast<int>(r.Int("total"));
  d.free = static_cast<int>(r.Int("free"));
  d.buffer = static_cast<int>(r.Int("buffer"));
  d.reserved = static_cast<int>(r.Int("reserved"));
  d.needed = static_cast<int>(r.Int("needed"));
  d.reason = r.String("reason");
  d.reservation_id = r.String("reservation_id");
  d.retry_after = Duration(r.Int("retry_after_ms"));
  d.waited = Duration(r.Int("waited_ms"));
  GG_RETURN_IF_ERROR(r.status());
  const std::optional<Outcome> parsed_outcome = ParseOutcome(outcome);
  const std::optional<DecisionCode> parsed_code = ParseDecisionCode(code);
  if (!parsed_outcome || !parsed_code) {
    return Status::Internal(
        fmt::format("dynamodb: table {}: decision of {} at {} has an unknown outcome '{}' or "
                    "code '{}'",
                    table, d.subnet_id, FormatTime(d.decided_at), outcome, code));
  }
  d.outcome = *parsed_outcome;
  d.code = *parsed_code;
  return d;
}

int64_t ValueBytes(const AttributeValue& v) {
  switch (v.type()) {
    case AttributeValue::Type::kString:
    case AttributeValue::Type::kBinary:
      return static_cast<int64_t>(v.AsString() != nullptr ? v.AsString()->size() : v.AsBinary()->size());
    case AttributeValue::Type::kNumber:
      return static_cast<int64_t>(v.AsNumber()->size() + 1) / 2 + 1;
    case AttributeValue::Type::kList: {
      int64_t bytes = 3;
      for (const AttributeValue& x : *v.AsList()) bytes += 1 + ValueBytes(x);
      return bytes;
    }
    case AttributeValue::Type::kMap:
      return 3 + DynamoDbStore::ItemBytes(*v.AsMap()) + static_cast<int64_t>(v.AsMap()->size());
    case AttributeValue::Type::kStringSet:
    case AttributeValue::Type::kNumberSet:
    case AttributeValue::Type::kBinarySet: {
      const std::vector<std::string>* set =
          v.AsStringSet() ? v.AsStringSet() : (v.AsNumberSet() ? v.AsNumberSet() : v.AsBinarySet());
      int64_t bytes = 0;
      for (const std::string& x : *set) bytes += static_cast<int64_t>(x.size());
      return bytes;
    }
    case AttributeValue::Type::kBool:
    case AttributeValue::Type::kNull:
      return 1;
  }
  return 1;
}

}  // namespace

int64_t DynamoDbStore::ItemBytes(const Item& item) {
  int64_t bytes = 0;
  for (const auto& [name, value] : item) bytes += static_cast<int64_t>(name.size()) + ValueBytes(value);
  return bytes;
}

DynamoDbStore::DynamoDbStore(DynamoDbApi& dynamodb, DynamoDbTableNames tables, Duration retention)
    : db_(dynamodb), tables_(std::move(tables)), retention_(retention) {}

DynamoDbStore::DynamoDbStore(std::unique_ptr<DynamoDbApi> dynamodb, DynamoDbTableNames tables,
                             Duration retention)
    : owned_(std::move(dynamodb)), db_(*owned_), tables_(std::move(tables)), retention_(retention) {}

void DynamoDbStore::Remember(const std::string& subnet_id, const SubnetState* state) {
  MutexLock lock(mu_);
  known_subnets_.insert(subnet_id);
  if (state != nullptr) last_state_[subnet_id] = *state;
}

Status DynamoDbStore::AppendObservation(const Observation& o) {
  GG_RETURN_IF_ERROR(ValidateObservation(o));
  GG_RETURN_IF_ERROR(
      db_.PutItem({.table_name = tables_.observations, .item = ObservationItem(o, retention_)}).status());
  Remember(o.subnet_id, nullptr);
  return Status::Ok();
}

Result<std::vector<Observation>> DynamoDbStore::LatestObservations(const std::string& subnet_id, int limit) {
  std::vector<Observation> out;
  if (limit <= 0) return out;
  QueryRequest query{.table_name = tables_.observations,
                     .key_condition_expression = "subnet_id = :s",
                     .expression_attribute_values = {{":s", S(subnet_id)}},
                     .scan_index_forward = false,
                     .limit = limit,
                     .consistent_read = true};
  GG_ASSIGN_OR_RETURN(QueryPage page, db_.Query(query));
  for (const Item& item : page.items) {
    GG_ASSIGN_OR_RETURN(Observation o, ReadObservationItem(item, tables_.observations));
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::vector<Observation>> DynamoDbStore::ObservationsBetween(const std::string& subnet_id, Time from,
                                                                    Time to) {
  std::vector<Observation> out;
  if (to <= from) return out;
  QueryRequest query{.table_name = tables_.observations,
                     .key_condition_expression = "subnet_id = :s AND observed_at BETWEEN :from AND :last",
                     .expression_attribute_values = {{":s", S(subnet_id)},
                                                     {":from", Millis(from)},
                                                     {":last", N(ToUnixMillis(to) - 1)}},
                     .consistent_read = true};
  GG_ASSIGN_OR_RETURN(std::vector<Item> items, QueryAll(db_, query));
  for (const Item& item : items) {
    GG_ASSIGN_OR_RETURN(Observation o, ReadObservationItem(item, tables_.observations));
    out.push_back(std::move(o));
  }
  return out;
}

Result<SubnetState> DynamoDbStore::LoadSubnet(const std::string& subnet_id) {
  GG_ASSIGN_OR_RETURN(std::optional<Item> item, db_.GetItem({.table_name = tables_.state,
                                                             .key = {{"subnet_id", S(subnet_id)}},
                                                             .consistent_read = true}));
  SubnetState state;
  state.record.subnet_id = subnet_id;
  if (item) {
    GG_ASSIGN_OR_RETURN(state, ReadStateItem(*item, tables_.state));
  }
  Remember(subnet_id, &state);
  return state;
}

Status DynamoDbStore::Commit(const SubnetCommit& commit) {
  const std::string& subnet_id = commit.record.subnet_id;
  std::optional<SubnetState> base;
  {
    MutexLock lock(mu_);
    auto it = last_state_.find(subnet_id);
    if (it != last_state_.end() && it->second.record.version == commit.expected_version) base = it->second;
  }
  if (!base) {
    GG_ASSIGN_OR_RETURN(SubnetState loaded, LoadSubnet(subnet_id));
    if (loaded.record.version != commit.expected_version) {
      return VersionConflict(subnet_id, loaded.record.version, commit.expected_version);
    }
    base = std::move(loaded);
  }
  SubnetState next = std::move(*base);
  ApplyCommit(commit, next);
  Item item = StateItem(next);
  const int64_t bytes = ItemBytes(item);
  if (bytes > kDynamoDbItemLimitBytes) {
    return Status::Internal(fmt::format(
        "dynamodb: subnet {}'s admission state would be {} KB ({} waiters, {} reservations), over DynamoDB's "
        "400 KB item limit; nothing was written",
        subnet_id, bytes / 1024, next.waiters.size(), next.reservations.size()));
  }
  PutItemRequest put{.table_name = tables_.state, .item = std::move(item)};
  if (commit.expected_version == 0) {
    put.condition_expression = "attribute_not_exists(subnet_id)";
  } else {
    put.condition_expression = "version = :expected";
    put.expression_attribute_values = {{":expected", N(commit.expected_version)}};
  }
  const Result<Item> written = db_.PutItem(put);
  if (!written.ok()) {
    {
      MutexLock lock(mu_);
      last_state_.erase(subnet_id);  // whatever is stored now, it is not what this process last saw
    }
    if (written.status().reason() == "ConditionalCheckFailedException") {
      return Status::FailedPrecondition("subnet " + subnet_id +
                                        " changed since it was read (expected version " +
                                        std::to_string(commit.expected_version) + ")");
    }
    return written.status();
  }
  Remember(subnet_id, &next);
  // Like the decisions, the ENI change lines follow the state: a crash in between loses lines, never state.
  std::map<Time, std::vector<EniChange>> by_time;
  for (const EniChange& e : commit.changes.eni_changes) by_time[e.at].push_back(e);
  for (const auto& [at, lines] : by_time) {
    for (size_t chunk = 0; chunk * kLinesPerItem < lines.size(); ++chunk) {
      const auto begin = lines.begin() + static_cast<std::ptrdiff_t>(chunk * kLinesPerItem);
      const auto end =
          lines.begin() + static_cast<std::ptrdiff_t>(std::min(lines.size(), (chunk + 1) * kLinesPerItem));
      Item lines_item{{"subnet_id", S(EniPartition(subnet_id))},
                      {"observed_at", N(ToUnixMillis(at) * kChunksPerMs + static_cast<int64_t>(chunk))},
                      {"changes", S(EncodeEniChanges({begin, end}))},
                      {kTtlAttribute, ExpiresAt(at, retention_)}};
      GG_RETURN_IF_ERROR(
          db_.PutItem({.table_name = tables_.observations, .item = std::move(lines_item)}).status());
    }
  }
  for (size_t i = 0; i < commit.decisions.size(); ++i) {
    const Item decision = DecisionItem(commit.decisions[i], next.record.version, i, retention_);
    GG_RETURN_IF_ERROR(db_.PutItem({.table_name = tables_.decisions, .item = decision}).status());
  }
  return Status::Ok();
}

Result<std::vector<Decision>> DynamoDbStore::DecisionsBetween(const std::string& subnet_id, Time from,
                                                              Time to, int limit) {
  std::vector<Decision> out;
  if (to <= from || limit <= 0) return out;
  // "<from>" sorts before every key at `from`; "<to>" before every key at `to`: the range is half-open.
  QueryRequest query{.table_name = tables_.decisions,
                     .key_condition_expression = "subnet_id = :s AND decision_key BETWEEN :from AND :to",
                     .expression_attribute_values = {{":s", S(subnet_id)},
                                                     {":from", S(TimeKey(from))},
                                                     {":to", S(TimeKey(to))}},
                     .scan_index_forward = false,
                     .limit = limit};
  GG_ASSIGN_OR_RETURN(QueryPage page, db_.Query(query));
  for (const Item& item : page.items) {
    GG_ASSIGN_OR_RETURN(Decision d, ReadDecisionItem(item, tables_.decisions));
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::vector<EniChange>> DynamoDbStore::EniChangesAfter(const std::string& subnet_id, Time after) {
  QueryRequest query{
      .table_name = tables_.observations,
      .key_condition_expression = "subnet_id = :s AND observed_at > :after",
      .expression_attribute_values = {{":s", S(EniPartition(subnet_id))},
                                      {":after", N(ToUnixMillis(after) * kChunksPerMs + kChunksPerMs - 1)}}};
  GG_ASSIGN_OR_RETURN(std::vector<Item> items, QueryAll(db_, query));
  std::vector<EniChange> out;
  for (const Item& item : items) {
    ItemReader r(item, "table " + tables_.observations);
    const int64_t key = r.Int("observed_at");
    const std::string text = r.String("changes", true);
    GG_RETURN_IF_ERROR(r.status());
    GG_ASSIGN_OR_RETURN(std::vector<EniChange> lines,
                        DecodeEniChanges(subnet_id, FromUnixMillis(key / kChunksPerMs), text,
                                         "table " + tables_.observations));
    out.insert(out.end(), lines.begin(), lines.end());
  }
  return out;
}

Result<int64_t> DynamoDbStore::ExpireBefore(Time cutoff) {
  std::set<std::string> subnets;
  {
    MutexLock lock(mu_);
    subnets = known_subnets_;
  }
  int64_t removed = 0;
  for (const std::string& subnet_id : subnets) {
    struct Old {
      const std::string& table;
      std::string partition;
      const char* sort_key;
      AttributeValue bound;
    };
    for (const Old& old : {Old{tables_.observations, subnet_id, "observed_at", Millis(cutoff)},
                           Old{tables_.decisions, subnet_id, "decision_key", S(TimeKey(cutoff))},
                           Old{tables_.observations, EniPartition(subnet_id), "observed_at",
                               N(ToUnixMillis(cutoff) * kChunksPerMs)}}) {
      QueryRequest query{
          .table_name = old.table,
          .key_condition_expression = fmt::format("subnet_id = :s AND {} < :cutoff", old.sort_key),
          .projection_expression = fmt::format("subnet_id, {}", old.sort_key),
          .expression_attribute_values = {{":s", S(old.partition)}, {":cutoff", old.bound}}};
      GG_ASSIGN_OR_RETURN(std::vector<Item> keys, QueryAll(db_, query));
      for (const Item& key : keys) {
        GG_RETURN_IF_ERROR(db_.DeleteItem({.table_name = old.table, .key = key}).status());
        ++removed;
      }
    }
  }
  return removed;
}

Result<LeaseGrant> DynamoDbLease::Acquire(const std::string& name, const std::string& holder, Time now,
                                          Duration ttl) {
  const Item key{{"subnet_id", S("lease#" + name)}};
  const Result<Item> granted = db_.UpdateItem(
      {.table_name = table_,
       .key = key,
       // The token grows by one a grant. A new item's first token is the time (ms) x 1e6, so an item
       // deleted and made again starts above every token of the old one (which made fewer than a million
       // grants a millisecond) and a subnet's committed poll_token never fences a new lease off. The token is
       // the item's `token` attribute itself, as it always was: replicas of an older version, in a rolling
       // deploy or after a rollback, read and grow the same number.
       .update_expression =
           "SET holder = :me, lease_until = :until, #token = if_not_exists(#token, :base) + :one",
       .condition_expression = "attribute_not_exists(holder) OR lease_until < :now OR holder = :me",
       .expression_attribute_names = {{"#token", "token"}},
       .expression_attribute_values = {{":me", S(holder)},
                                       {":until", Millis(now + ttl)},
                                       {":now", Millis(now)},
                                       {":one", N(1)},
                                       {":base", N(ToUnixMillis(now) * kGrantsPerLeaseEpoch)}},
       .return_values = "ALL_NEW"});
  if (granted.ok()) {
    ItemReader r(*granted, "table " + table_ + " lease " + name);
    LeaseGrant grant{true, holder, r.Int("token"), r.TimeAt("lease_until")};
    GG_RETURN_IF_ERROR(r.status());
    return grant;
  }
  if (granted.status().reason() != "ConditionalCheckFailedException") return granted.status();
  // Held by another: say by whom (a read that fails leaves the holder unnamed, not the call failed).
  LeaseGrant grant;
  const Result<std::optional<Item>> current = db_.GetItem({.table_name = table_, .key = key});
  if (current.ok() && *current) grant.holder = ItemReader(**current, "lease").String("holder");
  return grant;
}

}  // namespace glueguard
