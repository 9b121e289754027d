// Controller: what `glueguard serve` runs. One SubnetPoller per configured subnet, the AdmissionService over
// the store, utilisation alerts through a Notifier, and the numbers the API and the metrics report.
//
// - Admit refreshes the subnet's view when it is older than server.on_demand_max_age (one EC2 call shared by
//   every concurrent request), then decides. A failed refresh does not block the decision: the decision core
//   refuses to admit on a view older than stale_after, so a stale view never admits.
// - Tick, called about once a second by the owner, observes each subnet whose view is older than
//   admission.poll_interval, evaluates alerts on every new observation, and sweeps expired reservations and
//   idle waiters.
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/ec2.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/mutex.h"
#include "config/config.h"
#include "controller/admission_service.h"
#include "controller/alerts.h"
#include "controller/controller_metrics.h"
#include "controller/subnet_poller.h"
#include "notify/notifier.h"
#include "store/observation_store.h"

namespace glueguard {

struct ControllerDeps {
  const Config& config;
  ObservationStore& store;
  Ec2Api& ec2;
  Notifier& notifier;
  Clock& clock;
  Random& random;
  MetricsRegistry& metrics;  // the controller registers its families here (controller_metrics.h)
  // With a store shared by replicas: each subnet is observed by the one replica holding its lease; the others
  // take its observations from the store. nullptr: this process observes every subnet itself.
  PollerLease* lease = nullptr;
  std::string replica_id = {};  // who this process is, in leases and on its observations
  Log log = Log::Stderr();      // notifications not delivered
};

struct SubnetStatus {
  const SubnetConfig* config = nullptr;
  PollerStats poller;
  int reserved_ips = 0;
  int open_reservations = 0;  // admitted launches whose ENIs have not all shown up yet (nor expired)
  int waiters = 0;
  int buffer_ips = 0;
  bool priority_floor_active = false;
  Time cool_off_until{};
  bool stale = true;  // no observation, or the latest is older than stale_after
  // The measured cleanup tail (time Glue ENIs stayed available before deletion) over the learning window,
  // at p50, p90, p95 and p99; and the same per Glue role.
  TailSummary cleanup_tail;
  std::map<std::string, TailSummary> cleanup_tail_by_role;
};

// IP-exhaustion failures reported for one subnet.
struct ExhaustionReports {
  int count = 0;             // reports at or after the time asked about
  std::optional<Time> last;  // the latest report on record; nullopt when there is none
};

class Controller {
 public:
  // Loads the admission state of every subnet from the store. Every dependency must outlive the controller.
  static Result<std::unique_ptr<Controller>> Create(ControllerDeps deps);

  // Decides a launch (see the file comment). Errors only when the store failed (nothing was decided).
  // A launch already waiting gets an on-demand refresh only when some waiter would fit on the view in hand
  // or the view is due for its poll: a fresh view that changes nothing costs a call and admits no one.
  Result<Decision> Admit(const AdmissionRequest& request);
  // NotFound when no subnet holds the reservation.
  Status Release(const std::string& reservation_id);
  // A launch of a category (or a subnet, by id or name) failed with IP exhaustion: cool-off starts.
  Status ReportFailure(const std::string& category_or_subnet) GG_EXCLUDES(mu_);
  // One round of background work (see the file comment).
  void Tick() GG_EXCLUDES(mu_);

  std::vector<SubnetStatus> Subnets() const;
  // The latest `limit` observations of a subnet (by id or name), newest first. NotFound for an unknown
  // subnet.
  Result<std::vector<Observation>> Observations(const std::string& subnet, int limit) const;
  // Every subnet has a view that is not stale.
  bool Ready() const;
  // The controller's clock: "today" on the dashboard is its UTC day.
  Time Now() const { return deps_.clock.Now(); }
  // Stored observations of a configured subnet (by id) with from <= observed_at < to, oldest first.
  Result<std::vector<Observation>> ObservationsBetween(const std::string& subnet_id, Time from,
                                                       Time to) const;
  // The audit log of a subnet (by id): up to `limit` decisions with from <= decided_at < to, newest first.
  Result<std::vector<Decision>> DecisionsBetween(const std::string& subnet_id, Time from, Time to,
                                                 int limit) const;
  // Exhaustion reports for a subnet (by id) at or after `since`. The latest report's time comes from the
  // subnet's stored cool-off (cool_off_until - cool_off), so it survives a restart; the count is kept since
  // the process started, and is at least 1 when the stored latest report falls at or after `since`.
  ExhaustionReports ExhaustionsSince(const std::string& subnet_id, Time since) const GG_EXCLUDES(mu_);
  std::vector<FiringAlert> FiringAlerts() const { return alerts_.Firing(); }
  int64_t AlertsFired() const { return alerts_.fired_total(); }
  const Config& config() const { return deps_.config; }

 private:
  explicit Controller(ControllerDeps deps) : deps_(deps) {}
  // Evaluates alerts when the poller has an observation newer than the last one evaluated.
  void AfterRefresh(const SubnetConfig& subnet, SubnetPoller& poller) GG_EXCLUDES(mu_);
  void Notify(const Notification& n);
  // Counts the observations a poller made since the last count (a refresh may have joined another's call).
  void CountRefresh(const std::string& subnet_id, const Result<Time>& refreshed) GG_EXCLUDES(mu_);

  ControllerDeps deps_;
  std::unique_ptr<AdmissionService> admission_;
  std::map<std::string, std::unique_ptr<SubnetPoller>> pollers_;  // by subnet id; fixed after Create
  UtilisationAlerts alerts_;
  ControllerMetrics metrics_;

  mutable Mutex mu_;
  std::map<std::string, Time> evaluated_ GG_GUARDED_BY(mu_);  // latest observation time alerts have seen
  struct CountedCalls {
    int64_t observations = 0;
    int64_t failures = 0;
    int64_t views = 0;     // observations made and adopted: a new one may bring new cleanup tails
    Time tails_through{};  // cleanup tails measured up to here are in the histogram (or were not this
                           // replica's)
  };
  std::map<std::string, CountedCalls> counted_ GG_GUARDED_BY(mu_);
  // Whether an admission of `run_id` should refresh the subnet's view first (see Admit).
  bool RefreshWorthACall(const std::string& subnet_id, const std::string& run_id) const;
  Time started_at_{};  // tails measured before are not counted again
  // Exhaustion reports by subnet id, oldest first; only the last two days are kept.
  std::map<std::string, std::vector<Time>> exhaustion_reports_ GG_GUARDED_BY(mu_);
};

}  // namespace glueguard
