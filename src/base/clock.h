// Clock: where "now" comes from. Production code takes a Clock& so tests and the simulator can drive time.
#pragma once

#include <atomic>
#include <vector>

#include "base/time.h"

namespace glueguard {

class Clock {
 public:
  virtual ~Clock() = default;
  // The current time. Thread-safe in every implementation.
  virtual Time Now() const = 0;
};

// The system's wall clock.
class SystemClock final : public Clock {
 public:
  Time Now() const override;
};

// A clock that moves only when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Time start = FromUnixMillis(1'767'225'600'000)) : now_ms_(ToUnixMillis(start)) {}
  Time Now() const override { return FromUnixMillis(now_ms_.load()); }
  void Set(Time t) { now_ms_.store(ToUnixMillis(t)); }
  void Advance(Duration d) { now_ms_.fetch_add(d.count()); }

 private:
  std::atomic<int64_t> now_ms_;
};

// Sleeper: how code that must wait (retry backoff, polling) waits, so tests can wait without sleeping.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void Sleep(Duration d) = 0;
};

// Sleeps on the wall clock.
class SystemSleeper final : public Sleeper {
 public:
  void Sleep(Duration d) override;
};

// Advances a FakeClock instead of sleeping, and remembers every wait. Thread-safe for the clock; `waits()` is
// for single-threaded tests.
class FakeSleeper final : public Sleeper {
 public:
  explicit FakeSleeper(FakeClock& clock) : clock_(clock) {}
  void Sleep(Duration d) override {
    waits_.push_back(d);
    clock_.Advance(d);
  }
  const std::vector<Duration>& waits() const { return waits_; }

 private:
  FakeClock& clock_;
  std::vector<Duration> waits_;
};

}  // namespace glueguard
