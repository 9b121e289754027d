// SubnetPoller: the single observer of one subnet's ENIs, shared by every launch that asks about the subnet.
// An observation is one paginated DescribeNetworkInterfaces filtered by subnet-id (every state, every owner),
// stored and applied through the AdmissionService. Calls grow with subnets, not with waiting sensors:
// - Refresh(max_age) observes only when the latest observation is older than max_age;
// - concurrent callers share one call in flight (single-flight) and all get its outcome.
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "controller/admission_service.h"
#include "admission/observation.h"
#include "aws/ec2.h"
#include "base/clock.h"

namespace glueguard {

struct PollerStats {
  int64_t observations = 0;  // successful observations
  int64_t failures = 0;      // observations that failed (after the AWS client's retries)
  int64_t shared = 0;        // Refresh calls that joined an observation already in flight
  int64_t cached = 0;        // Refresh calls answered by an observation young enough
  std::optional<Observation> latest;
  Status last_error;  // of the latest failed observation; Ok when the latest attempt succeeded
  Time last_attempt{};
};

class SubnetPoller {
 public:
  // Every reference must outlive the poller.
  SubnetPoller(std::string subnet_id, Ec2Api& ec2, AdmissionService& admission, Clock& clock);

  // Makes sure an observation no older than `max_age` exists: returns at once when one does, joins the call
  // in flight when there is one, else observes (stores and applies it). Returns the time of the observation
  // now current, or the error of the call that was made (the previous observation stays current: a decision
  // on it is bounded by the subnet's stale_after). `reason` is stored with a new observation ("poll",
  // "admission").
  Result<Time> Refresh(Duration max_age, const std::string& reason, const std::string& run_id = "");

  PollerStats stats() const;
  const std::string& subnet_id() const { return subnet_id_; }

 private:
  Result<Observation> Observe(const std::string& reason, const std::string& run_id);

  const std::string subnet_id_;
  Ec2Api& ec2_;
  AdmissionService& admission_;
  Clock& clock_;

  mutable std::mutex mu_;
  std::condition_variable done_;
  bool in_flight_ = false;   // GUARDED_BY(mu_)
  uint64_t generation_ = 0;  // GUARDED_BY(mu_): completed observation attempts
  Status last_outcome_;      // GUARDED_BY(mu_): of the latest attempt
  PollerStats stats_;        // GUARDED_BY(mu_)
};

}  // namespace glueguard
