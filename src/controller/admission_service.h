// AdmissionService: the admission decisions of every configured subnet, kept in an ObservationStore.
// Owns one SubnetAdmission per subnet; every change is committed to the store before it is visible, so a
// restart (or another process on the same store) continues where this one stopped.
// Thread-safe: calls are serialised by one mutex.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "admission/decision.h"
#include "admission/subnet_admission.h"
#include "base/clock.h"
#include "base/mutex.h"
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
  Result<Decision> Admit(const AdmissionRequest& request) GG_EXCLUDES(mu_);

  // Stores an observation and applies it to its subnet. InvalidArgument for a malformed observation or an
  // unconfigured subnet; the observation is stored before anything else happens.
  Status Observe(const Observation& o) GG_EXCLUDES(mu_);

  // Ends a reservation, wherever it is. NotFound when no subnet holds it.
  Status Release(const std::string& reservation_id) GG_EXCLUDES(mu_);

  // A launch of `category_or_subnet` (a category name, a subnet id or name) failed with IP exhaustion.
  Status ReportExhaustion(const std::string& category_or_subnet) GG_EXCLUDES(mu_);

  // Drops expired reservations and idle waiters, and (at most every ten minutes) deletes observations and
  // decisions past retention.
  Status Sweep() GG_EXCLUDES(mu_);

  // Whether an admission of `run_id` at `now` is worth observing the subnet first: the launch is new (not
  // waiting), or the view is `poll_interval` old, or one of the waiters could fit now. Answered on the state
  // in hand, without copying it; true for an unconfigured subnet.
  bool RefreshWorthACall(const std::string& subnet_id, const std::string& run_id, Time now,
                         Duration poll_interval) const GG_EXCLUDES(mu_);
  // The subnet's measured cleanup tails that ended after `after`, oldest first (empty for an unconfigured
  // subnet): what a new view added, without copying the subnet's state.
  std::vector<CleanupTail> CleanupTailsAfter(const std::string& subnet_id, Time after) const GG_EXCLUDES(mu_);
  // A copy of a subnet's current admission state; NotFound for an unconfigured subnet.
  Result<SubnetAdmission> Snapshot(const std::string& subnet_id) const GG_EXCLUDES(mu_);
  // Reads the subnet's state and observations from the store again (another replica observed it); returns
  // the latest observation. NotFound when none is stored yet.
  Result<Observation> Reload(const std::string& subnet_id) GG_EXCLUDES(mu_);

 private:
  AdmissionService(const Config& config, ObservationStore& store, Clock& clock, Random& random);
  Status Load(const std::string& subnet_id) GG_REQUIRES(mu_);

  // Applies `change` to a copy of the subnet's state and commits it; on a version conflict reloads the subnet
  // from the store and tries again. The state changes only when the commit succeeds.
  // `change` fills the changes and the decisions to audit.
  template <typename Change>
  Status Mutate(const std::string& subnet_id, Change&& change) GG_REQUIRES(mu_);

  const Config& config_;
  ObservationStore& store_;
  Clock& clock_;
  Random& random_;
  mutable Mutex mu_;
  std::map<std::string, SubnetAdmission> subnets_ GG_GUARDED_BY(mu_);  // by subnet id
  Time last_expiry_ GG_GUARDED_BY(mu_){};  // the latest ExpireBefore that succeeded
};

}  // namespace glueguard
