// SubnetAdmission: the admission state of one subnet and the decisions over it. Pure: no I/O, no clock of its
// own (every call takes `now`), no locking (the owner serialises calls). Every call that changes state returns
// the change as a SubnetChanges, so the owner can persist exactly what changed.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "admission/buffer_policy.h"
#include "admission/decision.h"
#include "admission/eni_timeline.h"
#include "admission/observation.h"
#include "base/random.h"
#include "base/status.h"
#include "base/time.h"

namespace glueguard {

// "Admit only SLA-critical jobs" while the subnet is hot: on at `on_at` utilisation, off below `off_below`.
struct PriorityFloor {
  bool enabled = false;
  double on_at = 0.80;     // utilisation (total ENIs / capacity) at or above which the floor turns on
  double off_below = 0.60; // utilisation below which it turns off again
  int min_priority = 100;  // while on, launches below this priority wait
};

struct SubnetSettings {
  std::string subnet_id;
  int capacity = 0;  // usable IPs
  BufferPolicy buffer;
  Duration stale_after = std::chrono::minutes(2);       // an older observation never admits
  Duration reservation_ttl = std::chrono::minutes(15);  // an admit's IPs are held at most this long
  Duration max_wait = std::chrono::minutes(10);         // a waiter past this is rejected, loudly
  Duration waiter_idle_timeout = std::chrono::minutes(5);  // a waiter not heard from this long is dropped
  Duration cool_off = std::chrono::minutes(15);         // no admits this long after a reported exhaustion
  Duration retry_after = std::chrono::seconds(60);      // the wait a launcher is told before asking again
  bool strict_fifo = false;  // true: only the head waiter may be admitted; false: best effort
  PriorityFloor priority_floor;
  // Categories whose reservations only their roles' ENIs settle (role ARNs or names); the others take any
  // Glue ENI these roles do not claim.
  std::map<std::string, std::vector<std::string>> category_roles;
};

// IPs held for an admitted launch until an observation shows its ENIs or the TTL passes. With observations
// that list ENIs, each new Glue ENI settles one IP of the oldest reservation made before it appeared (of the
// categories its role belongs to, when categories name roles); with counts only, the net growth of the total
// does.
struct Reservation {
  std::string id;
  std::string subnet_id;
  std::string category;
  std::string run_id;
  int ips = 0;  // still held; observations showing new ENIs reduce it
  Time created_at{};
  Time expires_at{};
};

// A launch told to wait, kept so that its place in the queue and its waiting time survive between pokes.
struct Waiter {
  std::string subnet_id;
  std::string run_id;
  std::string category;
  int needed_ips = 0;
  int priority = 0;
  int64_t sequence = 0;  // arrival order within the subnet
  Time first_seen{};
  Time last_seen{};
};

// The per-subnet scalars that persist with a version, so concurrent writers can be detected.
struct SubnetRecord {
  std::string subnet_id;
  int64_t version = 0;  // 0 = never written
  Time cool_off_until{};
  bool priority_floor_active = false;
  int last_total = -1;  // total ENIs of the latest observation applied; -1 = none yet
  int64_t next_sequence = 1;
  int64_t poll_token = 0;  // the highest poller-lease token an observation was committed with (0 = none)
};

struct SubnetChanges {
  std::vector<Reservation> put_reservations;
  std::vector<std::string> delete_reservations;  // ids
  std::vector<Waiter> put_waiters;
  std::vector<std::string> delete_waiters;  // run ids
  std::vector<EniChange> eni_changes;       // the ENI change log's new lines, in order
  bool record_changed = false;

  bool empty() const;
  void Merge(SubnetChanges other);
};

class SubnetAdmission {
 public:
  explicit SubnetAdmission(SubnetSettings settings);

  // Replaces the state with what was persisted. `history` is newest first.
  void Restore(SubnetRecord record, std::vector<Observation> history, std::vector<Reservation> reservations,
               std::vector<Waiter> waiters);
  // Adds persisted lines of the ENI change log (oldest first, newer than timeline().latest_change()) to the
  // timeline: at start-up the whole log, later what another replica observed since. The next observation
  // that lists ENIs after the first restore is a baseline: lines of long-lived ENIs may have passed retention.
  void RestoreEnis(const std::vector<EniChange>& log);

  // Applies an observation: it joins the history; new ENIs (or, for a counts-only observation, net growth in
  // total ENIs) since the previous one settle open reservations made before it, oldest first; the ENI
  // timeline takes its changes; the priority floor follows the new utilisation.
  // REQUIRES: ValidateObservation(o).ok() and o.subnet_id == settings().subnet_id.
  SubnetChanges Observe(const Observation& o);

  // Decides a launch and applies the outcome: an admit reserves its IPs and ends its wait, a wait records or
  // refreshes the waiter, a reject ends its wait. The changes are added to `changes`.
  Decision Decide(const Launch& launch, Time now, Random& random, SubnetChanges& changes);

  // An IP-exhaustion failure was reported: nothing is admitted until now + cool_off.
  SubnetChanges ReportExhaustion(Time now);

  // Ends a reservation. NotFound when no open reservation has that id.
  Result<SubnetChanges> Release(const std::string& reservation_id);

  // Drops reservations past their TTL and waiters not heard from within waiter_idle_timeout.
  SubnetChanges Expire(Time now);

  // Records that the state was persisted as `version`.
  void MarkCommitted(int64_t version) { record_.version = version; }

  // Whether any waiter would be admitted at `now` on the view in hand (nothing changes). One decision is
  // evaluated, however many wait: the waiter that fits first if any does (under strict FIFO the head of the
  // queue, otherwise the smallest launch the priority floor lets in).
  bool AnyWaiterFits(Time now) const;
  // Whether `run_id` is waiting.
  bool IsWaiting(const std::string& run_id) const;

  // Sum of IPs held by reservations that have not expired at `now`.
  int ReservedIps(Time now) const;
  // Utilisation of the latest observation (total / capacity), 0 without one.
  double Utilisation() const;

  // What the buffer policy sets aside beside a launch at `now`: rolling-max's or static's buffer, or the
  // forecast's allowance (then `releases` offset it) once the forecast is ready.
  struct SetAsideIps {
    int ips = 0;
    int releases = 0;
    bool forecasting = false;  // the forecast decided (else the policy's buffer, or forecast's fallback)
    bool kept_free = false;    // forecasting, and keep_free rather than the learned growth bound
    std::string fallback;      // forecast not ready: why, as " (rolling-max: ...)"
    int net() const { return ips - releases; }
  };
  SetAsideIps SetAside(Time now) const;

  const SubnetSettings& settings() const { return settings_; }
  const SubnetRecord& record() const { return record_; }
  const std::vector<Observation>& history() const { return history_; }  // newest first
  const std::vector<Reservation>& reservations() const { return reservations_; }
  const std::vector<Waiter>& waiters() const { return waiters_; }  // in queue order
  const EniTimeline& timeline() const { return *timeline_; }

 private:
  // The decision without its side effects.
  Decision Evaluate(const Launch& launch, Time now) const;
  void SortWaiters();
  // Settles reservations made before `o` by the Glue ENIs it shows for the first time, marking those
  // appearances controlled.
  void SettleByIdentity(const Observation& o, std::vector<EniChange>& changes, SubnetChanges& out);
  // Settles reservations made before `o` by the net growth of the total since the previous observation.
  void SettleByGrowth(const Observation& o, SubnetChanges& out);
  // A sentence on when the forecast expects a launch short of `shortfall` IPs to fit, and the wait it implies.
  std::pair<std::string, Duration> PredictFit(int shortfall, Time now) const;

  SubnetSettings settings_;
  SubnetRecord record_;
  std::vector<Observation> history_;
  std::vector<Reservation> reservations_;  // oldest first
  std::vector<Waiter> waiters_;
  // Shared between copies until one of them observes (copy on write): decisions copy the state, not the log.
  std::shared_ptr<EniTimeline> timeline_;
  bool baseline_pending_ = true;  // the next listing sets the baseline (first ever, or first since a restart)
};

}  // namespace glueguard
