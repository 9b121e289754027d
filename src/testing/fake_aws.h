// An AwsClient wired to a FakeTransport, fake time and a seeded random, for tests of AWS operations.
// Region us-east-1, an unreachable endpoint (every request is answered by `transport`), static test keys.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>

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

// A fixture for a client of one AWS JSON protocol service: `client_` talks to a FakeAws.
template <typename Client>
class JsonClientTest : public ::testing::Test {
 protected:
  // `type_prefix` goes before the error code in `__type` (DynamoDB namespaces it, Glue does not).
  JsonClientTest(std::string type_prefix, std::string content_type, std::string request_id)
      : type_prefix_(std::move(type_prefix)),
        content_type_(std::move(content_type)),
        request_id_(std::move(request_id)) {}

  // An error reply in the service's JSON shape, with its request id header.
  void PushError(int status, const std::string& code, const std::string& message) {
    aws_.transport.Push(status,
                        R"({"__type":")" + type_prefix_ + code + R"(","message":")" + message + R"("})",
                        {{"x-amzn-RequestId", request_id_}, {"Content-Type", content_type_}});
  }
  HttpRequest Sent(size_t i) const { return aws_.Sent(i); }
  static std::string Target(const HttpRequest& r) { return FakeAws::Target(r); }

  const std::string type_prefix_, content_type_, request_id_;
  FakeAws aws_;
  FakeTransport& transport_ = aws_.transport;
  FakeSleeper& sleeper_ = aws_.sleeper;
  FakeClock& clock_ = aws_.clock;
  Client client_{aws_.client};
};

}  // namespace glueguard::testing
