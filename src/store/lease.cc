#include "store/lease.h"

namespace glueguard {

Result<LeaseGrant> MemoryLease::Acquire(const std::string& name, const std::string& holder, Time now,
                                        Duration ttl) {
  MutexLock lock(mu_);
  Entry& entry = leases_[name];
  if (!entry.holder.empty() && entry.holder != holder && entry.until >= now) {
    return LeaseGrant{false, entry.holder, 0, Time{}};
  }
  entry.holder = holder;
  entry.until = now + ttl;
  ++entry.token;
  return LeaseGrant{true, holder, entry.token, entry.until};
}

}  // namespace glueguard
