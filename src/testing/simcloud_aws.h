// An AwsClient pointed at a simcloud running in the test's process, signed with simcloud's test key: the
// set-up every in-process simcloud test shares (region us-east-1, AWS_ENDPOINT_URL = the cloud's endpoint).
#pragma once

#include <cstdint>
#include <string>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/environment.h"
#include "base/env.h"
#include "base/random.h"
#include "testing/aws_cli.h"

namespace glueguard::testing {

struct SimcloudAws {
  // `transport`, `clock` (what requests are signed with) and `sleeper` (retry waits) must outlive it.
  SimcloudAws(const std::string& endpoint, HttpTransport& transport, Clock& clock, Sleeper& sleeper,
              uint64_t seed = 12)
      : environment(*AwsEnvironment::FromConfig(
            FixedEnv({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", endpoint}}), SharedConfig{})),
        random(seed),
        client(transport, credentials, environment, clock, random, sleeper) {}

  StaticCredentialsProvider credentials{Credentials{"AKIDEXAMPLE", kTestSecret, "", {}, "test"}};
  AwsEnvironment environment;
  SeededRandom random;
  AwsClient client;
};

}  // namespace glueguard::testing
