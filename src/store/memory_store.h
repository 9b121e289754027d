// An in-memory ObservationStore for tests and demos. Nothing survives the process. Faults can be injected.
#pragma once

#include <map>
#include <mutex>

#include "store/observation_store.h"

namespace glueguard {

class MemoryStore final : public ObservationStore {
 public:
  Status AppendObservation(const Observation& o) override;
  Result<std::vector<Observation>> LatestObservations(const std::string& subnet_id, int limit) override;
  Result<std::vector<Observation>> ObservationsBetween(const std::string& subnet_id, Time from, Time to) override;
  Result<SubnetState> LoadSubnet(const std::string& subnet_id) override;
  Status Commit(const SubnetCommit& commit) override;
  Result<std::vector<Decision>> DecisionsBetween(const std::string& subnet_id, Time from, Time to,
                                                 int limit) override;
  Result<int64_t> ExpireBefore(Time cutoff) override;

  // Every call after this returns `status` until it is cleared with Status::Ok().
  void InjectFailure(Status status);

 private:
  Status Injected() const;  // REQUIRES: mu_ held

  mutable std::mutex mu_;
  // GUARDED_BY(mu_), all of them:
  std::map<std::string, std::map<Time, Observation>> observations_;
  std::map<std::string, SubnetState> subnets_;
  std::map<std::string, std::vector<Decision>> decisions_;  // in insertion order
  Status failure_;
};

}  // namespace glueguard
