// Admissions: where a launcher's decisions come from, for `admit`, `wait`, `release` and `report-failure` —
// the controller's HTTP API, or a controller built in this process on the configured store (a standalone
// sensor's shape).
//
// The remote one retries a controller it cannot reach (refused, reset, 502/503/504) a few times with
// full-jitter backoff, then answers Unavailable: the caller treats that as a wait, never a failure, so a
// restart or a deploy of the controller never fails a launch.
#pragma once

#include <memory>
#include <string>

#include "admission/decision.h"
#include "base/clock.h"
#include "base/env.h"
#include "base/random.h"
#include "base/status.h"
#include "net/http.h"

namespace glueguard {

// Where decisions come from: the controller's API, or a controller built in this process.
class Admissions {
 public:
  virtual ~Admissions() = default;
  virtual Result<Decision> Admit(const AdmissionRequest& request) = 0;
  virtual Status Release(const std::string& reservation_id) = 0;
  virtual Status ReportFailure(const std::string& category_or_subnet) = 0;
};

// The controller at `url` (its API root), with `token` as the bearer token when not empty. The first form
// uses the given client, sleeps and randomness, which must outlive it; the second its own.
std::unique_ptr<Admissions> MakeRemoteAdmissions(std::string url, std::string token, HttpTransport& transport,
                                                 Sleeper& sleeper, Random& random);
std::unique_ptr<Admissions> MakeRemoteAdmissions(std::string url, std::string token);

// A controller in this process, from the configuration file at `config_path`: the configured store (shared
// with other local runs and a server on the same file), EC2 observed on demand. Errors: the configuration,
// the store or AWS could not be set up.
Result<std::unique_ptr<Admissions>> MakeLocalAdmissions(const std::string& config_path, const EnvLookup& env);

}  // namespace glueguard
