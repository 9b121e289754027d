// PollerLease: which replica observes a subnet. A lease is a claim on a name that expires unless its holder
// renews it, with a fencing token that grows with every grant and renewal. A holder writes as the poller only
// while its grant has not expired (by its own clock, with a margin for the skew between replicas' clocks).
#pragma once

#include <map>
#include <string>

#include "base/mutex.h"
#include "base/status.h"
#include "base/time.h"

namespace glueguard {

struct LeaseGrant {
  bool held = false;   // the caller holds the lease until `until`
  std::string holder;  // who holds it: the caller, or the replica that does
  int64_t token = 0;   // of the caller's grant: later grants and renewals have larger tokens
  Time until{};        // the caller's grant's expiry
};

class PollerLease {
 public:
  virtual ~PollerLease() = default;
  // Takes or renews the lease on `name` for `holder` until now + ttl when it is free, expired at `now`, or
  // already `holder`'s; otherwise held = false (not an error). Errors: the store's (the caller then holds
  // nothing).
  virtual Result<LeaseGrant> Acquire(const std::string& name, const std::string& holder, Time now,
                                     Duration ttl) = 0;
};

// Leases in this process's memory: for tests, and for replicas that share nothing.
class MemoryLease final : public PollerLease {
 public:
  Result<LeaseGrant> Acquire(const std::string& name, const std::string& holder, Time now,
                             Duration ttl) override GG_EXCLUDES(mu_);

 private:
  struct Entry {
    std::string holder;
    int64_t token = 0;
    Time until{};
  };
  Mutex mu_;
  std::map<std::string, Entry> leases_ GG_GUARDED_BY(mu_);
};

}  // namespace glueguard
