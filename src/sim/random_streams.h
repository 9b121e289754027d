// Independent random streams keyed by name. A simulation draws each job run's durations and cleanup tails
// from a stream keyed by the run's identity (job, scheduled time), not from one shared sequence, so the same
// seed gives the same workload under every admission policy: policies are compared on identical days
// ("common random numbers"), and a policy that holds a launch does not shift every later draw.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/random.h"

namespace glueguard {

// SplitMix64: small, fast and identical on every platform. Not thread-safe.
class StreamRandom final : public Random {
 public:
  explicit StreamRandom(uint64_t state) : state_(state) {}
  // The stream for `key` under `seed`; different keys give unrelated streams.
  StreamRandom(uint64_t seed, std::string_view key);
  uint64_t Next() override;

 private:
  uint64_t state_;
};

// A 64-bit FNV-1a hash, mixed; stable across platforms and runs.
uint64_t StableHash(std::string_view text, uint64_t seed = 0);

}  // namespace glueguard
