#include "simcloud/faults.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "aws/aws_client.h"
#include "aws/retry.h"

namespace glueguard {
namespace {

using std::chrono::milliseconds;

// Counts draws, so a test can tell the injector did not touch the random sequence.
class CountingRandom final : public Random {
 public:
  uint64_t Next() override {
    ++draws;
    return inner.Next();
  }
  SeededRandom inner{1};
  int draws = 0;
};

struct Fixture {
  FakeClock clock;
  FakeSleeper sleeper{clock};
  SeededRandom random{2026};
  FaultInjector faults{random, sleeper};
};

AwsCall CallTo(std::string_view service) {
  AwsCall call;
  call.service = std::string(service);
  call.protocol = FindWireService(service)->protocol;
  call.operation = "Op";
  call.request_id = "rid";
  return call;
}

AwsProtocol ClientProtocol(WireProtocol p) {
  return p == WireProtocol::kEc2    ? AwsProtocol::kEc2
         : p == WireProtocol::kJson ? AwsProtocol::kJson
                                    : AwsProtocol::kQuery;
}

TEST(Faults, ThrottlingErrorsAreEachServicesOwnAndClientsRetryThem) {
  struct Expected {
    const char* service;
    int status;
    const char* code;
    const char* message;
  };
  for (const Expected& e : {Expected{"ec2", 503, "RequestLimitExceeded", "Request limit exceeded."},
                            Expected{"glue", 400, "ThrottlingException", "Rate exceeded"},
                            Expected{"sqs", 403, "RequestThrottled", "Request is throttled."},
                            Expected{"sns", 400, "Throttling", "Rate exceeded"},
                            Expected{"sts", 400, "Throttling", "Rate exceeded"}}) {
    const AwsCall call = CallTo(e.service);
    const ServerResponse response = ErrorResponse(call, ThrottlingError(e.service));
    EXPECT_EQ(response.status, e.status) << e.service;
    const AwsErrorFields fields = ParseAwsError(
        ClientProtocol(call.protocol), HttpResponse{response.status, response.headers, response.body});
    EXPECT_EQ(fields.code, e.code) << e.service;
    EXPECT_EQ(fields.message, e.message) << e.service;
    EXPECT_EQ(ClassifyFailure(fields.code, response.status), RetryKind::kThrottling) << e.service;
  }
}

TEST(Faults, ServerErrorsAreFiveHundredsClientsRetry) {
  for (const char* service : {"ec2", "glue", "sqs", "sns", "sts"}) {
    const AwsError error = ServerError(service);
    EXPECT_GE(error.http_status, 500) << service;
    EXPECT_FALSE(error.sender_fault) << service;
    EXPECT_EQ(ClassifyFailure(error.code, error.http_status), RetryKind::kTransient) << service;
  }
  EXPECT_EQ(ServerError("ec2").code, "InternalError");
  EXPECT_EQ(ServerError("ec2", true).code, "Unavailable");
  EXPECT_EQ(ServerError("ec2", true).http_status, 503);
  EXPECT_EQ(ServerError("glue").code, "InternalServiceException");
  EXPECT_EQ(ServerError("sqs").code, "InternalFailure");
}

TEST(Faults, NothingConfiguredInjectsNothingAndDrawsNothing) {
  FakeClock clock;
  FakeSleeper sleeper(clock);
  CountingRandom random;
  FaultInjector faults(random, sleeper);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(faults.Apply("sqs").action, FaultAction::kNone);
  EXPECT_EQ(random.draws, 0);
  EXPECT_TRUE(sleeper.waits().empty());
  EXPECT_EQ(faults.counters().at("sqs").calls, 100);
}

TEST(Faults, RatesAreHonouredOverManyCalls) {
  Fixture f;
  ASSERT_TRUE(f.faults.Set("glue", {0.2, 0.1, 0.05, Duration(0)}).ok());
  for (int i = 0; i < 10000; ++i) {
    const FaultDecision d = f.faults.Apply("glue");
    if (d.action == FaultAction::kThrottle) {
      EXPECT_EQ(d.error.code, "ThrottlingException");
    } else if (d.action == FaultAction::kServerError) {
      EXPECT_EQ(d.error.code, "InternalServiceException");
    }
  }
  const FaultCounters c = f.faults.counters().at("glue");
  EXPECT_EQ(c.calls, 10000);
  EXPECT_NEAR(static_cast<double>(c.throttled), 2000, 200);
  EXPECT_NEAR(static_cast<double>(c.server_errors), 1000, 150);
  EXPECT_NEAR(static_cast<double>(c.dropped), 500, 100);
  EXPECT_EQ(c.delayed, 0);
}

TEST(Faults, TheSameSeedReproducesTheSameFaults) {
  auto run = [] {
    Fixture f;
    EXPECT_TRUE(f.faults.Set("ec2", {0.3, 0.3, 0.3, Duration(0)}).ok());
    std::vector<std::pair<FaultAction, std::string>> out;
    for (int i = 0; i < 200; ++i) {
      const FaultDecision d = f.faults.Apply("ec2");
      out.emplace_back(d.action, d.error.code);
    }
    return out;
  };
  const auto first = run();
  EXPECT_EQ(first, run());
  // EC2's 5xx is sometimes InternalError, sometimes Unavailable.
  bool internal = false, unavailable = false;
  for (const auto& [action, code] : first) {
    internal |= code == "InternalError";
    unavailable |= code == "Unavailable";
  }
  EXPECT_TRUE(internal && unavailable);
}

TEST(Faults, LatencyWaitsThroughTheSleeper) {
  Fixture f;
  const Time start = f.clock.Now();
  ASSERT_TRUE(f.faults.Set("sts", {0, 0, 0, milliseconds(250)}).ok());
  EXPECT_EQ(f.faults.Apply("sts").action, FaultAction::kNone);
  EXPECT_EQ(f.faults.Apply("sns").action, FaultAction::kNone);  // no latency of its own
  ASSERT_EQ(f.sleeper.waits().size(), 1u);
  EXPECT_EQ(f.sleeper.waits()[0], milliseconds(250));
  EXPECT_EQ(f.clock.Now() - start, milliseconds(250));
  EXPECT_EQ(f.faults.counters().at("sts").delayed, 1);
}

TEST(Faults, AServicesOwnRatesOverrideAll) {
  Fixture f;
  ASSERT_TRUE(f.faults.Set("all", {1, 0, 0, Duration(0)}).ok());
  ASSERT_TRUE(f.faults.Set("sqs", {0, 0, 0, Duration(0)}).ok());
  EXPECT_EQ(f.faults.Apply("sns").action, FaultAction::kThrottle);
  EXPECT_EQ(f.faults.Apply("sqs").action, FaultAction::kNone);
  EXPECT_EQ(f.faults.RatesFor("ec2").throttle_rate, 1);
  f.faults.Clear();
  EXPECT_EQ(f.faults.Apply("sns").action, FaultAction::kNone);
  EXPECT_TRUE(f.faults.Configured().empty());
}

TEST(Faults, InvalidRatesAreRefusedWithClearErrorsAndChangeNothing) {
  Fixture f;
  ASSERT_TRUE(f.faults.Set("sqs", {0.1, 0, 0, Duration(0)}).ok());
  const struct {
    const char* service;
    FaultRates rates;
    const char* mentions;
  } cases[] = {
      {"sqs", {1.5, 0, 0, Duration(0)}, "throttle_rate must be between 0 and 1"},
      {"sqs", {0, -0.1, 0, Duration(0)}, "server_error_rate must be between 0 and 1"},
      {"sqs", {0, 0, std::numeric_limits<double>::quiet_NaN(), Duration(0)}, "drop_rate"},
      {"sqs", {0.5, 0.4, 0.2, Duration(0)}, "must be at most 1"},
      {"sqs", {0, 0, 0, milliseconds(-1)}, "latency must not be negative"},
      {"dynamodb", {0, 0, 0, Duration(0)}, "unknown service 'dynamodb'"},
  };
  for (const auto& c : cases) {
    const Status s = f.faults.Set(c.service, c.rates);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.mentions;
    EXPECT_NE(s.message().find(c.mentions), std::string::npos) << s.message();
  }
  EXPECT_EQ(f.faults.RatesFor("sqs").throttle_rate, 0.1);
  const Status replaced =
      f.faults.Replace({{"sns", {0.5, 0, 0, Duration(0)}}, {"sqs", {2, 0, 0, Duration(0)}}});
  EXPECT_FALSE(replaced.ok());
  EXPECT_EQ(f.faults.RatesFor("sns").throttle_rate, 0);
}

TEST(Faults, ConfigJsonRoundTripsAndRejectsWhatItDoesNotKnow) {
  const std::map<std::string, FaultRates> config = {{"all", {0.1, 0.2, 0.3, milliseconds(40)}},
                                                    {"sqs", {0, 0, 0.5, Duration(0)}}};
  Result<std::map<std::string, FaultRates>> parsed = ParseFaultConfig(FaultConfigToJson(config));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, config);
  EXPECT_EQ(ParseFaultConfig(R"({"ec2": {"latency_ms": 5}})")->at("ec2").latency, milliseconds(5));
  EXPECT_FALSE(ParseFaultConfig("not json").ok());
  EXPECT_FALSE(ParseFaultConfig("[]").ok());
  EXPECT_FALSE(ParseFaultConfig(R"({"ec2": 1})").ok());
  EXPECT_FALSE(ParseFaultConfig(R"({"ec2": {"throttle_rate": "high"}})").ok());
  const auto unknown = ParseFaultConfig(R"({"ec2": {"throttel_rate": 0.5}})");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown field 'throttel_rate'"), std::string::npos);
}

}  // namespace
}  // namespace glueguard
