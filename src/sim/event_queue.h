// EventQueue: the heart of the discrete-event simulator. Events run in time order; events at the same time
// run in the order they were scheduled, so a run is a pure function of its inputs. Not thread-safe: the owner
// serialises calls (simcloud holds a mutex around its world).
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "base/clock.h"
#include "base/time.h"

namespace glueguard {

class EventQueue {
 public:
  explicit EventQueue(Time start) : now_(start) {}

  // Runs `action` at `at` (at `now()` if `at` is in the past).
  void Schedule(Time at, std::function<void()> action);
  void After(Duration delay, std::function<void()> action) { Schedule(now_ + delay, std::move(action)); }

  // Runs every event due at or before `until` in order, moving now() to each event's time, then to `until`.
  // Events scheduled while running are run too when they fall due. Returns the number of events run.
  int64_t RunUntil(Time until);

  // Time of the next event, or Time::max() when there is none.
  Time NextEventTime() const;

  Time now() const { return now_; }
  size_t pending() const { return heap_.size(); }

 private:
  struct Event {
    Time at;
    uint64_t sequence;
    std::function<void()> action;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.at != b.at ? a.at > b.at : a.sequence > b.sequence;
    }
  };

  Time now_;
  uint64_t next_sequence_ = 0;
  std::priority_queue<Event, std::vector<Event>, Later> heap_;
};

// A Clock that reads an EventQueue's time, so code written against Clock (the admission core, stores) runs on
// simulated time. The queue must outlive it; reads are not synchronised with the queue's owner.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(const EventQueue& queue) : queue_(queue) {}
  Time Now() const override { return queue_.now(); }

 private:
  const EventQueue& queue_;
};

}  // namespace glueguard
