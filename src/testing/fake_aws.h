// An AwsClient wired to a FakeTransport, fake time and a seeded random, for tests of AWS operations.
// Region us-east-1, an unreachable endpoint (every request is answered by `transport`), static test keys.
#pragma once

#include <string>

#include "aws/aws_client.h"
#include "net/fake_transport.h"

namespace glueguard::testing {

struct FakeAws {
  FakeAws()
      : environment(*AwsEnvironment::FromConfig(
            FixedEnv({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", "http://127.0.0.1:1"}}),
            SharedConfig{})),
        client(transport, credentials, environment, clock, random, sleeper) {}

  // The i-th request sent (a copy: requests() returns by value).
  HttpRequest Sent(size_t i) const { return transport.requests().at(i); }
  // Its X-Amz-Target header, or "" without one.
  static std::string Target(const HttpRequest& r) {
    const std::string* target = FindHeader(r.headers, "X-Amz-Target");
    return target == nullptr ? "" : *target;
  }

  FakeTransport transport;
  StaticCredentialsProvider credentials{Credentials{"AKIDEXAMPLE", "secret", "", {}, "test"}};
  FakeClock clock;
  FakeSleeper sleeper{clock};
  SeededRandom random{7};
  AwsEnvironment environment;
  AwsClient client;
};

}  // namespace glueguard::testing
