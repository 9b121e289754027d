// AdmissionService: the admission decisions of every configured subnet, kept in an ObservationStore.
// Owns one SubnetAdmission per subnet; every change is committed to the store before it is visible, so a
// restart (or another process on the same store) continues where this one stopped.
// Thread-safe: calls are serialised by one mutex.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "admission/decision.h"
#include "admission/subnet_admission.h"
#include "base/clock.h"
#include "base/random.h"
#include "config/config.h"
#include "store/observation_store.h"

namespace glueguard {

class AdmissionService {
 public:
  // Loads every configured subnet's state and recent observations from `store`. `config`, `store`, `clock`
  // and `random` must outlive the service.
  static Result<std::unique_ptr<AdmissionService>> Create(const Config& config, ObservationStore& store,
                                                          Clock& clock, Random& random);

  // Decides a launch. Unknown categories and malformed requests come back as a reject decision, not an error;
  // an error means the store failed and nothing was decided (the launcher should ask again).
  Result<Decision> Admit(const AdmissionRequest& request);

  // Stores an observation and applies it to its subnet. InvalidArgument for a malformed observation or an
  // unconfigured subnet; the observation is stored before anything else happens.
  Status Observe(const Observation& o);

  // Ends a reservation, wherever it is. NotFound when no subnet holds it.
  Status Release(const std::string& reservation_id);

  // A launch of `category_or_subnet` (a category name, a subnet id or name) failed with IP exhaustion.
  Status ReportExhaustion(const std::string& category_or_subnet);

  // Drops expired reservations and idle waiters, and deletes observations and decisions past retention.
  Status Sweep();

  // A copy of a subnet's current admission state; NotFound for an unconfigured subnet.
  Result<SubnetAdmission> Snapshot(const std::string& subnet_id) const;

 private:
  AdmissionService(const Config& config, ObservationStore& store, Clock& clock, Random& random);
  Status Load(const std::string& subnet_id);  // REQUIRES: mu_ held

  // Applies `change` to a copy of the subnet's state and commits it; on a version conflict reloads the subnet
  // from the store and tries again. The state changes only when the commit succeeds.
  // `change` fills the changes and the decisions to audit. REQUIRES: mu_ held.
  template <typename Change>
  Status Mutate(const std::string& subnet_id, Change&& change);

  const Config& config_;
  ObservationStore& store_;
  Clock& clock_;
  Random& random_;
  mutable std::mutex mu_;
  std::map<std::string, SubnetAdmission> subnets_;  // GUARDED_BY(mu_), by subnet id
};

}  // namespace glueguard
