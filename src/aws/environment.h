// AwsEnvironment: the region, endpoints and retry settings the SDKs take from the environment and the shared
// config files, resolved once.
#pragma once

#include <string>

#include "aws/service.h"
#include "aws/shared_config.h"
#include "net/url.h"
#include "base/env.h"
#include "base/status.h"

namespace glueguard {

class AwsEnvironment {
 public:
  // Region: AWS_REGION, then AWS_DEFAULT_REGION, then the profile's `region`; empty when none is set (calls
  // then fail with a message saying so). Attempts: AWS_MAX_ATTEMPTS, then the profile's `max_attempts`, else 3.
  // Errors: InvalidArgument for a malformed config file or AWS_MAX_ATTEMPTS.
  static Result<AwsEnvironment> Load(const EnvLookup& env);
  // The same from already-parsed files (tests).
  static Result<AwsEnvironment> FromConfig(const EnvLookup& env, SharedConfig config);

  const std::string& region() const { return region_; }
  void set_region(std::string region) { region_ = std::move(region); }
  int max_attempts() const { return max_attempts_; }
  const SharedConfig& shared_config() const { return config_; }
  const EnvLookup& env() const { return env_; }

  // Where calls to `service` go, in the SDKs' order: AWS_ENDPOINT_URL_<ID>, AWS_ENDPOINT_URL, the profile's
  // services section (`services = NAME` -> [services NAME] -> `<key> = \n endpoint_url = ...`), the profile's
  // `endpoint_url`, and finally https://<prefix>.<region>.amazonaws.com (.com.cn in China). Configured endpoints
  // are ignored when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true. STS uses its regional endpoint unless
  // AWS_STS_REGIONAL_ENDPOINTS=legacy. Errors: InvalidArgument for a malformed URL or a missing region.
  Result<Url> Endpoint(const ServiceInfo& service) const;
  // The region a request to `service` is signed for (us-east-1 for the global STS endpoint).
  std::string SigningRegion(const ServiceInfo& service) const;

 private:
  EnvLookup env_;
  SharedConfig config_;
  std::string region_;
  int max_attempts_ = 3;
};

}  // namespace glueguard
