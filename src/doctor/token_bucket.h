// TokenBucket: how fast doctor may call EC2's mutating APIs. EC2 throttles each account, region and API with
// a token bucket of its own, shared with every other tool in the account; doctor keeps a much smaller one in
// front of it so that a cleanup never eats the headroom the admission pollers need.
#pragma once

#include "base/clock.h"

namespace glueguard {

struct TokenBucketOptions {
  double burst = 5;              // tokens when full: calls that may go back to back
  double refill_per_second = 1;  // tokens added per second, up to `burst`
};

// Not thread-safe: one doctor pass owns it.
class TokenBucket {
 public:
  // Starts full. `clock` and `sleeper` must outlive it. REQUIRES: burst >= 1 and refill_per_second > 0.
  TokenBucket(TokenBucketOptions options, const Clock& clock, Sleeper& sleeper);

  // Takes one token, first sleeping (through the Sleeper) until one has refilled when the bucket is empty.
  // Returns how long it waited.
  Duration Acquire();

 private:
  void Refill();

  TokenBucketOptions options_;
  const Clock& clock_;
  Sleeper& sleeper_;
  double tokens_;
  Time last_refill_;
};

}  // namespace glueguard
