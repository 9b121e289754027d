// The in-memory EniLedger: a map behind a mutex.
#include <set>

#include "base/mutex.h"
#include "doctor/eni_ledger.h"

namespace glueguard {
namespace {

class MemoryEniLedger final : public EniLedger {
 public:
  Result<std::map<std::string, LedgerEntry>> RecordPass(const std::string& subnet_id,
                                                        const std::vector<std::string>& available_ids,
                                                        Time now) override {
    if (subnet_id.empty()) return Status::InvalidArgument("a subnet id is required");
    MutexLock lock(mu_);
    const std::set<std::string> seen(available_ids.begin(), available_ids.end());
    std::map<std::string, LedgerEntry> before;
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.subnet_id == subnet_id && !seen.count(it->first)) {
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
    for (const std::string& id : seen) {
      auto it = entries_.find(id);
      if (it != entries_.end()) {
        before.emplace(id, it->second);
        it->second.subnet_id = subnet_id;
        it->second.last_seen = now;
      } else {
        LedgerEntry e;
        e.eni_id = id;
        e.subnet_id = subnet_id;
        e.first_seen = now;
        e.last_seen = now;
        entries_.emplace(id, e);
      }
    }
    return before;
  }

  Status NoteRefusedDelete(const std::string& eni_id, const std::string& error) override {
    MutexLock lock(mu_);
    auto it = entries_.find(eni_id);
    if (it == entries_.end()) return Status::NotFound("ENI " + eni_id + " is not in the ledger");
    ++it->second.delete_attempts;
    it->second.last_error = error;
    return Status::Ok();
  }

  Status Forget(const std::string& eni_id) override {
    MutexLock lock(mu_);
    entries_.erase(eni_id);
    return Status::Ok();
  }

  Result<std::vector<LedgerEntry>> Entries(const std::string& subnet_id) override {
    MutexLock lock(mu_);
    std::vector<LedgerEntry> out;
    for (const auto& [id, e] : entries_) {
      if (subnet_id.empty() || e.subnet_id == subnet_id) out.push_back(e);
    }
    return out;
  }

 private:
  Mutex mu_;
  std::map<std::string, LedgerEntry> entries_ GG_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<EniLedger> MakeMemoryEniLedger() { return std::make_unique<MemoryEniLedger>(); }

}  // namespace glueguard
