// EniTimeline: what each ENI of one subnet did over time, built from observations that list the ENIs, and the
// two things learned from it that the forecast policy needs:
// - the cleanup tail: how long each Glue ENI stayed `available` before it was deleted;
// - uncontrolled growth: ENIs that appeared without an admitted launch to explain them (console re-runs that
//   bypass admission, other services' ENIs, Glue's own churn).
// Pure: no I/O, no clock, no locking. Its state is exactly the replay of the EniChange log it returns, so the
// owner persists the changes (not the list each minute) and rebuilds a timeline by replaying them.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admission/observation.h"
#include "base/time.h"

namespace glueguard {

// The role ARN in a Glue ENI's description ("Attached to Glue using role: arn:aws:iam::1:role/R"); empty when
// the description does not name one.
std::string GlueRoleOf(std::string_view description);

enum class EniEvent {
  kAppeared,   // first seen
  kInUse,      // seen in-use (attached)
  kAvailable,  // seen available (detached, not yet deleted)
  kGone,       // no longer listed: deleted
};
const char* EniEventName(EniEvent event);  // "appeared", "in-use", "available", "gone"
std::optional<EniEvent> ParseEniEvent(std::string_view name);

// One line of a subnet's ENI change log.
struct EniChange {
  std::string subnet_id;
  Time at{};  // the observation that saw the change
  std::string eni_id;
  EniEvent event = EniEvent::kAppeared;
  std::string role;         // kAppeared: the Glue role, empty for other ENIs
  bool glue = false;        // kAppeared: a Glue ENI
  bool controlled = false;  // kAppeared: explained by an admitted launch's reservation
};

// What is known of one ENI that is still listed.
struct EniLife {
  std::string id;
  std::string role;
  bool glue = false;
  Time first_seen{};
  std::optional<Time> in_use_from;
  std::optional<Time> available_since;  // set while it is available; cleared when it is attached again
};

// A Glue ENI that was deleted after being available: how long its cleanup took.
struct CleanupTail {
  std::string role;
  Time gone_at{};
  // From the first observation that saw it available to the first that did not list it.
  Duration available_for{};
};

// ENIs that appeared at one observation without a reservation to explain them.
struct UncontrolledArrival {
  Time at{};
  int enis = 0;
};

class EniTimeline {
 public:
  // Tails and arrivals older than `window` before the latest change are forgotten.
  explicit EniTimeline(std::string subnet_id, Duration window = std::chrono::hours(24 * 7));

  // Compares an observation's ENI list with the ENIs known and returns the changes, in the order: appeared,
  // status changes, gone. Appeared changes come back with controlled = false; the caller marks the ones a
  // reservation explains and then calls Record. Observations older than the latest applied return nothing.
  std::vector<EniChange> Diff(Time at, const std::vector<EniSighting>& enis) const;

  // Applies changes (from Diff, or replayed from the store) in order.
  void Record(const std::vector<EniChange>& changes);

  // Applied the first change at / the latest change at; epoch when empty.
  Time first_change() const { return first_change_; }
  Time latest_change() const { return latest_change_; }
  // How long the log reaches back: latest - first (0 when empty).
  Duration span() const;
  // Notes an observation at `at`, with or without changes: a subnet watched all night with nothing happening
  // has a night of history. Kept in memory only; after a restart the history starts at the first change
  // replayed (shorter, so more careful).
  void Watched(Time at);
  // The first observation noted or the first change applied, whichever is older; epoch when neither.
  Time watched_since() const;

  const std::map<std::string, EniLife>& live() const { return live_; }  // by id
  const std::deque<CleanupTail>& tails() const { return tails_; }       // oldest first, within the window
  const std::deque<UncontrolledArrival>& uncontrolled() const { return uncontrolled_; }  // oldest first
  const std::string& subnet_id() const { return subnet_id_; }
  Duration window() const { return window_; }

  // The largest number of uncontrolled ENIs that appeared within any `horizon`-long span of the window.
  int LargestUncontrolledBurst(Duration horizon) const;
  // Uncontrolled growth at quantile `q` (in (0, 1)) of the `horizon`-long slots from watched_since to `now`,
  // quiet slots counting 0: the smallest count exceeded in at most a share 1 - q of the slots. With few slots
  // that is the largest burst seen; over a month of 15-minute slots at 0.99, a burst seen twice is not.
  int UncontrolledGrowthAt(double q, Duration horizon, Time now) const;

 private:
  void Forget();

  std::string subnet_id_;
  Duration window_;
  Time first_change_{};
  Time first_watched_{};
  Time latest_change_{};
  Time latest_observation_{};
  std::map<std::string, EniLife> live_;
  std::deque<CleanupTail> tails_;
  std::deque<UncontrolledArrival> uncontrolled_;
};

}  // namespace glueguard
