// The SDKs' "standard" retry mode: which failures to retry, how long to wait, and a quota that stops retry
// storms when a service is down.
#pragma once

#include <string_view>

#include "base/mutex.h"
#include "base/random.h"
#include "base/time.h"

namespace glueguard {

enum class RetryKind {
  kNone,        // not retried: a client error
  kTransient,   // 5xx, RequestTimeout, connection errors
  kThrottling,  // RequestLimitExceeded, ThrottlingException, ...
  kTimeout,     // the request timed out; retried at a higher quota cost
};

// Classifies a failed attempt by its AWS error code (may be empty) and HTTP status (0 when no response came).
RetryKind ClassifyFailure(std::string_view error_code, int http_status);
// True for the throttling codes of every service glueguard calls.
bool IsThrottlingCode(std::string_view error_code);

// Full-jitter exponential backoff: uniform in [0, min(base * 2^(attempt-1), cap)], attempt counted from 1.
Duration Backoff(int attempt, Random& random, Duration base = std::chrono::seconds(1),
                 Duration cap = std::chrono::seconds(20));

// The retry quota: a token bucket shared by every call of a client. A retry costs 5 tokens (10 after a
// timeout); a success without retries gives 1 back. When the bucket cannot pay, the failure is returned
// instead of retried. Thread-safe.
class RetryQuota {
 public:
  static constexpr int kInitialCapacity = 500;
  static constexpr int kRetryCost = 5;
  static constexpr int kTimeoutCost = 10;

  // Takes the cost of retrying after a failure of `kind`; false when the quota is exhausted.
  bool Acquire(RetryKind kind) GG_EXCLUDES(mu_);
  // A call succeeded: give back what its retries cost, or 1 when it needed none.
  void Release(int cost_paid) GG_EXCLUDES(mu_);
  int available() const GG_EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  int available_ GG_GUARDED_BY(mu_) = kInitialCapacity;
};

}  // namespace glueguard
