#include "sessions/lambda_runtime.h"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>

#include "net/curl_transport.h"
#include "net/http_server.h"
#include "testing/session_fakes.h"

namespace glueguard {
namespace {

using testing::CreateSessionEvent;
using testing::FakeGlue;

// A loopback stand-in for the Lambda Runtime API: hands out queued events on invocation/next (500 once they
// run out, which ends the loop) and records every answer.
class RuntimeApiStandIn {
 public:
  explicit RuntimeApiStandIn(std::deque<std::string> events, int64_t deadline_ms)
      : events_(std::move(events)) {
    auto server = HttpServer::Start({}, [this, deadline_ms](const ServerRequest& r) {
      std::lock_guard lock(mu_);
      ServerResponse response;
      if (r.method == "GET" && r.path == "/2018-06-01/runtime/invocation/next") {
        if (events_.empty()) {
          response.status = 500;
          response.body = "no more events";
          return response;
        }
        const std::string id = "req-" + std::to_string(++served_);
        response.body = events_.front();
        events_.pop_front();
        response.headers.push_back({"Lambda-Runtime-Aws-Request-Id", id});
        response.headers.push_back({"Lambda-Runtime-Deadline-Ms", std::to_string(deadline_ms)});
        response.headers.push_back({"Lambda-Runtime-Invoked-Function-Arn",
                                    "arn:aws:lambda:us-east-1:123456789012:function:glueguard"});
        return response;
      }
      if (r.method == "POST") {
        const std::string* type = r.Header("Lambda-Runtime-Function-Error-Type");
        answers_.push_back({r.path, r.body, type == nullptr ? "" : *type});
        response.status = 202;
        response.body = R"({"status":"OK"})";
        return response;
      }
      response.status = 404;
      return response;
    });
    EXPECT_TRUE(server.ok());
    server_ = std::move(*server);
  }
  std::string api() const { return "127.0.0.1:" + std::to_string(server_->port()); }
  struct Answer {
    std::string path;
    std::string body;
    std::string error_type;
  };
  std::vector<Answer> answers() {
    std::lock_guard lock(mu_);
    return answers_;
  }

 private:
  std::mutex mu_;
  std::deque<std::string> events_;
  int served_ = 0;
  std::vector<Answer> answers_;
  std::unique_ptr<HttpServer> server_;
};

TEST(LambdaRuntime, AnswersEachInvocationAndReportsUnhandledEventsAsErrors) {
  SessionsConfig config;
  config.configured = true;
  config.policy.action = SessionAction::kEnforce;
  config.policy.defaults.max_workers = 10;
  config.max_attempts = 2;
  FakeGlue glue;
  glue.Add("ok-session", "READY");
  glue.Add("big-session", "READY");
  RecordingNotifier notifier;
  auto store = NewMemorySessionStore();
  FakeClock clock;
  FakeSleeper sleeper(clock);
  SeededRandom random(1);
  SessionEventHandler handler(
      SessionHandlerDeps{config, glue, notifier, *store, *store, clock, sleeper, random, nullptr, {}});

  const int64_t deadline_ms = ToUnixMillis(clock.Now() + std::chrono::minutes(2));
  RuntimeApiStandIn api(
      {CreateSessionEvent("e1", "ok-session", 2), CreateSessionEvent("e2", "big-session", 40),
       CreateSessionEvent("e2", "big-session", 40), "not an event",
       CreateSessionEvent("e3", "stuck-session", 40)},
      deadline_ms);
  CurlTransport transport;
  LambdaRuntime runtime(transport, api.api(), handler, clock);
  // The fourth event makes the first GetSession of e3 fail for good.
  ASSERT_TRUE(runtime.RunOnce().ok());
  ASSERT_TRUE(runtime.RunOnce().ok());
  ASSERT_TRUE(runtime.RunOnce().ok());
  ASSERT_TRUE(runtime.RunOnce().ok());
  glue.FailNext(100, Status::Unavailable("Internal failure").WithReason("InternalServiceException"));
  Status end = runtime.Run();  // e3, then the stand-in runs out
  EXPECT_FALSE(end.ok());

  const auto answers = api.answers();
  ASSERT_EQ(answers.size(), 5u);
  EXPECT_EQ(answers[0].path, "/2018-06-01/runtime/invocation/req-1/response");
  EXPECT_EQ(nlohmann::json::parse(answers[0].body)["outcome"], "compliant");
  EXPECT_EQ(answers[1].path, "/2018-06-01/runtime/invocation/req-2/response");
  auto second = nlohmann::json::parse(answers[1].body);
  EXPECT_EQ(second["outcome"], "violation");
  EXPECT_EQ(second["ended"], true);
  EXPECT_EQ(second["violations"], nlohmann::json::array({"max_workers"}));
  EXPECT_EQ(nlohmann::json::parse(answers[2].body)["outcome"], "duplicate");
  // Unreadable: answered (retrying cannot help) and kept as a dead letter.
  EXPECT_EQ(answers[3].path, "/2018-06-01/runtime/invocation/req-4/response");
  EXPECT_EQ(nlohmann::json::parse(answers[3].body)["outcome"], "invalid");
  // Failed after its retries: an error, so Lambda retries it and keeps it in the function's DLQ.
  EXPECT_EQ(answers[4].path, "/2018-06-01/runtime/invocation/req-5/error");
  EXPECT_EQ(answers[4].error_type, "Unhandled");
  auto error = nlohmann::json::parse(answers[4].body);
  EXPECT_EQ(error["errorType"], "SessionEventDeadLettered");
  EXPECT_NE(error["errorMessage"].get<std::string>().find("Internal failure"), std::string::npos);

  EXPECT_FALSE(glue.Exists("big-session"));
  EXPECT_TRUE(glue.Exists("ok-session"));
  EXPECT_EQ(notifier.notifications().size(), 1u);
}

TEST(LambdaRuntime, ReportsAnInitialisationError) {
  RuntimeApiStandIn api({}, 0);
  CurlTransport transport;
  ASSERT_TRUE(
      ReportLambdaInitError(transport, api.api(), "Runtime.ConfigurationError", "MAX_WORKERS: not a number")
          .ok());
  const auto answers = api.answers();
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].path, "/2018-06-01/runtime/init/error");
  EXPECT_EQ(answers[0].error_type, "Runtime.ConfigurationError");
  EXPECT_EQ(nlohmann::json::parse(answers[0].body)["errorMessage"], "MAX_WORKERS: not a number");
}

}  // namespace
}  // namespace glueguard
