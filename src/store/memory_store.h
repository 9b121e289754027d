// An in-memory ObservationStore for tests and demos. Nothing survives the process. Faults can be injected.
#pragma once

#include <map>

#include "base/mutex.h"
#include "store/observation_store.h"

namespace glueguard {

class MemoryStore final : public ObservationStore {
 public:
  Status AppendObservation(const Observation& o) override GG_EXCLUDES(mu_);
  Result<std::vector<Observation>> LatestObservations(const std::string& subnet_id, int limit) override
      GG_EXCLUDES(mu_);
  Result<std::vector<Observation>> ObservationsBetween(const std::string& subnet_id, Time from, Time to) override
      GG_EXCLUDES(mu_);
  Result<SubnetState> LoadSubnet(const std::string& subnet_id) override GG_EXCLUDES(mu_);
  Status Commit(const SubnetCommit& commit) override GG_EXCLUDES(mu_);
  Result<std::vector<Decision>> DecisionsBetween(const std::string& subnet_id, Time from, Time to,
                                                 int limit) override GG_EXCLUDES(mu_);
  Result<std::vector<EniChange>> EniChangesAfter(const std::string& subnet_id, Time after) override
      GG_EXCLUDES(mu_);
  Result<int64_t> ExpireBefore(Time cutoff) override GG_EXCLUDES(mu_);

  // Every call after this returns `status` until it is cleared with Status::Ok().
  void InjectFailure(Status status) GG_EXCLUDES(mu_);

 private:
  Status Injected() const GG_REQUIRES(mu_);

  mutable Mutex mu_;
  std::map<std::string, std::map<Time, Observation>> observations_ GG_GUARDED_BY(mu_);
  std::map<std::string, SubnetState> subnets_ GG_GUARDED_BY(mu_);
  std::map<std::string, std::vector<Decision>> decisions_ GG_GUARDED_BY(mu_);  // in insertion order
  std::map<std::string, std::vector<EniChange>> eni_changes_ GG_GUARDED_BY(mu_);  // in commit order
  Status failure_ GG_GUARDED_BY(mu_);
};

}  // namespace glueguard
