#include "controller/admission_service.h"

#include <fmt/format.h>

#include <iterator>

namespace glueguard {

namespace {

constexpr int kCommitAttempts = 3;
constexpr Duration kExpiryEvery = std::chrono::minutes(10);

}  // namespace

AdmissionService::AdmissionService(const Config& config, ObservationStore& store, Clock& clock,
                                   Random& random)
    : config_(config), store_(store), clock_(clock), random_(random) {}

Result<std::unique_ptr<AdmissionService>> AdmissionService::Create(const Config& config,
                                                                   ObservationStore& store, Clock& clock,
                                                                   Random& random) {
  std::unique_ptr<AdmissionService> service(new AdmissionService(config, store, clock, random));
  MutexLock lock(service->mu_);
  for (const SubnetConfig& subnet : config.subnets) {
    service->subnets_.emplace(subnet.id, SubnetAdmission(config.SettingsFor(subnet)));
    GG_RETURN_IF_ERROR(service->Load(subnet.id));
  }
  return service;
}

Status AdmissionService::Load(const std::string& subnet_id) {
  SubnetAdmission& subnet = subnets_.at(subnet_id);
  Result<SubnetState> state = store_.LoadSubnet(subnet_id);
  if (!state.ok()) return state.status().WithContext("loading " + subnet_id);
  const BufferPolicy& buffer = subnet.settings().buffer;
  const int window = buffer.HistoryWindow();
  Result<std::vector<Observation>> history = store_.LatestObservations(subnet_id, window);
  if (!history.ok()) return history.status().WithContext("loading observations of " + subnet_id);
  subnet.Restore(std::move(state->record), std::move(*history), std::move(state->reservations),
                 std::move(state->waiters));
  // The ENI change log: all of it the first time, afterwards what the replica observing the subnet added.
  const Time latest = subnet.timeline().latest_change();
  const Time after = latest != Time{} ? latest : clock_.Now() - buffer.forecast.learn_over;
  Result<std::vector<EniChange>> log = store_.EniChangesAfter(subnet_id, after);
  if (!log.ok()) return log.status().WithContext("loading the ENI changes of " + subnet_id);
  subnet.RestoreEnis(*log);
  return Status::Ok();
}

template <typename Change>
Status AdmissionService::Mutate(const std::string& subnet_id, Change&& change) {
  Status last;
  for (int attempt = 0; attempt < kCommitAttempts; ++attempt) {
    SubnetAdmission& current = subnets_.at(subnet_id);
    SubnetAdmission next = current;
    SubnetCommit commit;
    commit.expected_version = current.record().version;
    GG_RETURN_IF_ERROR(change(next, commit));
    if (commit.changes.empty() && commit.decisions.empty()) return Status::Ok();  // nothing to write
    commit.record = next.record();
    last = store_.Commit(commit);
    if (last.ok()) {
      next.MarkCommitted(commit.expected_version + 1);
      current = std::move(next);
      return Status::Ok();
    }
    if (last.code() != StatusCode::kFailedPrecondition) return last;
    // Another writer got there first: read what it wrote and decide again on that.
    GG_RETURN_IF_ERROR(Load(subnet_id));
  }
  return Status::Unavailable(fmt::format("{} kept changing under concurrent writers ({} attempts): {}",
                                         subnet_id, kCommitAttempts, last.message()));
}

Result<Decision> AdmissionService::Admit(const AdmissionRequest& request) {
  const Time now = clock_.Now();
  const CategoryConfig* category = config_.FindCategory(request.category);
  if (category == nullptr) {
    Decision d;
    d.outcome = Outcome::kReject;
    d.code = DecisionCode::kUnknownCategory;
    d.category = request.category;
    d.run_id = request.run_id;
    d.workers = request.workers;
    d.decided_at = now;
    std::vector<std::string> names;
    for (const CategoryConfig& c : config_.categories) names.push_back(c.name);
    d.reason = fmt::format("unknown category '{}'; configured: {}", request.category, fmt::join(names, ", "));
    return d;
  }
  Launch launch;
  launch.category = category->name;
  launch.run_id = request.run_id;
  launch.workers = request.workers;
  launch.needed_ips =
      request.workers > 0 ? request.workers * category->ips_per_worker + category->extra_ips_per_job : 0;
  launch.priority = request.priority.value_or(category->priority);

  MutexLock lock(mu_);
  Decision decision;
  Status s = Mutate(category->subnet_id, [&](SubnetAdmission& subnet, SubnetCommit& commit) {
    commit.changes = subnet.Expire(now);
    decision = subnet.Decide(launch, now, random_, commit.changes);
    commit.decisions.push_back(decision);
    return Status::Ok();
  });
  if (!s.ok()) return s.WithContext("admission of " + request.run_id);
  return decision;
}

Status AdmissionService::Observe(const Observation& o) {
  GG_RETURN_IF_ERROR(ValidateObservation(o));
  MutexLock lock(mu_);
  if (subnets_.find(o.subnet_id) == subnets_.end()) {
    return Status::InvalidArgument(fmt::format("subnet {} is not configured", o.subnet_id));
  }
  // The state commits first: its version condition is what checks the fence against the store, so an
  // observation whose poller was fenced off is never written, not even to the history.
  GG_RETURN_IF_ERROR(Mutate(o.subnet_id, [&](SubnetAdmission& subnet, SubnetCommit& commit) {
    if (o.fence > 0 && o.fence < subnet.record().poll_token) {
      return Status::FailedPrecondition(
          fmt::format("the observation of {} by {} was fenced off: its lease token {} is older than token {}, "
                      "which a later poller committed; not written",
                      o.subnet_id, o.observer.empty() ? "an unnamed observer" : o.observer, o.fence,
                      subnet.record().poll_token));
    }
    commit.changes = subnet.Observe(o);
    // Under a lease every observation commits, so the store checks its token even when nothing else changed.
    if (o.fence > 0) commit.changes.record_changed = true;
    return Status::Ok();
  }));
  return store_.AppendObservation(o);
}

Result<Observation> AdmissionService::Reload(const std::string& subnet_id) {
  MutexLock lock(mu_);
  auto it = subnets_.find(subnet_id);
  if (it == subnets_.end())
    return Status::InvalidArgument(fmt::format("subnet {} is not configured", subnet_id));
  GG_RETURN_IF_ERROR(Load(subnet_id));
  if (it->second.history().empty())
    return Status::NotFound(fmt::format("no observation of {} is stored yet", subnet_id));
  return it->second.history().front();
}

Status AdmissionService::Release(const std::string& reservation_id) {
  MutexLock lock(mu_);
  for (auto& [id, subnet] : subnets_) {
    for (const Reservation& r : subnet.reservations()) {
      if (r.id != reservation_id) continue;
      return Mutate(id, [&](SubnetAdmission& next, SubnetCommit& commit) {
        Result<SubnetChanges> changes = next.Release(reservation_id);
        if (!changes.ok()) return changes.status();
        commit.changes = std::move(*changes);
        return Status::Ok();
      });
    }
  }
  return Status::NotFound(fmt::format("no open reservation {}", reservation_id));
}

Status AdmissionService::ReportExhaustion(const std::string& category_or_subnet) {
  std::string subnet_id;
  if (const CategoryConfig* c = config_.FindCategory(category_or_subnet)) {
    subnet_id = c->subnet_id;
  } else if (const SubnetConfig* s = config_.FindSubnet(category_or_subnet)) {
    subnet_id = s->id;
  } else {
    return Status::InvalidArgument(
        fmt::format("'{}' is neither a configured category nor a configured subnet", category_or_subnet));
  }
  const Time now = clock_.Now();
  MutexLock lock(mu_);
  return Mutate(subnet_id, [&](SubnetAdmission& subnet, SubnetCommit& commit) {
    commit.changes = subnet.ReportExhaustion(now);
    return Status::Ok();
  });
}

Status AdmissionService::Sweep() {
  const Time now = clock_.Now();
  MutexLock lock(mu_);
  for (auto& [id, subnet] : subnets_) {
    Status s = Mutate(id, [&](SubnetAdmission& next, SubnetCommit& commit) {
      commit.changes = next.Expire(now);
      return Status::Ok();
    });
    if (!s.ok()) return s;
  }
  // Retention is in days: deleting what passed it every ten minutes is plenty (and cheap on DynamoDB).
  if (now - last_expiry_ < kExpiryEvery) return Status::Ok();
  Result<int64_t> expired = store_.ExpireBefore(now - config_.store.retention);
  if (expired.ok()) last_expiry_ = now;
  return expired.status();
}

bool AdmissionService::RefreshWorthACall(const std::string& subnet_id, const std::string& run_id, Time now,
                                         Duration poll_interval) const {
  MutexLock lock(mu_);
  auto it = subnets_.find(subnet_id);
  if (it == subnets_.end()) return true;
  const SubnetAdmission& subnet = it->second;
  if (!subnet.IsWaiting(run_id) || subnet.history().empty()) return true;  // a new launch gets a fresh view
  if (now - subnet.history().front().observed_at >= poll_interval) return true;
  return subnet.AnyWaiterFits(now);
}

std::vector<CleanupTail> AdmissionService::CleanupTailsAfter(const std::string& subnet_id, Time after) const {
  MutexLock lock(mu_);
  auto it = subnets_.find(subnet_id);
  if (it == subnets_.end()) return {};
  const std::deque<CleanupTail>& tails = it->second.timeline().tails();  // by gone_at
  auto first = tails.end();
  while (first != tails.begin() && std::prev(first)->gone_at > after) --first;
  return std::vector<CleanupTail>(first, tails.end());
}

Result<SubnetAdmission> AdmissionService::Snapshot(const std::string& subnet_id) const {
  MutexLock lock(mu_);
  auto it = subnets_.find(subnet_id);
  if (it == subnets_.end()) return Status::NotFound(fmt::format("subnet {} is not configured", subnet_id));
  return it->second;
}

}  // namespace glueguard
