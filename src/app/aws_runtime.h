// AwsRuntime: what a command needs to call AWS for real — the libcurl transport, the wall clock, the default
// credentials chain and an AwsClient — built from the process environment (AWS_PROFILE, AWS_REGION,
// AWS_ENDPOINT_URL, ...). One place, so every command resolves credentials and regions the same way.
#pragma once

#include <memory>
#include <string>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "net/curl_transport.h"
#include "aws/environment.h"
#include "base/clock.h"
#include "base/env.h"
#include "base/random.h"

namespace glueguard {

struct AwsRuntime {
  CurlTransport transport;
  SystemClock clock;
  SystemRandom random;
  SystemSleeper sleeper;
  std::unique_ptr<AwsEnvironment> environment;
  std::unique_ptr<CredentialsProvider> credentials;
  std::unique_ptr<AwsClient> client;

  // `fallback_region` is used when the environment names none (e.g. the config's region). Errors: the
  // environment's (a malformed shared config) and the credentials chain's.
  static Result<std::unique_ptr<AwsRuntime>> Create(const EnvLookup& env, const std::string& fallback_region);
};

}  // namespace glueguard
