#include "admission/subnet_admission.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>

#include "admission/forecast.h"

namespace glueguard {

bool SubnetChanges::empty() const {
  return put_reservations.empty() && delete_reservations.empty() && put_waiters.empty() &&
         delete_waiters.empty() && eni_changes.empty() && !record_changed;
}

void SubnetChanges::Merge(SubnetChanges other) {
  for (auto& r : other.put_reservations) put_reservations.push_back(std::move(r));
  for (auto& id : other.delete_reservations) delete_reservations.push_back(std::move(id));
  for (auto& w : other.put_waiters) put_waiters.push_back(std::move(w));
  for (auto& id : other.delete_waiters) delete_waiters.push_back(std::move(id));
  for (auto& c : other.eni_changes) eni_changes.push_back(std::move(c));
  record_changed = record_changed || other.record_changed;
}

SubnetAdmission::SubnetAdmission(SubnetSettings settings)
    : settings_(std::move(settings)),
      timeline_(std::make_shared<EniTimeline>(settings_.subnet_id, settings_.buffer.forecast.learn_over)) {
  record_.subnet_id = settings_.subnet_id;
}

void SubnetAdmission::Restore(SubnetRecord record, std::vector<Observation> history,
                              std::vector<Reservation> reservations, std::vector<Waiter> waiters) {
  record_ = std::move(record);
  record_.subnet_id = settings_.subnet_id;
  history_ = std::move(history);
  reservations_ = std::move(reservations);
  std::sort(reservations_.begin(), reservations_.end(), [](const Reservation& a, const Reservation& b) {
    return a.created_at != b.created_at ? a.created_at < b.created_at : a.id < b.id;
  });
  waiters_ = std::move(waiters);
  SortWaiters();
}

void SubnetAdmission::RestoreEnis(const std::vector<EniChange>& log) {
  if (log.empty()) return;
  timeline_ = std::make_shared<EniTimeline>(*timeline_);
  timeline_->Record(log);
}

void SubnetAdmission::SortWaiters() {
  std::sort(waiters_.begin(), waiters_.end(), [](const Waiter& a, const Waiter& b) {
    if (a.priority != b.priority) return a.priority > b.priority;
    return a.sequence < b.sequence;
  });
}

namespace {

// How many observations of history to keep: enough for the buffer window, never fewer than one.
size_t HistoryLimit(const SubnetSettings& s) {
  return static_cast<size_t>(std::max(1, s.buffer.HistoryWindow()));
}

}  // namespace

SubnetChanges SubnetAdmission::Observe(const Observation& o) {
  assert(o.subnet_id == settings_.subnet_id);
  SubnetChanges changes;
  if (o.fence > record_.poll_token) {
    record_.poll_token = o.fence;
    changes.record_changed = true;
  }
  // The same observation again (a retried write) replaces the one held.
  std::erase_if(history_, [&](const Observation& h) { return h.observed_at == o.observed_at; });
  // Keep the history newest first; an out-of-order (older) observation still counts for the buffer.
  auto pos = std::find_if(history_.begin(), history_.end(),
                          [&](const Observation& h) { return h.observed_at <= o.observed_at; });
  const bool newest = pos == history_.begin();
  pos = history_.insert(pos, o);
  pos->enis.reset();  // the timeline keeps what the lists said
  if (history_.size() > HistoryLimit(settings_)) history_.resize(HistoryLimit(settings_));
  if (!newest) return changes;  // settling and the floor follow the latest state only

  if (o.enis) {
    std::vector<EniChange> eni_changes = timeline_->Diff(o.observed_at, *o.enis);
    if (baseline_pending_) {
      baseline_pending_ = false;
      // The first list: every ENI is new to the timeline, none to the subnet. It sets the baseline and
      // neither settles reservations by identity nor counts as uncontrolled growth.
      for (EniChange& c : eni_changes) c.controlled = true;
      SettleByGrowth(o, changes);
    } else {
      SettleByIdentity(o, eni_changes, changes);
    }
    if (!eni_changes.empty() || timeline_->watched_since() == Time{}) {
      timeline_ = std::make_shared<EniTimeline>(*timeline_);
      timeline_->Watched(o.observed_at);
      timeline_->Record(eni_changes);
    }
    changes.eni_changes = std::move(eni_changes);
  } else {
    SettleByGrowth(o, changes);
  }
  record_.last_total = o.total_enis;
  changes.record_changed = true;

  const PriorityFloor& floor = settings_.priority_floor;
  if (floor.enabled) {
    const double utilisation = Utilisation();
    if (!record_.priority_floor_active && utilisation >= floor.on_at) record_.priority_floor_active = true;
    if (record_.priority_floor_active && utilisation < floor.off_below) record_.priority_floor_active = false;
  } else {
    record_.priority_floor_active = false;
  }
  return changes;
}

std::pair<std::string, Duration> SubnetAdmission::PredictFit(int shortfall, Time now) const {
  // Releases are counted from the launch's ENI arrival, startup after the decision that would admit it.
  const Duration startup = settings_.buffer.forecast.startup;
  constexpr int kMinutesAhead = 30;
  std::vector<Duration> horizons;  // startup, then 1 to kMinutesAhead minutes after it
  for (int minutes = 0; minutes <= kMinutesAhead; ++minutes) {
    horizons.push_back(std::chrono::minutes(minutes) + startup);
  }
  const std::vector<double> expected = ExpectedReleasesWithin(*timeline_, now, horizons);
  for (int minutes = 1; minutes <= kMinutesAhead; ++minutes) {
    const Duration after = std::chrono::minutes(minutes);
    const double more = expected[static_cast<size_t>(minutes)] - expected[0];
    if (more >= shortfall) {
      const Duration wait = std::clamp<Duration>(after, settings_.retry_after, settings_.max_wait);
      return {fmt::format("fits in about {} min as {} ENIs finish their cleanup", minutes,
                          static_cast<int>(std::ceil(more))),
              wait};
    }
  }
  return {fmt::format("cleanup alone is not expected to free {} more IPs within {} min", shortfall,
                      kMinutesAhead),
          settings_.retry_after};
}

bool SubnetAdmission::AnyWaiterFits(Time now) const {
  // The headroom is the same for every waiter; what differs is the size, the priority and the place. If the
  // candidate below waits for want of headroom, so does every waiter; if it waits because those ahead of it
  // take the headroom, one of them fits.
  const Waiter* candidate = nullptr;
  for (const Waiter& w : waiters_) {
    if (now - w.last_seen > settings_.waiter_idle_timeout) continue;
    if (settings_.priority_floor.enabled && record_.priority_floor_active &&
        w.priority < settings_.priority_floor.min_priority) {
      continue;
    }
    const bool better =
        candidate == nullptr ||
        (settings_.strict_fifo ? w.priority > candidate->priority ||
                                     (w.priority == candidate->priority && w.sequence < candidate->sequence)
                               : w.needed_ips < candidate->needed_ips);
    if (better) candidate = &w;
  }
  if (candidate == nullptr) return false;
  Launch l;
  l.category = candidate->category;
  l.run_id = candidate->run_id;
  l.workers = candidate->needed_ips;  // only checked to be at least 1
  l.needed_ips = candidate->needed_ips;
  l.priority = candidate->priority;
  const Decision d = Evaluate(l, now);
  return d.outcome == Outcome::kAdmit || (!settings_.strict_fifo && d.code == DecisionCode::kQueued);
}

bool SubnetAdmission::IsWaiting(const std::string& run_id) const {
  return std::any_of(waiters_.begin(), waiters_.end(), [&](const Waiter& w) { return w.run_id == run_id; });
}

int SubnetAdmission::ReservedIps(Time now) const {
  int sum = 0;
  for (const Reservation& r : reservations_) {
    if (r.expires_at > now) sum += r.ips;
  }
  return sum;
}

SubnetAdmission::SetAsideIps SubnetAdmission::SetAside(Time now) const {
  SetAsideIps out;
  out.ips = BufferIps(settings_.buffer, history_);
  if (settings_.buffer.kind != BufferPolicy::Kind::kForecast) return out;
  const Forecast f = ForecastSubnet(settings_.buffer.forecast, *timeline_, now);
  if (!f.ready) {
    out.fallback = fmt::format(" (rolling-max: {})", f.not_ready);
    return out;
  }
  // With the forecast, two conditions decide and the tighter binds: the launch's own ENIs fit in what is
  // free now (a release that comes late would fail the launch itself); and there is room for the
  // uncontrolled growth expected within the growth horizon, net of the ENIs released by then, and for
  // keep_free. This is the second one's part.
  const Allowance a = ForecastAllowance(settings_.buffer.forecast, f);
  out.ips = a.ips;
  out.releases = a.releases;
  out.forecasting = true;
  out.kept_free = a.kept_free;
  return out;
}

double SubnetAdmission::Utilisation() const {
  if (history_.empty() || settings_.capacity <= 0) return 0.0;
  return static_cast<double>(history_.front().total_enis) / settings_.capacity;
}

Decision SubnetAdmission::Evaluate(const Launch& launch, Time now) const {
  Decision d;
  d.subnet_id = settings_.subnet_id;
  d.category = launch.category;
  d.run_id = launch.run_id;
  d.priority = launch.priority;
  d.workers = launch.workers;
  d.decided_at = now;
  d.capacity = settings_.capacity;
  d.needed = launch.needed_ips;
  d.reserved = ReservedIps(now);
  const SetAsideIps set_aside = SetAside(now);
  d.buffer = set_aside.ips;
  d.releases = set_aside.releases;
  const bool forecasting = set_aside.forecasting;
  if (!history_.empty()) {
    const Observation& latest = history_.front();
    d.observed_at = latest.observed_at;
    d.total = latest.total_enis;
    d.free = settings_.capacity - latest.total_enis;
  }
  auto finish = [&](Outcome outcome, DecisionCode code, std::string reason) {
    d.outcome = outcome;
    d.code = code;
    d.reason = std::move(reason);
    if (outcome == Outcome::kWait) d.retry_after = settings_.retry_after;
    return d;
  };

  if (launch.workers < 1 || launch.needed_ips < 1) {
    return finish(Outcome::kReject, DecisionCode::kMalformed,
                  fmt::format("workers must be at least 1 (got {})", launch.workers));
  }
  if (launch.run_id.empty()) {
    return finish(Outcome::kReject, DecisionCode::kMalformed,
                  "a run id is required to hold a place and a reservation");
  }
  for (const Reservation& r : reservations_) {
    if (r.run_id == launch.run_id && r.expires_at > now) {
      d.reservation_id = r.id;
      return finish(Outcome::kAdmit, DecisionCode::kAlreadyAdmitted,
                    fmt::format("already admitted: reservation {} holds {} IPs until {}", r.id, r.ips,
                                FormatTime(r.expires_at)));
    }
  }
  const int least_buffer = settings_.buffer.MinimumIps();
  if (launch.needed_ips + least_buffer > settings_.capacity) {
    return finish(Outcome::kReject, DecisionCode::kNeverFits,
                  fmt::format("can never fit: {} IPs needed + a buffer of at least {} > {} usable IPs in {}",
                              launch.needed_ips, least_buffer, settings_.capacity, settings_.subnet_id));
  }

  const Waiter* self = nullptr;
  for (const Waiter& w : waiters_) {
    if (w.run_id == launch.run_id) self = &w;
  }
  if (self != nullptr) d.waited = now - self->first_seen;
  if (self != nullptr && d.waited > settings_.max_wait) {
    return finish(Outcome::kReject, DecisionCode::kMaxWaitExceeded,
                  fmt::format("waited {} for {} IPs in {}, longer than max_wait {}; failing loudly",
                              FormatDuration(d.waited), launch.needed_ips, settings_.subnet_id,
                              FormatDuration(settings_.max_wait)));
  }

  if (history_.empty()) {
    return finish(Outcome::kWait, DecisionCode::kNoObservation,
                  fmt::format("no observation of {} yet", settings_.subnet_id));
  }
  const Duration age = now - d.observed_at;
  if (age > settings_.stale_after) {
    return finish(Outcome::kWait, DecisionCode::kStaleObservation,
                  fmt::format("the latest observation of {} is {} old (stale after {})", settings_.subnet_id,
                              FormatDuration(age), FormatDuration(settings_.stale_after)));
  }
  if (now < record_.cool_off_until) {
    Decision out = finish(Outcome::kWait, DecisionCode::kCoolOff,
                          fmt::format("cooling off after a reported IP exhaustion until {}",
                                      FormatTime(record_.cool_off_until)));
    out.retry_after = std::min(settings_.retry_after, record_.cool_off_until - now);
    return out;
  }
  if (settings_.priority_floor.enabled && record_.priority_floor_active &&
      launch.priority < settings_.priority_floor.min_priority) {
    return finish(
        Outcome::kWait, DecisionCode::kPriorityFloor,
        fmt::format("utilisation reached {:.0f}%: only priority >= {} is admitted until it is below "
                    "{:.0f}% (this launch has {})",
                    settings_.priority_floor.on_at * 100, settings_.priority_floor.min_priority,
                    settings_.priority_floor.off_below * 100, launch.priority));
  }

  // Headroom left for this launch after the buffer, the reservations and the waiters that come first.
  int headroom = d.free - d.reserved - d.buffer + d.releases;
  int ahead_ips = 0;
  int ahead_count = 0;
  for (const Waiter& w : waiters_) {
    if (w.run_id == launch.run_id) break;
    const bool comes_first =
        w.priority > launch.priority ||
        (w.priority == launch.priority && (self == nullptr || w.sequence < self->sequence));
    if (!comes_first) break;
    if (now - w.last_seen > settings_.waiter_idle_timeout) continue;  // abandoned; dropped by Expire
    const bool eligible = !(settings_.priority_floor.enabled && record_.priority_floor_active &&
                            w.priority < settings_.priority_floor.min_priority);
    if (!eligible) continue;
    if (settings_.strict_fifo) {
      return finish(Outcome::kWait, DecisionCode::kQueued,
                    fmt::format("strict FIFO: {} (priority {}) is ahead in the queue", w.run_id, w.priority));
    }
    if (w.needed_ips <= headroom - ahead_ips) {  // it would be admitted first: keep its share
      ahead_ips += w.needed_ips;
      ++ahead_count;
    }
  }

  auto numbers = [&](std::string_view comparison) {
    if (forecasting) {
      return fmt::format("{} free - {} reserved + {} releasing - {} {} = {} {} {} needed", d.free, d.reserved,
                         d.releases, d.buffer, set_aside.kept_free ? "kept free" : "uncontrolled growth",
                         headroom, comparison, d.needed);
    }
    return fmt::format("{} free - {} reserved = {} {} {} needed + {} buffer{}", d.free, d.reserved,
                       d.free - d.reserved, comparison, d.needed, d.buffer, set_aside.fallback);
  };
  if (launch.needed_ips <= headroom - ahead_ips) {
    return finish(Outcome::kAdmit, DecisionCode::kFits, numbers(">="));
  }
  if (forecasting) {
    const bool queued = ahead_count > 0 && launch.needed_ips <= headroom;
    Decision out =
        finish(Outcome::kWait, queued ? DecisionCode::kQueued : DecisionCode::kNoHeadroom, numbers("<"));
    auto [when, wait] = PredictFit(launch.needed_ips + ahead_ips - headroom, now);
    out.reason += "; " + when;
    out.retry_after = wait;
    return out;
  }
  if (ahead_count > 0 && launch.needed_ips <= headroom) {
    return finish(Outcome::kWait, DecisionCode::kQueued,
                  fmt::format("{} waiter(s) ahead take {} of the {} IPs of headroom", ahead_count, ahead_ips,
                              headroom));
  }
  return finish(Outcome::kWait, DecisionCode::kNoHeadroom, numbers("<"));
}

Decision SubnetAdmission::Decide(const Launch& launch, Time now, Random& random, SubnetChanges& changes) {
  Decision d = Evaluate(launch, now);
  auto self = std::find_if(waiters_.begin(), waiters_.end(),
                           [&](const Waiter& w) { return w.run_id == launch.run_id; });
  switch (d.outcome) {
    case Outcome::kAdmit: {
      if (d.code == DecisionCode::kFits) {
        Reservation r;
        r.id = "rsv-" + random.Hex(8);
        r.subnet_id = settings_.subnet_id;
        r.category = launch.category;
        r.run_id = launch.run_id;
        r.ips = launch.needed_ips;
        r.created_at = now;
        r.expires_at = now + settings_.reservation_ttl;
        reservations_.push_back(r);
        changes.put_reservations.push_back(r);
        d.reservation_id = r.id;
      }
      if (self != waiters_.end()) {
        changes.delete_waiters.push_back(self->run_id);
        waiters_.erase(self);
      }
      break;
    }
    case Outcome::kWait: {
      if (self == waiters_.end()) {
        Waiter w;
        w.subnet_id = settings_.subnet_id;
        w.run_id = launch.run_id;
        w.category = launch.category;
        w.needed_ips = launch.needed_ips;
        w.priority = launch.priority;
        w.sequence = record_.next_sequence++;
        w.first_seen = now;
        w.last_seen = now;
        waiters_.push_back(w);
        changes.put_waiters.push_back(w);
        changes.record_changed = true;
      } else {
        self->last_seen = now;
        self->needed_ips = launch.needed_ips;
        self->priority = launch.priority;
        self->category = launch.category;
        changes.put_waiters.push_back(*self);
      }
      SortWaiters();
      break;
    }
    case Outcome::kReject: {
      if (self != waiters_.end()) {
        changes.delete_waiters.push_back(self->run_id);
        waiters_.erase(self);
      }
      break;
    }
  }
  return d;
}

SubnetChanges SubnetAdmission::ReportExhaustion(Time now) {
  SubnetChanges changes;
  const Time until = now + settings_.cool_off;
  if (until > record_.cool_off_until) {
    record_.cool_off_until = until;
    changes.record_changed = true;
  }
  return changes;
}

Result<SubnetChanges> SubnetAdmission::Release(const std::string& reservation_id) {
  auto it = std::find_if(reservations_.begin(), reservations_.end(),
                         [&](const Reservation& r) { return r.id == reservation_id; });
  if (it == reservations_.end()) {
    return Status::NotFound(fmt::format("no open reservation {} in {}", reservation_id, settings_.subnet_id));
  }
  SubnetChanges changes;
  changes.delete_reservations.push_back(it->id);
  reservations_.erase(it);
  return changes;
}

SubnetChanges SubnetAdmission::Expire(Time now) {
  SubnetChanges changes;
  std::erase_if(reservations_, [&](const Reservation& r) {
    if (r.expires_at > now) return false;
    changes.delete_reservations.push_back(r.id);
    return true;
  });
  std::erase_if(waiters_, [&](const Waiter& w) {
    if (now - w.last_seen <= settings_.waiter_idle_timeout) return false;
    changes.delete_waiters.push_back(w.run_id);
    return true;
  });
  return changes;
}

}  // namespace glueguard
