// The in-memory SessionStore.
#include <fmt/format.h>

#include <map>

#include "base/mutex.h"
#include "sessions/session_store.h"

namespace glueguard {
namespace {

class MemorySessionStore final : public SessionStore {
 public:
  Result<ClaimResult> Claim(const std::string& event_id, Time now, Duration window,
                            Duration stale_after) override {
    if (event_id.empty()) return Status::InvalidArgument("an event id is required");
    MutexLock lock(mu_);
    auto it = claims_.find(event_id);
    if (it != claims_.end()) {
      const Record& r = it->second;
      if (r.done && now - r.at < window) return ClaimResult::kDone;
      if (!r.done && now - r.at < stale_after) return ClaimResult::kInProgress;
    }
    claims_[event_id] = Record{false, now};
    return ClaimResult::kClaimed;
  }

  Status MarkDone(const std::string& event_id, const std::string& /*outcome*/, Time now) override {
    MutexLock lock(mu_);
    claims_[event_id] = Record{true, now};
    return Status::Ok();
  }

  Status Release(const std::string& event_id) override {
    MutexLock lock(mu_);
    claims_.erase(event_id);
    return Status::Ok();
  }

  Result<int64_t> ReleaseUnfinishedClaims() override {
    MutexLock lock(mu_);
    return static_cast<int64_t>(std::erase_if(claims_, [](const auto& entry) { return !entry.second.done; }));
  }

  Status RememberSession(const std::string& session_id, Time now) override {
    MutexLock lock(mu_);
    sessions_[session_id] = now;
    return Status::Ok();
  }

  Result<bool> SessionKnown(const std::string& session_id) override {
    MutexLock lock(mu_);
    return sessions_.count(session_id) > 0;
  }

  Result<int64_t> Enqueue(const std::string& source, const std::string& body, Time now) override {
    MutexLock lock(mu_);
    InboxItem item;
    item.id = ++last_inbox_id_;
    item.source = source;
    item.body = body;
    item.received_at = now;
    inbox_[item.id] = item;
    return item.id;
  }

  Result<std::vector<InboxItem>> Pending(int limit) override {
    MutexLock lock(mu_);
    std::vector<InboxItem> out;
    for (const auto& [id, item] : inbox_) {
      if (static_cast<int>(out.size()) >= limit) break;
      out.push_back(item);
    }
    return out;
  }

  Status Dequeue(int64_t id) override {
    MutexLock lock(mu_);
    inbox_.erase(id);
    return Status::Ok();
  }

  Result<int64_t> Park(const DeadLetter& letter) override {
    MutexLock lock(mu_);
    DeadLetter stored = letter;
    stored.id = ++last_id_;
    letters_[stored.id] = stored;
    return stored.id;
  }

  Result<std::vector<DeadLetter>> DeadLetters(int limit) override {
    MutexLock lock(mu_);
    std::vector<DeadLetter> out;
    for (const auto& [id, letter] : letters_) {
      if (static_cast<int>(out.size()) >= limit) break;
      out.push_back(letter);
    }
    return out;
  }

  Result<std::optional<DeadLetter>> FindDeadLetter(int64_t id) override {
    MutexLock lock(mu_);
    auto it = letters_.find(id);
    if (it == letters_.end()) return std::optional<DeadLetter>();
    return std::optional<DeadLetter>(it->second);
  }

  Status RemoveDeadLetter(int64_t id) override {
    MutexLock lock(mu_);
    if (letters_.erase(id) == 0) return Status::NotFound(fmt::format("no dead letter {}", id));
    return Status::Ok();
  }

  Status UpdateDeadLetter(int64_t id, const std::string& error) override {
    MutexLock lock(mu_);
    auto it = letters_.find(id);
    if (it == letters_.end()) return Status::NotFound(fmt::format("no dead letter {}", id));
    it->second.error = error;
    ++it->second.replays;
    return Status::Ok();
  }

  Result<int64_t> DeadLetterCount() override {
    MutexLock lock(mu_);
    return static_cast<int64_t>(letters_.size());
  }

  Result<int64_t> ExpireBefore(Time cutoff) override {
    MutexLock lock(mu_);
    int64_t removed = 0;
    removed +=
        static_cast<int64_t>(std::erase_if(claims_, [&](const auto& kv) { return kv.second.at < cutoff; }));
    removed +=
        static_cast<int64_t>(std::erase_if(sessions_, [&](const auto& kv) { return kv.second < cutoff; }));
    return removed;
  }

 private:
  struct Record {
    bool done = false;
    Time at{};
  };
  Mutex mu_;
  std::map<std::string, Record> claims_ GG_GUARDED_BY(mu_);
  std::map<std::string, Time> sessions_ GG_GUARDED_BY(mu_);
  std::map<int64_t, DeadLetter> letters_ GG_GUARDED_BY(mu_);
  int64_t last_id_ GG_GUARDED_BY(mu_) = 0;
  std::map<int64_t, InboxItem> inbox_ GG_GUARDED_BY(mu_);
  int64_t last_inbox_id_ GG_GUARDED_BY(mu_) = 0;
};

}  // namespace

std::unique_ptr<SessionStore> NewMemorySessionStore() { return std::make_unique<MemorySessionStore>(); }

}  // namespace glueguard
