#include "store/memory_store.h"

#include <algorithm>

namespace glueguard {

Status MemoryStore::Injected() const { return failure_; }

void MemoryStore::InjectFailure(Status status) {
  MutexLock lock(mu_);
  failure_ = std::move(status);
}

Status MemoryStore::AppendObservation(const Observation& o) {
  GG_RETURN_IF_ERROR(ValidateObservation(o));
  MutexLock lock(mu_);
  GG_RETURN_IF_ERROR(Injected());
  observations_[o.subnet_id][o.observed_at] = o;
  return Status::Ok();
}

Result<std::vector<Observation>> MemoryStore::LatestObservations(const std::string& subnet_id, int limit) {
  MutexLock lock(mu_);
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
  MutexLock lock(mu_);
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
  MutexLock lock(mu_);
  GG_RETURN_IF_ERROR(Injected());
  auto it = subnets_.find(subnet_id);
  if (it != subnets_.end()) return it->second;
  SubnetState empty;
  empty.record.subnet_id = subnet_id;
  return empty;
}

Status MemoryStore::Commit(const SubnetCommit& commit) {
  MutexLock lock(mu_);
  GG_RETURN_IF_ERROR(Injected());
  SubnetState& state = subnets_[commit.record.subnet_id];
  if (state.record.version != commit.expected_version) {
    return VersionConflict(commit.record.subnet_id, state.record.version, commit.expected_version);
  }
  ApplyCommit(commit, state);
  for (const Decision& d : commit.decisions) decisions_[d.subnet_id].push_back(d);
  std::vector<EniChange>& log = eni_changes_[commit.record.subnet_id];
  log.insert(log.end(), commit.changes.eni_changes.begin(), commit.changes.eni_changes.end());
  return Status::Ok();
}

Result<std::vector<EniChange>> MemoryStore::EniChangesAfter(const std::string& subnet_id, Time after) {
  MutexLock lock(mu_);
  GG_RETURN_IF_ERROR(Injected());
  std::vector<EniChange> out;
  auto it = eni_changes_.find(subnet_id);
  if (it == eni_changes_.end()) return out;
  for (const EniChange& c : it->second) {
    if (c.at > after) out.push_back(c);
  }
  std::stable_sort(out.begin(), out.end(), [](const EniChange& a, const EniChange& b) { return a.at < b.at; });
  return out;
}

Result<std::vector<Decision>> MemoryStore::DecisionsBetween(const std::string& subnet_id, Time from, Time to,
                                                            int limit) {
  MutexLock lock(mu_);
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
  MutexLock lock(mu_);
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
  for (auto& [subnet, log] : eni_changes_) {
    removed += static_cast<int64_t>(std::erase_if(log, [&](const EniChange& c) { return c.at < cutoff; }));
  }
  return removed;
}

}  // namespace glueguard
