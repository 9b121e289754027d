#include "base/random.h"

#include <cassert>

namespace glueguard {

double Random::Uniform() {
  // 53 high bits give every double in [0, 1) with a multiple of 2^-53 the same chance.
  return static_cast<double>(Next() >> 11) * 0x1.0p-53;
}

int64_t Random::UniformInt(int64_t lo, int64_t hi) {
  assert(lo <= hi);
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  if (span == 0) return static_cast<int64_t>(Next());  // the whole 64-bit range
  // Rejection sampling removes modulo bias.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % span);
  uint64_t draw = Next();
  while (draw >= limit) draw = Next();
  return lo + static_cast<int64_t>(draw % span);
}

std::string Random::Hex(int bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(static_cast<size_t>(bytes) * 2);
  uint64_t word = 0;
  for (int i = 0; i < bytes; ++i) {
    if (i % 8 == 0) word = Next();
    const auto byte = static_cast<unsigned>(word & 0xff);
    word >>= 8;
    out.push_back(kDigits[byte >> 4]);
    out.push_back(kDigits[byte & 0xf]);
  }
  return out;
}

uint64_t SeededRandom::Next() {
  MutexLock lock(mu_);
  return engine_();
}

SystemRandom::SystemRandom() {
  std::random_device device;
  std::seed_seq seq{device(), device(), device(), device()};
  engine_.seed(seq);
}

uint64_t SystemRandom::Next() {
  MutexLock lock(mu_);
  return engine_();
}

uint64_t ScriptedRandom::Next() {
  assert(!values_.empty());
  const uint64_t v = values_[next_];
  next_ = (next_ + 1) % values_.size();
  return v;
}

}  // namespace glueguard
