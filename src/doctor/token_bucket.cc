#include "doctor/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace glueguard {

TokenBucket::TokenBucket(TokenBucketOptions options, const Clock& clock, Sleeper& sleeper)
    : options_(options),
      clock_(clock),
      sleeper_(sleeper),
      tokens_(options.burst),
      last_refill_(clock.Now()) {}

void TokenBucket::Refill() {
  const Time now = clock_.Now();
  if (now <= last_refill_) return;
  const double seconds = static_cast<double>((now - last_refill_).count()) / 1000.0;
  tokens_ = std::min(options_.burst, tokens_ + seconds * options_.refill_per_second);
  last_refill_ = now;
}

Duration TokenBucket::Acquire() {
  Refill();
  Duration waited{0};
  if (tokens_ < 1) {
    const double missing_seconds = (1 - tokens_) / options_.refill_per_second;
    const Duration wait{static_cast<int64_t>(std::ceil(missing_seconds * 1000.0))};
    sleeper_.Sleep(wait);
    waited = wait;
    Refill();
    // A sleeper that returned early (or a clock that did not move) must not let the call through for free.
    tokens_ = std::max(tokens_, 1.0);
  }
  tokens_ -= 1;
  return waited;
}

}  // namespace glueguard
