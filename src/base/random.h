// Random: where randomness comes from. Injected, so a simulation or a test is reproducible from its seed.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "base/mutex.h"

namespace glueguard {

class Random {
 public:
  virtual ~Random() = default;
  // A uniformly distributed 64-bit value.
  virtual uint64_t Next() = 0;

  // Uniform in [0, 1).
  double Uniform();
  // Uniform in [lo, hi]; REQUIRES: lo <= hi.
  int64_t UniformInt(int64_t lo, int64_t hi);
  // `bytes` random bytes as lower-case hex (2 * bytes characters), e.g. for identifiers.
  std::string Hex(int bytes);
};

// A seeded Mersenne Twister: the same seed gives the same sequence. Thread-safe.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : engine_(seed) {}
  uint64_t Next() override GG_EXCLUDES(mu_);

 private:
  Mutex mu_;
  std::mt19937_64 engine_ GG_GUARDED_BY(mu_);
};

// Seeded once from the operating system's entropy source. Thread-safe.
class SystemRandom final : public Random {
 public:
  SystemRandom();
  uint64_t Next() override GG_EXCLUDES(mu_);

 private:
  Mutex mu_;
  std::mt19937_64 engine_ GG_GUARDED_BY(mu_);
};

// Replays a fixed list of values, cycling; for tests that need to pin exact draws. Not thread-safe.
class ScriptedRandom final : public Random {
 public:
  explicit ScriptedRandom(std::vector<uint64_t> values) : values_(std::move(values)) {}
  uint64_t Next() override;

 private:
  std::vector<uint64_t> values_;
  size_t next_ = 0;
};

}  // namespace glueguard
