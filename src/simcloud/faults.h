// Fault injection for simcloud: per service, a fraction of calls is throttled, fails with a 5xx, or has its
// connection dropped, and every call can be delayed. Errors are AWS's own for that service, so clients see
// exactly what a bad day on AWS looks like. Draws come from an injected Random (a seed reproduces a run) and
// delays go through an injected Sleeper (tests do not sleep).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/mutex.h"
#include "base/random.h"
#include "base/status.h"
#include "simcloud/wire.h"

namespace glueguard {

// The faults of one service. The three rates share one draw per call, so they must sum to at most 1.
struct FaultRates {
  double throttle_rate = 0;      // fraction of calls answered with the service's throttling error
  double server_error_rate = 0;  // fraction answered with the service's 5xx
  double drop_rate = 0;          // fraction whose connection drops mid-response
  Duration latency{0};           // added to every call before it is handled

  bool operator==(const FaultRates&) const = default;
};

// What was injected into one service's calls since the start.
struct FaultCounters {
  int64_t calls = 0;  // calls that went through Apply
  int64_t throttled = 0;
  int64_t server_errors = 0;
  int64_t dropped = 0;
  int64_t delayed = 0;  // calls that waited for `latency`
};

enum class FaultAction { kNone, kThrottle, kServerError, kDrop };

struct FaultDecision {
  FaultAction action = FaultAction::kNone;
  AwsError error;  // kThrottle and kServerError: the error to answer
};

// The key that sets the rates of every service without rates of its own.
inline constexpr std::string_view kAllServices = "all";

// AWS's throttling error for `service`: EC2 RequestLimitExceeded 503 "Request limit exceeded.", Glue
// ThrottlingException 400 "Rate exceeded", SQS RequestThrottled 403, SNS and STS Throttling 400.
AwsError ThrottlingError(std::string_view service);
// AWS's server error for `service`: EC2 InternalError 500 or (when `ec2_unavailable`) Unavailable 503, Glue
// InternalServiceException 500, query services InternalFailure 500 (Type Receiver).
AwsError ServerError(std::string_view service, bool ec2_unavailable = false);

// Ok when `rates` may be set for `service`; the InvalidArgument FaultInjector::Set would return otherwise.
Status ValidateFaultRates(std::string_view service, const FaultRates& rates);

class FaultInjector {
 public:
  // Both must outlive the injector.
  FaultInjector(Random& random, Sleeper& sleeper) : random_(random), sleeper_(sleeper) {}

  // Sets the faults of `service` ("ec2", "glue", "sns", "sqs", "sts" or "all"). InvalidArgument, naming the
  // field, for a rate outside 0..1 (or NaN), rates summing above 1, a negative latency, or an unknown
  // service; the configuration is then unchanged. Thread-safe.
  Status Set(std::string_view service, const FaultRates& rates) GG_EXCLUDES(mu_);
  // Replaces the whole configuration with `config` when every entry is valid (as Set checks); otherwise
  // returns the first error and changes nothing. Thread-safe.
  Status Replace(const std::map<std::string, FaultRates>& config) GG_EXCLUDES(mu_);
  // Removes every configured fault (counters stay). Thread-safe.
  void Clear() GG_EXCLUDES(mu_);
  // The rates that apply to `service`: its own, else "all"'s, else none. Thread-safe.
  FaultRates RatesFor(std::string_view service) const GG_EXCLUDES(mu_);
  // Every configured entry by key (including "all"). Thread-safe.
  std::map<std::string, FaultRates> Configured() const GG_EXCLUDES(mu_);

  // Applies the faults of `service` to one call: waits the latency (through the Sleeper, without holding a
  // lock), then draws once to decide. Thread-safe.
  FaultDecision Apply(std::string_view service) GG_EXCLUDES(mu_);

  // Counters by service, for services that had calls. Thread-safe.
  std::map<std::string, FaultCounters> counters() const GG_EXCLUDES(mu_);

 private:
  Random& random_;
  Sleeper& sleeper_;
  mutable Mutex mu_;
  std::map<std::string, FaultRates, std::less<>> rates_ GG_GUARDED_BY(mu_);
  std::map<std::string, FaultCounters, std::less<>> counters_ GG_GUARDED_BY(mu_);
};

// The JSON the inspection endpoint speaks: {"sqs": {"throttle_rate": 0.5, "server_error_rate": 0,
// "drop_rate": 0, "latency_ms": 0}, "all": {...}}. Missing fields are 0. InvalidArgument for malformed JSON,
// a non-object, a field of the wrong type or an unknown field.
Result<std::map<std::string, FaultRates>> ParseFaultConfig(std::string_view json);
std::string FaultConfigToJson(const std::map<std::string, FaultRates>& config);
// {"sqs": {"calls": 10, "throttled": 2, ...}, ...}
std::string FaultCountersToJson(const std::map<std::string, FaultCounters>& counters);

}  // namespace glueguard
