// Admissions: where a launcher's decisions come from, for `admit`, `wait`, `release` and `report-failure` —
// the controller's HTTP API, or a controller built in this process on the configured store (a standalone
// sensor's shape).
//
// The remote one fails over between the controller's replicas and retries the ones it cannot reach (refused,
// reset, 502/503/504) a few times with full-jitter backoff, then answers Unavailable: the caller treats that
// as a wait, never a failure, so a restart, a deploy or a lost replica never fails a launch.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

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

// The controller's API root, or several replicas' comma-separated ("http://a:8080,http://b:8080"): trailing
// slashes dropped. InvalidArgument, naming the entry, for an empty entry or one that is not http(s).
Result<std::vector<std::string>> ParseControllerUrls(std::string_view text);

// The controllers at `urls` (as ParseControllerUrls reads them), with `token` as the bearer token when not
// empty. A request goes to the controller that answered last and fails over to the next on a connection
// failure or a 502/503/504. The first form uses the given client, sleeps and randomness, which must outlive
// it; the second its own.
Result<std::unique_ptr<Admissions>> MakeRemoteAdmissions(std::string_view urls, std::string token,
                                                         HttpTransport& transport, Sleeper& sleeper,
                                                         Random& random);
Result<std::unique_ptr<Admissions>> MakeRemoteAdmissions(std::string_view urls, std::string token);

// A controller in this process, from the configuration file at `config_path`: the configured store (shared
// with other local runs and a server on the same file), EC2 observed on demand. Errors: the configuration,
// the store or AWS could not be set up.
Result<std::unique_ptr<Admissions>> MakeLocalAdmissions(const std::string& config_path, const EnvLookup& env);

}  // namespace glueguard
