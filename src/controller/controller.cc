#include "controller/controller.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <iostream>

namespace glueguard {
namespace {

// A lease outlives the poll interval by this much, so that a holder renewing every interval keeps it.
constexpr Duration kLeaseSlack = std::chrono::seconds(30);

}  // namespace

Result<std::unique_ptr<Controller>> Controller::Create(ControllerDeps deps) {
  std::unique_ptr<Controller> c(new Controller(deps));
  Result<std::unique_ptr<AdmissionService>> admission =
      AdmissionService::Create(deps.config, deps.store, deps.clock, deps.random);
  if (!admission.ok()) return admission.status();
  c->admission_ = std::move(*admission);
  c->started_at_ = deps.clock.Now();
  Result<ControllerMetrics> metrics = ControllerMetrics::Register(deps.metrics);
  if (!metrics.ok()) return metrics.status();
  c->metrics_ = *metrics;
  GG_RETURN_IF_ERROR(RegisterSubnetGauges(deps.metrics, *c, deps.clock));
  for (const SubnetConfig& s : deps.config.subnets) {
    c->pollers_[s.id] = std::make_unique<SubnetPoller>(
        s.id, deps.ec2, *c->admission_, deps.clock,
        PollerLeasing{deps.lease, deps.replica_id, deps.config.admission.poll_interval + kLeaseSlack});
  }
  return c;
}

bool Controller::RefreshWorthACall(const std::string& subnet_id, const std::string& run_id) const {
  if (deps_.config.server.refresh_for_every_waiter) return true;
  return admission_->RefreshWorthACall(subnet_id, run_id, deps_.clock.Now(),
                                       deps_.config.admission.poll_interval);
}

Result<Decision> Controller::Admit(const AdmissionRequest& request) {
  if (const CategoryConfig* category = deps_.config.FindCategory(request.category)) {
    const SubnetConfig* subnet = deps_.config.FindSubnet(category->subnet_id);
    SubnetPoller& poller = *pollers_.at(category->subnet_id);
    if (RefreshWorthACall(category->subnet_id, request.run_id)) {
      // A failure leaves the previous view in place; the decision core will not admit on it once it is stale.
      Result<Time> refreshed =
          poller.Refresh(deps_.config.server.on_demand_max_age, "admission", request.run_id);
      CountRefresh(category->subnet_id, refreshed);
      AfterRefresh(*subnet, poller);
    }
  }
  Result<Decision> decision = admission_->Admit(request);
  if (!decision.ok()) {
    metrics_.store_errors->With({}).Increment();
    return decision;
  }
  const std::string category = decision->category.empty() ? request.category : decision->category;
  metrics_.decisions
      ->With({{"category", category},
              {"outcome", OutcomeName(decision->outcome)},
              {"code", DecisionCodeName(decision->code)}})
      .Increment();
  if (decision->outcome == Outcome::kAdmit) {
    metrics_.wait_seconds->With({{"category", category}})
        .Observe(static_cast<double>(decision->waited.count()) / 1000.0);
  }
  return decision;
}

Status Controller::Release(const std::string& reservation_id) { return admission_->Release(reservation_id); }

Status Controller::ReportFailure(const std::string& category_or_subnet) {
  Status s = admission_->ReportExhaustion(category_or_subnet);
  if (!s.ok()) return s;
  metrics_.exhaustion_reports->With({{"target", category_or_subnet}}).Increment();
  const CategoryConfig* category = deps_.config.FindCategory(category_or_subnet);
  const SubnetConfig* subnet = deps_.config.FindSubnet(category ? category->subnet_id : category_or_subnet);
  if (subnet) {
    const Time now = deps_.clock.Now();
    MutexLock lock(mu_);
    std::vector<Time>& reports = exhaustion_reports_[subnet->id];
    std::erase_if(reports, [&](Time t) { return now - t > std::chrono::hours(48); });
    reports.push_back(now);
  }
  return s;
}

void Controller::Tick() {
  // The subnets due for their poll are listed together: one paginated call for all of them.
  const Duration interval = deps_.config.admission.poll_interval;
  std::vector<std::string> due;
  for (const SubnetConfig& s : deps_.config.subnets) {
    if (pollers_.at(s.id)->Due(interval)) due.push_back(s.id);
  }
  BatchedEniLister lister(deps_.ec2, due);
  for (const SubnetConfig& s : deps_.config.subnets) {
    SubnetPoller& poller = *pollers_.at(s.id);
    CountRefresh(s.id, poller.Refresh(interval, "poll", "", due.size() > 1 ? &lister : nullptr));
    AfterRefresh(s, poller);
  }
  if (Status swept = admission_->Sweep(); !swept.ok()) metrics_.store_errors->With({}).Increment();
}

void Controller::AfterRefresh(const SubnetConfig& subnet, SubnetPoller& poller) {
  const PollerStats stats = poller.stats();
  if (!stats.latest) return;
  // With replicas, the one that made an observation alerts on it; the others only adopted it (else every
  // replica would send every alert).
  if (deps_.lease != nullptr && stats.latest->observer != deps_.replica_id) return;
  {
    MutexLock lock(mu_);
    Time& seen = evaluated_[subnet.id];
    if (stats.latest->observed_at <= seen) return;
    seen = stats.latest->observed_at;
  }
  if (std::optional<Notification> n = alerts_.Evaluate(subnet, *stats.latest)) {
    if (n->kind == "alert_firing") metrics_.alerts_fired->With({{"subnet", subnet.id}}).Increment();
    Notify(*n);
  }
}

void Controller::CountRefresh(const std::string& subnet_id, const Result<Time>& refreshed) {
  // Only calls that observed count: a cached or shared answer made no call of its own.
  const PollerStats stats = pollers_.at(subnet_id)->stats();
  MutexLock lock(mu_);
  CountedCalls& counted = counted_[subnet_id];
  const bool new_view = stats.observations + stats.adopted > counted.views;
  counted.views = stats.observations + stats.adopted;
  if (stats.observations > counted.observations) {
    metrics_.observations->With({{"subnet", subnet_id}, {"result", "ok"}})
        .Increment(static_cast<double>(stats.observations - counted.observations));
    counted.observations = stats.observations;
  }
  if (stats.failures > counted.failures) {
    metrics_.observations->With({{"subnet", subnet_id}, {"result", "error"}})
        .Increment(static_cast<double>(stats.failures - counted.failures));
    counted.failures = stats.failures;
  }
  (void)refreshed;
  if (!new_view) return;
  // Cleanup tails go into the histogram once, from the replica that measured them: the ones a restart
  // replayed or another replica observed only move the mark.
  if (counted.tails_through == Time{}) counted.tails_through = started_at_;
  const Time through = counted.tails_through;
  lock.Unlock();
  const std::vector<CleanupTail> added = admission_->CleanupTailsAfter(subnet_id, through);
  const bool observed_here = stats.latest && stats.latest->observer == deps_.replica_id;
  lock.Lock();
  CountedCalls& marks = counted_[subnet_id];
  // Several tails end at one observation: all of them count. Those at or before the mark as it stands now
  // were counted meanwhile by another thread's refresh.
  const Time counted_through = marks.tails_through;
  for (const CleanupTail& t : added) {
    if (t.gone_at <= counted_through) continue;
    if (observed_here) {
      metrics_.cleanup_tail_seconds->With({{"subnet", subnet_id}})
          .Observe(static_cast<double>(t.available_for.count()) / 1000.0);
    }
    marks.tails_through = std::max(marks.tails_through, t.gone_at);
  }
}

void Controller::Notify(const Notification& n) {
  const Status s = deps_.notifier.Notify(n);
  metrics_.notifications->With({{"kind", n.kind}, {"result", s.ok() ? "sent" : "failed"}}).Increment();
  if (!s.ok()) {
    deps_.log(fmt::format("notification '{}' not delivered: {}", n.subject, s.ToString()));
  }
}

std::vector<SubnetStatus> Controller::Subnets() const {
  std::vector<SubnetStatus> out;
  const Time now = deps_.clock.Now();
  for (const SubnetConfig& s : deps_.config.subnets) {
    SubnetStatus status;
    status.config = &s;
    status.poller = pollers_.at(s.id)->stats();
    Result<SubnetAdmission> snapshot = admission_->Snapshot(s.id);
    if (snapshot.ok()) {
      status.reserved_ips = snapshot->ReservedIps(now);
      status.open_reservations = static_cast<int>(
          std::count_if(snapshot->reservations().begin(), snapshot->reservations().end(),
                        [&](const Reservation& r) { return r.expires_at > now && r.ips > 0; }));
      status.waiters = static_cast<int>(snapshot->waiters().size());
      status.buffer_ips = std::max(0, snapshot->SetAside(now).net());
      const std::vector<double> quantiles = {0.5, 0.9, 0.95, 0.99};
      status.cleanup_tail = SummariseTails(snapshot->timeline(), quantiles);
      for (const CleanupTail& t : snapshot->timeline().tails()) {
        if (!status.cleanup_tail_by_role.contains(t.role)) {
          status.cleanup_tail_by_role[t.role] = SummariseTails(snapshot->timeline(), quantiles, t.role);
        }
      }
      status.priority_floor_active = snapshot->record().priority_floor_active;
      status.cool_off_until = snapshot->record().cool_off_until;
      status.stale = snapshot->history().empty() ||
                     now - snapshot->history().front().observed_at > snapshot->settings().stale_after;
    }
    out.push_back(status);
  }
  return out;
}

Result<std::vector<Observation>> Controller::Observations(const std::string& subnet, int limit) const {
  const SubnetConfig* s = deps_.config.FindSubnet(subnet);
  if (!s) return Status::NotFound(fmt::format("no subnet '{}' is configured", subnet));
  return deps_.store.LatestObservations(s->id, limit);
}

Result<std::vector<Observation>> Controller::ObservationsBetween(const std::string& subnet_id, Time from,
                                                                 Time to) const {
  return deps_.store.ObservationsBetween(subnet_id, from, to);
}

Result<std::vector<Decision>> Controller::DecisionsBetween(const std::string& subnet_id, Time from, Time to,
                                                           int limit) const {
  return deps_.store.DecisionsBetween(subnet_id, from, to, limit);
}

ExhaustionReports Controller::ExhaustionsSince(const std::string& subnet_id, Time since) const {
  ExhaustionReports out;
  if (Result<SubnetAdmission> snapshot = admission_->Snapshot(subnet_id);
      snapshot.ok() && snapshot->record().cool_off_until != Time{}) {
    out.last = snapshot->record().cool_off_until - snapshot->settings().cool_off;
  }
  MutexLock lock(mu_);
  auto it = exhaustion_reports_.find(subnet_id);
  if (it != exhaustion_reports_.end()) {
    for (Time t : it->second) {
      if (t >= since) ++out.count;
      if (!out.last || t > *out.last) out.last = t;
    }
  }
  if (out.count == 0 && out.last && *out.last >= since) out.count = 1;
  return out;
}

bool Controller::Ready() const {
  for (const SubnetStatus& s : Subnets()) {
    if (s.stale) return false;
  }
  return true;
}

}  // namespace glueguard
