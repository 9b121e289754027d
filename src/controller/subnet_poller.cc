#include "controller/subnet_poller.h"

#include <fmt/format.h>

#include <algorithm>

#include "admission/eni_timeline.h"

namespace glueguard {

namespace {

// A holder stops writing as the poller this long before its grant expires: the most the replicas' clocks may
// disagree by (NTP keeps them within milliseconds) plus the time a store write takes.
constexpr Duration kLeaseMargin = std::chrono::seconds(5);

}  // namespace

SubnetPoller::SubnetPoller(std::string subnet_id, Ec2Api& ec2, AdmissionService& admission, Clock& clock,
                           PollerLeasing leasing)
    : subnet_id_(std::move(subnet_id)),
      ec2_(ec2),
      admission_(admission),
      clock_(clock),
      leasing_(std::move(leasing)) {}

BatchedEniLister::BatchedEniLister(Ec2Api& ec2, std::vector<std::string> subnet_ids)
    : ec2_(ec2), subnet_ids_(std::move(subnet_ids)) {}

Result<std::vector<NetworkInterface>> BatchedEniLister::ListFor(const std::string& subnet_id) {
  MutexLock lock(mu_);
  if (!listed_) {
    listed_ = true;
    for (size_t begin = 0; begin < subnet_ids_.size(); begin += kSubnetsPerFilter) {
      const size_t end = std::min(subnet_ids_.size(), begin + kSubnetsPerFilter);
      DescribeNetworkInterfacesRequest request;
      request.filters = {{"subnet-id", {subnet_ids_.begin() + static_cast<std::ptrdiff_t>(begin),
                                        subnet_ids_.begin() + static_cast<std::ptrdiff_t>(end)}}};
      request.max_results = 1000;
      Result<std::vector<NetworkInterface>> enis = DescribeAllNetworkInterfaces(ec2_, request);
      for (size_t i = begin; i < end; ++i) {
        if (!enis.ok()) {
          by_subnet_.insert_or_assign(subnet_ids_[i], enis.status());
        } else {
          by_subnet_.insert_or_assign(subnet_ids_[i], std::vector<NetworkInterface>{});
        }
      }
      if (!enis.ok()) continue;
      for (NetworkInterface& eni : *enis) {
        auto share = by_subnet_.find(eni.subnet_id);
        if (share != by_subnet_.end()) share->second->push_back(std::move(eni));
      }
    }
  }
  auto share = by_subnet_.find(subnet_id);
  if (share == by_subnet_.end()) {
    return Status::InvalidArgument(fmt::format("{} is not one of the subnets this batch lists", subnet_id));
  }
  return share->second;
}

bool BatchedEniLister::Covers(const std::string& subnet_id) const {
  return std::find(subnet_ids_.begin(), subnet_ids_.end(), subnet_id) != subnet_ids_.end();
}

bool SubnetPoller::Fresh(Duration max_age, Time now) const {
  return stats_.latest && (now - stats_.latest->observed_at <= max_age || now - adopted_at_ <= max_age);
}

bool SubnetPoller::Due(Duration max_age) const {
  MutexLock lock(mu_);
  return !in_flight_ && !Fresh(max_age, clock_.Now());
}

Result<Time> SubnetPoller::Refresh(Duration max_age, const std::string& reason, const std::string& run_id,
                                   BatchedEniLister* lister) {
  MutexLock lock(mu_);
  const Time now = clock_.Now();
  if (Fresh(max_age, now)) {
    ++stats_.cached;
    return stats_.latest->observed_at;
  }
  if (in_flight_) {
    ++stats_.shared;
    const uint64_t waiting_for = generation_ + 1;
    while (generation_ < waiting_for) done_.Wait(mu_);
    if (!last_outcome_.ok()) return last_outcome_;
    return stats_.latest->observed_at;
  }
  in_flight_ = true;
  stats_.last_attempt = clock_.Now();
  lock.Unlock();
  Result<std::pair<Observation, bool>> observed = Observe(reason, run_id, lister);
  lock.Lock();
  in_flight_ = false;
  ++generation_;
  if (observed.ok()) {
    if (observed->second) {
      ++stats_.observations;
      adopted_at_ = Time{};
    } else {
      ++stats_.adopted;
      adopted_at_ = clock_.Now();
    }
    stats_.latest = observed->first;
    stats_.latest->enis.reset();  // the timeline keeps what the list said; the stats are copied often
    stats_.last_error = Status::Ok();
    last_outcome_ = Status::Ok();
  } else {
    ++stats_.failures;
    stats_.last_error = observed.status();
    last_outcome_ = observed.status();
  }
  done_.NotifyAll();
  if (!observed.ok()) return observed.status();
  return observed->first.observed_at;
}

Result<std::pair<Observation, bool>> SubnetPoller::Observe(const std::string& reason, const std::string& run_id,
                                                           BatchedEniLister* lister) {
  LeaseGrant grant;
  if (leasing_.lease != nullptr) {
    Result<LeaseGrant> acquired =
        leasing_.lease->Acquire("poll#" + subnet_id_, leasing_.replica_id, clock_.Now(), leasing_.ttl);
    if (!acquired.ok()) return acquired.status().WithContext("taking the lease on " + subnet_id_);
    grant = *acquired;
    if (!grant.held) {
      Result<Observation> adopted = admission_.Reload(subnet_id_);
      if (!adopted.ok()) {
        return adopted.status().WithContext(
            fmt::format("reading {} as observed by {}", subnet_id_, grant.holder));
      }
      return std::make_pair(*adopted, false);
    }
  }
  Result<std::vector<NetworkInterface>> enis = [&]() -> Result<std::vector<NetworkInterface>> {
    if (lister != nullptr && lister->Covers(subnet_id_)) return lister->ListFor(subnet_id_);
    DescribeNetworkInterfacesRequest request;
    request.filters = {{"subnet-id", {subnet_id_}}};
    request.max_results = 1000;
    return DescribeAllNetworkInterfaces(ec2_, request);
  }();
  if (!enis.ok()) {
    return enis.status().WithContext("observing " + subnet_id_);
  }
  Observation o;
  o.subnet_id = subnet_id_;
  o.observed_at = clock_.Now();
  o.run_id = run_id;
  o.reason = reason;
  o.observer = leasing_.replica_id;
  o.fence = grant.token;  // 0 without a lease
  o.enis.emplace();
  o.enis->reserve(enis->size());
  for (const NetworkInterface& eni : *enis) {
    o.enis->push_back({eni.id, eni.status, GlueRoleOf(eni.description), IsGlueEni(eni)});
    ++o.total_enis;
    if (eni.status == "in-use") {
      ++o.in_use;
    } else if (eni.status == "available") {
      ++o.available;
    } else {
      ++o.other;
    }
  }
  // A holder whose grant ran out while it observed (a long EC2 call, a paused process) is no longer the
  // poller: another replica may hold the lease now, so this observation is dropped, never written.
  if (leasing_.lease != nullptr && clock_.Now() >= grant.until - kLeaseMargin) {
    return Status::Unavailable(fmt::format("the lease on {} (token {}) ran out while observing; not written",
                                           subnet_id_, grant.token));
  }
  GG_RETURN_IF_ERROR(admission_.Observe(o));
  return std::make_pair(o, true);
}

PollerStats SubnetPoller::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

}  // namespace glueguard
