#include "controller/subnet_poller.h"

namespace glueguard {

SubnetPoller::SubnetPoller(std::string subnet_id, Ec2Api& ec2, AdmissionService& admission, Clock& clock)
    : subnet_id_(std::move(subnet_id)), ec2_(ec2), admission_(admission), clock_(clock) {}

Result<Time> SubnetPoller::Refresh(Duration max_age, const std::string& reason, const std::string& run_id) {
  std::unique_lock<std::mutex> lock(mu_);
  if (stats_.latest && clock_.Now() - stats_.latest->observed_at <= max_age) {
    ++stats_.cached;
    return stats_.latest->observed_at;
  }
  if (in_flight_) {
    ++stats_.shared;
    const uint64_t waiting_for = generation_ + 1;
    done_.wait(lock, [&] { return generation_ >= waiting_for; });
    if (!last_outcome_.ok()) return last_outcome_;
    return stats_.latest->observed_at;
  }
  in_flight_ = true;
  stats_.last_attempt = clock_.Now();
  lock.unlock();
  Result<Observation> observed = Observe(reason, run_id);
  lock.lock();
  in_flight_ = false;
  ++generation_;
  if (observed.ok()) {
    ++stats_.observations;
    stats_.latest = *observed;
    stats_.last_error = Status::Ok();
    last_outcome_ = Status::Ok();
  } else {
    ++stats_.failures;
    stats_.last_error = observed.status();
    last_outcome_ = observed.status();
  }
  done_.notify_all();
  if (!observed.ok()) return observed.status();
  return observed->observed_at;
}

Result<Observation> SubnetPoller::Observe(const std::string& reason, const std::string& run_id) {
  DescribeNetworkInterfacesRequest request;
  request.filters = {{"subnet-id", {subnet_id_}}};
  request.max_results = 1000;
  Result<std::vector<NetworkInterface>> enis = DescribeAllNetworkInterfaces(ec2_, request);
  if (!enis.ok()) {
    return enis.status().WithContext("observing " + subnet_id_);
  }
  Observation o;
  o.subnet_id = subnet_id_;
  o.observed_at = clock_.Now();
  o.run_id = run_id;
  o.reason = reason;
  for (const NetworkInterface& eni : *enis) {
    ++o.total_enis;
    if (eni.status == "in-use") {
      ++o.in_use;
    } else if (eni.status == "available") {
      ++o.available;
    } else {
      ++o.other;
    }
  }
  GG_RETURN_IF_ERROR(admission_.Observe(o));
  return o;
}

PollerStats SubnetPoller::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace glueguard
