// The DynamoDB EniLedger, for store.kind dynamodb: one item per subnet in the state table, keyed
// "doctor-enis#<subnet>" (no subnet id starts so), holding the subnet's entries as a list, replaced by a put
// conditional on the version that was read, so two doctors cannot interleave their passes over one subnet.
// The item carries expires_at (the retention after its last pass) for DynamoDB's TTL: a subnet no doctor
// looks at any more is forgotten.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "base/mutex.h"
#include "doctor/eni_ledger.h"
#include "store/dynamodb_item.h"

namespace glueguard {
namespace {

constexpr char kPrefix[] = "doctor-enis#";
constexpr int kAttempts = 3;  // a pass that meets another doctor's write reads again and retries

// One subnet's item, as read.
struct SubnetEntries {
  std::string subnet_id;
  int64_t version = 0;  // 0 = no item yet
  std::vector<LedgerEntry> entries;  // by ENI id
};

class DynamoDbEniLedger final : public EniLedger {
 public:
  DynamoDbEniLedger(std::unique_ptr<DynamoDbApi> owned, DynamoDbApi& db, std::string table, Duration retention)
      : owned_(std::move(owned)), db_(db), table_(std::move(table)), retention_(retention) {}

  Result<std::map<std::string, LedgerEntry>> RecordPass(const std::string& subnet_id,
                                                        const std::vector<std::string>& available_ids,
                                                        Time now) override {
    if (subnet_id.empty()) return Status::InvalidArgument("a subnet id is required");
    const std::set<std::string> seen(available_ids.begin(), available_ids.end());
    std::map<std::string, LedgerEntry> before;
    GG_RETURN_IF_ERROR(Change(subnet_id, [&](SubnetEntries& s) -> Status {
      before.clear();
      std::map<std::string, LedgerEntry> kept;
      for (const LedgerEntry& e : s.entries) {
        if (seen.count(e.eni_id)) kept.emplace(e.eni_id, e);
      }
      before = kept;
      for (const std::string& id : seen) {
        auto [it, added] = kept.try_emplace(id, LedgerEntry{id, subnet_id, now, now, 0, ""});
        if (!added) it->second.last_seen = now;
      }
      s.entries.clear();
      for (auto& [id, e] : kept) s.entries.push_back(std::move(e));
      return Status::Ok();
    }, now));
    return before;
  }

  Status NoteRefusedDelete(const std::string& eni_id, const std::string& error) override {
    GG_ASSIGN_OR_RETURN(std::optional<SubnetEntries> holder, Holding(eni_id));
    if (!holder) return Status::NotFound("ENI " + eni_id + " is not in the ledger");
    return Change(holder->subnet_id, [&](SubnetEntries& s) -> Status {
      for (LedgerEntry& e : s.entries) {
        if (e.eni_id != eni_id) continue;
        ++e.delete_attempts;
        e.last_error = error;
        return Status::Ok();
      }
      return Status::NotFound("ENI " + eni_id + " is not in the ledger");
    });
  }

  Status Forget(const std::string& eni_id) override {
    GG_ASSIGN_OR_RETURN(std::optional<SubnetEntries> holder, Holding(eni_id));
    if (!holder) return Status::Ok();
    return Change(holder->subnet_id, [&](SubnetEntries& s) -> Status {
      std::erase_if(s.entries, [&](const LedgerEntry& e) { return e.eni_id == eni_id; });
      return Status::Ok();
    });
  }

  Result<std::vector<LedgerEntry>> Entries(const std::string& subnet_id) override {
    if (!subnet_id.empty()) {
      GG_ASSIGN_OR_RETURN(SubnetEntries s, Read(subnet_id));
      return std::move(s.entries);
    }
    GG_ASSIGN_OR_RETURN(std::vector<SubnetEntries> all, ReadAll());
    std::vector<LedgerEntry> out;
    for (SubnetEntries& s : all) {
      for (LedgerEntry& e : s.entries) out.push_back(std::move(e));
    }
    std::sort(out.begin(), out.end(), [](const LedgerEntry& a, const LedgerEntry& b) { return a.eni_id < b.eni_id; });
    return out;
  }

 private:
  static Item Key(const std::string& subnet_id) { return {{"subnet_id", ddb::S(kPrefix + subnet_id)}}; }

  Result<SubnetEntries> Parse(const Item& item) const {
    ddb::ItemReader r(item, "table " + table_ + " doctor ENI ledger");
    SubnetEntries s;
    s.subnet_id = r.String("subnet_id", true).substr(std::size(kPrefix) - 1);
    s.version = r.Int("version");
    for (const AttributeValue& v : r.List("enis")) {
      ddb::ItemReader m(v, "table " + table_ + " doctor ENI ledger of " + s.subnet_id);
      LedgerEntry e;
      e.eni_id = m.String("id", true);
      e.subnet_id = s.subnet_id;
      e.first_seen = m.TimeAt("first_seen");
      e.last_seen = m.TimeAt("last_seen");
      e.delete_attempts = static_cast<int>(m.Int("delete_attempts", false));
      e.last_error = m.String("last_error");
      GG_RETURN_IF_ERROR(m.status());
      s.entries.push_back(std::move(e));
    }
    GG_RETURN_IF_ERROR(r.status());
    Remember(s);
    return s;
  }

  void Remember(const SubnetEntries& s) const GG_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    for (const LedgerEntry& e : s.entries) subnet_of_[e.eni_id] = s.subnet_id;
  }
  std::optional<std::string> LastSeenIn(const std::string& eni_id) const GG_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    auto it = subnet_of_.find(eni_id);
    if (it == subnet_of_.end()) return std::nullopt;
    return it->second;
  }

  Result<SubnetEntries> Read(const std::string& subnet_id) {
    GG_ASSIGN_OR_RETURN(std::optional<Item> item,
                        db_.GetItem({.table_name = table_, .key = Key(subnet_id), .consistent_read = true}));
    if (!item) return SubnetEntries{subnet_id, 0, {}};
    return Parse(*item);
  }

  // Every subnet's item: a scan of the state table for the ledger's keys (a doctor's rare, small read).
  Result<std::vector<SubnetEntries>> ReadAll() {
    GG_ASSIGN_OR_RETURN(std::vector<Item> items,
                        ScanAll(db_, {.table_name = table_,
                                      .filter_expression = "begins_with(subnet_id, :prefix)",
                                      .expression_attribute_values = {{":prefix", ddb::S(kPrefix)}},
                                      .consistent_read = true}));
    std::vector<SubnetEntries> all;
    for (const Item& item : items) {
      GG_ASSIGN_OR_RETURN(SubnetEntries s, Parse(item));
      all.push_back(std::move(s));
    }
    return all;
  }

  // The subnet whose item lists `eni_id`, if any: the item it was last read in when that still lists it (a
  // doctor pass records a subnet, then acts on its ENIs), else a scan.
  Result<std::optional<SubnetEntries>> Holding(const std::string& eni_id) {
    if (std::optional<std::string> subnet = LastSeenIn(eni_id)) {
      GG_ASSIGN_OR_RETURN(SubnetEntries s, Read(*subnet));
      for (const LedgerEntry& e : s.entries) {
        if (e.eni_id == eni_id) return std::optional<SubnetEntries>(std::move(s));
      }
    }
    GG_ASSIGN_OR_RETURN(std::vector<SubnetEntries> all, ReadAll());
    for (SubnetEntries& s : all) {
      for (const LedgerEntry& e : s.entries) {
        if (e.eni_id == eni_id) return std::optional<SubnetEntries>(std::move(s));
      }
    }
    return std::optional<SubnetEntries>();
  }

  // Reads the subnet's item, applies `change` and puts it back on the condition that nobody wrote it in
  // between; on a conflict, reads again and retries. `now` (when set) renews the item's TTL.
  template <typename Fn>
  Status Change(const std::string& subnet_id, Fn change, Time now = Time{}) {
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      GG_ASSIGN_OR_RETURN(SubnetEntries s, Read(subnet_id));
      const int64_t read_version = s.version;
      GG_RETURN_IF_ERROR(change(s));
      std::vector<AttributeValue> enis;
      for (const LedgerEntry& e : s.entries) {
        Item m{{"id", ddb::S(e.eni_id)},
               {"first_seen", ddb::Millis(e.first_seen)},
               {"last_seen", ddb::Millis(e.last_seen)},
               {"delete_attempts", ddb::N(e.delete_attempts)}};
        if (!e.last_error.empty()) m["last_error"] = ddb::S(e.last_error);
        enis.push_back(AttributeValue::Map(std::move(m)));
      }
      Item item = Key(subnet_id);
      item["version"] = ddb::N(read_version + 1);
      item["enis"] = AttributeValue::List(std::move(enis));
      Time last_pass = now;
      for (const LedgerEntry& e : s.entries) last_pass = std::max(last_pass, e.last_seen);
      item[ddb::kTtlAttribute] = ddb::ExpiresAt(last_pass, retention_);
      const Result<Item> put =
          db_.PutItem({.table_name = table_,
                       .item = std::move(item),
                       .condition_expression = read_version == 0 ? "attribute_not_exists(subnet_id)"
                                                                 : "version = :read",
                       .expression_attribute_values = read_version == 0 ? Item{} : Item{{":read", ddb::N(read_version)}}});
      if (put.ok()) {
        Remember(s);
        return Status::Ok();
      }
      if (put.status().reason() != "ConditionalCheckFailedException") return put.status();
    }
    return Status::Unavailable(fmt::format("the doctor's ENI ledger of {} kept changing under other doctors ({} "
                                           "attempts)",
                                           subnet_id, kAttempts));
  }

  std::unique_ptr<DynamoDbApi> owned_;
  DynamoDbApi& db_;
  const std::string table_;
  const Duration retention_;
  mutable Mutex mu_;
  // The subnet each ENI was last read or written under: ENIs never change subnet, so this only saves scans.
  mutable std::map<std::string, std::string> subnet_of_ GG_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<EniLedger> MakeDynamoDbEniLedger(DynamoDbApi& dynamodb, std::string state_table,
                                                 Duration retention) {
  return std::make_unique<DynamoDbEniLedger>(nullptr, dynamodb, std::move(state_table), retention);
}

std::unique_ptr<EniLedger> MakeDynamoDbEniLedger(std::unique_ptr<DynamoDbApi> dynamodb, std::string state_table,
                                                 Duration retention) {
  DynamoDbApi& db = *dynamodb;
  return std::make_unique<DynamoDbEniLedger>(std::move(dynamodb), db, std::move(state_table), retention);
}

}  // namespace glueguard
