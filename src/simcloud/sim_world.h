// SimWorld: the running simulation simcloud serves. A World behind a mutex whose simulated time follows a
// wall clock at `speed` times real time: simulated now = workload.start + (wall now - wall start) x speed.
// Every call advances the world to simulated now first, so a client sees the world move between its calls.
// The workload's own arrivals (scheduled launches, ad-hoc runs, sessions) run in it when `run_arrivals` is
// set; launches start directly, without admission (the controller in front of simcloud does admission).
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>

#include "base/clock.h"
#include "base/mutex.h"
#include "sim/arrivals.h"
#include "sim/world.h"

namespace glueguard {

struct SimWorldOptions {
  uint64_t seed = 1;
  double speed = 1.0;        // simulated seconds per wall second
  bool run_arrivals = true;  // the workload's scheduled and ad-hoc launches and its sessions
  int days = 3650;           // how far ahead arrivals are scheduled
  // Where the simulated clock starts, after the workload's start: the world fast-forwards through it.
  Duration fast_forward{0};
  // When set, the workload's launches are handed to it (under the world's lock; it must not call back into
  // the SimWorld) instead of starting directly: a launcher in front of simcloud routes them through
  // admission.
  std::function<void(const LaunchRequest&)> launch_hook;
};

// A SimWorld is also the Clock of its simulated time: code written against Clock (the demo's controller) runs
// on it.
class SimWorld final : public Clock {
 public:
  // `workload` and `wall` must outlive it.
  SimWorld(const Workload& workload, const Clock& wall, SimWorldOptions options);

  // Runs `f(world)` with the world advanced to simulated now, under the lock; returns what `f` returns.
  template <typename F>
  auto With(F&& f) GG_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    world_.AdvanceTo(SimNowLocked());
    return f(world_);
  }

  // Simulated now.
  Time Now() const override;
  // Sessions the workload creates by itself are reported here too (simcloud emits their CloudTrail events).
  // Set before the world runs; called under the lock.
  void OnSessionCreated(std::function<void(World&, const SimSession&)> callback) {
    on_session_ = std::move(callback);
  }

  const Workload& workload() const { return workload_; }
  double speed() const { return options_.speed; }

 private:
  Time SimNowLocked() const;
  // The workload's arrivals, which the world runs while it advances (in With, under the lock).
  void StartArrival(const LaunchRequest& r) GG_REQUIRES(mu_);
  void CreateArrivalSession(const CreateSessionInput& input) GG_REQUIRES(mu_);

  const Workload& workload_;
  const Clock& wall_;
  const SimWorldOptions options_;
  const Time wall_start_;
  Mutex mu_;
  World world_ GG_GUARDED_BY(mu_);
  ArrivalHandlers handlers_;
  std::function<void(World&, const SimSession&)> on_session_;
};

}  // namespace glueguard
