// Clock: where "now" comes from. Production code takes a Clock& so tests and the simulator can drive time.
#pragma once

#include <atomic>

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

}  // namespace glueguard
