#include "aws/retry.h"

#include <algorithm>
#include <array>

namespace glueguard {

bool IsThrottlingCode(std::string_view code) {
  static constexpr std::array<std::string_view, 15> kThrottling = {
      "Throttling",
      "ThrottlingException",
      "ThrottledException",
      "RequestThrottledException",
      "TooManyRequestsException",
      "ProvisionedThroughputExceededException",
      "TransactionInProgressException",
      "RequestLimitExceeded",
      "BandwidthLimitExceeded",
      "LimitExceededException",
      "RequestThrottled",
      "SlowDown",
      "PriorRequestNotComplete",
      "EC2ThrottledException",
      "ThrottlingError",
  };
  return std::find(kThrottling.begin(), kThrottling.end(), code) != kThrottling.end();
}

RetryKind ClassifyFailure(std::string_view code, int http_status) {
  if (code == "Timeout") return RetryKind::kTimeout;
  if (IsThrottlingCode(code) || http_status == 429) return RetryKind::kThrottling;
  if (code == "ConnectionError" || code == "RequestTimeout" || code == "RequestTimeoutException" ||
      code == "InternalError" || code == "InternalServerError" || code == "InternalFailure" ||
      code == "ServiceUnavailable") {
    return RetryKind::kTransient;
  }
  if (http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504) {
    return RetryKind::kTransient;
  }
  return RetryKind::kNone;
}

Duration Backoff(int attempt, Random& random, Duration base, Duration cap) {
  const int exponent = std::clamp(attempt - 1, 0, 30);
  const double ceiling = std::min(static_cast<double>(base.count()) * static_cast<double>(int64_t{1} << exponent),
                                  static_cast<double>(cap.count()));
  return Duration(static_cast<int64_t>(random.Uniform() * ceiling));
}

bool RetryQuota::Acquire(RetryKind kind) {
  const int cost = kind == RetryKind::kTimeout ? kTimeoutCost : kRetryCost;
  MutexLock lock(mu_);
  if (available_ < cost) return false;
  available_ -= cost;
  return true;
}

void RetryQuota::Release(int cost_paid) {
  MutexLock lock(mu_);
  available_ = std::min(kInitialCapacity, available_ + (cost_paid > 0 ? cost_paid : 1));
}

int RetryQuota::available() const {
  MutexLock lock(mu_);
  return available_;
}

}  // namespace glueguard
