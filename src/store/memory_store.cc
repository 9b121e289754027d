#include "store/memory_store.h"

#include <algorithm>

namespace glueguard {

Status MemoryStore::Injected() const { return failure_; }

void MemoryStore::InjectFailure(Status status) {
  std::lock_guard lock(mu_);
  failure_ = std::move(status);
}

Status MemoryStore::AppendObservation(const Observation& o) {
  GG_RETURN_IF_ERROR(ValidateObservation(o));
  std::lock_guard lock(mu_);
  GG_RETURN_IF_ERROR(Injected());
  observations_[o.subnet_id][o.observed_at] = o;
  return Status::Ok();
}

Result<std::vector<Observation>> MemoryStore::LatestObservations(const std::string& subnet_id, int limit) {
  std::lock_guard lock(mu_);
  GG_RETURN_IF_ERROR(Injected());
  std::vector<Observation> out;
  auto it = observations_.find(subnet_id);
  if (it == observations_.end()) return out;
  for (auto o = it->second.rbegin(); o != it->second.rend() && static_cast<int>(out.size()) < limit; ++o) {
    out.push_back(o->second);
  }
  return out;
}

Result<std::vector<Observation>> MemoryStore::ObservationsBetween(const std::string& subnet_id, Time from,
                                                                  Time to) {
  std::lock_guard lock(mu_);
  GG_RETURN_IF_ERROR(Injected());
  std::vector<Observation> out;
  auto it = observations_.find(subnet_id);
  if (it == observations_.end()) return out;
  for (auto o = it->second.lower_bound(from); o != it->second.end() && o->first < to; ++o) {
    out.push_back(o->second);
  }
  return out;
}

Result<SubnetState> MemoryStore::LoadSubnet(const std::string& subnet_id) {
  std::lock_guard lock(mu_);
  GG_RETURN_IF_ERROR(Injected());
  auto it = subnets_.find(subnet_id);
  if (it != subnets_.end()) return it->second;
  SubnetState empty;
  empty.record.subnet_id = subnet_id;
  return empty;
}

Status MemoryStore::Commit(const SubnetCommit& commit) {
  std::lock_guard lock(mu_);
  GG_RETURN_IF_ERROR(Injected());
  SubnetState& state = subnets_[commit.record.subnet_id];
  if (state.record.version != commit.expected_version) {
    return Status::FailedPrecondition("subnet " + commit.record.subnet_id + " changed since it was read (version " +
                                      std::to_string(state.record.version) + ", expected " +
                                      std::to_string(commit.expected_version) + ")");
  }
  state.record = commit.record;
  state.record.version = commit.expected_version + 1;
  const SubnetChanges& c = commit.changes;
  for (const std::string& id : c.delete_reservations) {
    std::erase_if(state.reservations, [&](const Reservation& r) { return r.id == id; });
  }
  for (const Reservation& r : c.put_reservations) {
    auto it = std::find_if(state.reservations.begin(), state.reservations.end(),
                           [&](const Reservation& x) { return x.id == r.id; });
    if (it != state.reservations.end()) {
      *it = r;
    } else {
      state.reservations.push_back(r);
    }
  }
  for (const std::string& run_id : c.delete_waiters) {
    std::erase_if(state.waiters, [&](const Waiter& w) { return w.run_id == run_id; });
  }
  for (const Waiter& w : c.put_waiters) {
    auto it = std::find_if(state.waiters.begin(), state.waiters.end(),
                           [&](const Waiter& x) { return x.run_id == w.run_id; });
    if (it != state.waiters.end()) {
      *it = w;
    } else {
      state.waiters.push_back(w);
    }
  }
  std::stable_sort(state.reservations.begin(), state.reservations.end(),
                   [](const Reservation& a, const Reservation& b) { return a.created_at < b.created_at; });
  std::stable_sort(state.waiters.begin(), state.waiters.end(),
                   [](const Waiter& a, const Waiter& b) { return a.sequence < b.sequence; });
  for (const Decision& d : commit.decisions) decisions_[d.subnet_id].push_back(d);
  return Status::Ok();
}

Result<std::vector<Decision>> MemoryStore::DecisionsBetween(const std::string& subnet_id, Time from, Time to,
                                                            int limit) {
  std::lock_guard lock(mu_);
  GG_RETURN_IF_ERROR(Injected());
  std::vector<Decision> out;
  auto it = decisions_.find(subnet_id);
  if (it == decisions_.end()) return out;
  for (const Decision& d : it->second) {
    if (d.decided_at >= from && d.decided_at < to) out.push_back(d);
  }
  // Newest first; among equal times, the later write first.
  std::reverse(out.begin(), out.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const Decision& a, const Decision& b) { return a.decided_at > b.decided_at; });
  if (static_cast<int>(out.size()) > limit) out.resize(static_cast<size_t>(std::max(limit, 0)));
  return out;
}

Result<int64_t> MemoryStore::ExpireBefore(Time cutoff) {
  std::lock_guard lock(mu_);
  GG_RETURN_IF_ERROR(Injected());
  int64_t removed = 0;
  for (auto& [subnet, by_time] : observations_) {
    auto end = by_time.lower_bound(cutoff);
    removed += std::distance(by_time.begin(), end);
    by_time.erase(by_time.begin(), end);
  }
  for (auto& [subnet, list] : decisions_) {
    removed += static_cast<int64_t>(std::erase_if(list, [&](const Decision& d) { return d.decided_at < cutoff; }));
  }
  return removed;
}

}  // namespace glueguard
