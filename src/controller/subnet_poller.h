// SubnetPoller: the single observer of one subnet's ENIs, shared by every launch that asks about the subnet.
// An observation is one paginated DescribeNetworkInterfaces filtered by subnet-id (every state, every owner),
// stored and applied through the AdmissionService. Calls grow with subnets, not with waiting sensors:
// - Refresh(max_age) observes only when the latest observation is older than max_age;
// - concurrent callers share one call in flight (single-flight) and all get its outcome.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>
#include <string>
#include <utility>

#include "controller/admission_service.h"
#include "admission/observation.h"
#include "aws/ec2.h"
#include "base/clock.h"
#include "base/mutex.h"
#include "store/lease.h"

namespace glueguard {

// How a poller shares its subnet with other replicas (see PollerLease).
struct PollerLeasing {
  PollerLease* lease = nullptr;  // nullptr: always observe
  std::string replica_id;        // the holder name, also stored on each observation
  Duration ttl{};                // of each grant; renewed at every observation
};

struct PollerStats {
  int64_t observations = 0;  // successful observations (EC2 calls that were stored)
  int64_t adopted = 0;       // views taken from the store, observed by the replica holding the lease
  int64_t failures = 0;      // observations that failed (after the AWS client's retries)
  int64_t shared = 0;        // Refresh calls that joined an observation already in flight
  int64_t cached = 0;        // Refresh calls answered by an observation young enough
  std::optional<Observation> latest;
  Status last_error;  // of the latest failed observation; Ok when the latest attempt succeeded
  Time last_attempt{};
};

// One paginated DescribeNetworkInterfaces for several subnets (a filter takes up to 200 subnet ids, a page up
// to 1,000 ENIs), each subnet's share handed to its poller: a tick that observes 100 subnets makes as many
// calls as there are pages, not subnets. Lives for one tick. Thread-safe.
class BatchedEniLister {
 public:
  static constexpr size_t kSubnetsPerFilter = 200;

  // `ec2` must outlive the lister.
  BatchedEniLister(Ec2Api& ec2, std::vector<std::string> subnet_ids);

  // The ENIs of `subnet_id` (one of the lister's): the first call makes the calls for every subnet; later
  // ones answer from them. The error of the failing call for every subnet of its batch of 200.
  Result<std::vector<NetworkInterface>> ListFor(const std::string& subnet_id) GG_EXCLUDES(mu_);
  // Whether `subnet_id` is one of the subnets the lister lists.
  bool Covers(const std::string& subnet_id) const;

 private:
  Ec2Api& ec2_;
  const std::vector<std::string> subnet_ids_;
  Mutex mu_;
  bool listed_ GG_GUARDED_BY(mu_) = false;
  std::map<std::string, Result<std::vector<NetworkInterface>>> by_subnet_ GG_GUARDED_BY(mu_);
};

class SubnetPoller {
 public:
  // Every reference must outlive the poller.
  SubnetPoller(std::string subnet_id, Ec2Api& ec2, AdmissionService& admission, Clock& clock,
               PollerLeasing leasing = {});

  // Makes sure an observation no older than `max_age` exists: returns at once when one does, joins the call
  // in flight when there is one, else observes (stores and applies it). Returns the time of the observation
  // now current, or the error of the call that was made (the previous observation stays current: a decision
  // on it is bounded by the subnet's stale_after). `reason` is stored with a new observation ("poll",
  // "admission"). With a lease: observes only while holding it; otherwise takes the holder's latest
  // observation from the store, and counts that view as fresh for `max_age` from when it was taken.
  // With a `lister` that covers the subnet, an observation takes this subnet's share of its batched call
  // instead of making its own.
  Result<Time> Refresh(Duration max_age, const std::string& reason, const std::string& run_id = "",
                       BatchedEniLister* lister = nullptr) GG_EXCLUDES(mu_);

  // Whether Refresh(max_age) would observe now (no view young enough).
  bool Due(Duration max_age) const GG_EXCLUDES(mu_);

  PollerStats stats() const GG_EXCLUDES(mu_);
  const std::string& subnet_id() const { return subnet_id_; }

 private:
  // Observes and stores (true), or takes the lease holder's view from the store (false).
  Result<std::pair<Observation, bool>> Observe(const std::string& reason, const std::string& run_id,
                                               BatchedEniLister* lister) GG_EXCLUDES(mu_);
  // Whether the view in hand is young enough for `max_age` at `now`.
  bool Fresh(Duration max_age, Time now) const GG_REQUIRES(mu_);

  const std::string subnet_id_;
  Ec2Api& ec2_;
  AdmissionService& admission_;
  Clock& clock_;
  const PollerLeasing leasing_;

  mutable Mutex mu_;
  CondVar done_;  // an observation attempt completed
  bool in_flight_ GG_GUARDED_BY(mu_) = false;
  uint64_t generation_ GG_GUARDED_BY(mu_) = 0;  // completed observation attempts
  Status last_outcome_ GG_GUARDED_BY(mu_);      // of the latest attempt
  PollerStats stats_ GG_GUARDED_BY(mu_);
  Time adopted_at_ GG_GUARDED_BY(mu_){};  // when the latest view was taken from the store; epoch if observed
};

}  // namespace glueguard
