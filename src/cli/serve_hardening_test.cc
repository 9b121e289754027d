// `glueguard serve` as a process, with the example configuration (session boundaries and admission in one
// store) against simcloud: the failures users met, each pinned.
#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "net/curl_transport.h"
#include "simcloud/simcloud.h"
#include "testing/process.h"
#include "testing/temp_dir.h"
#include "testing/wall_clock_simcloud.h"

namespace glueguard {
namespace {

std::string Source(const std::string& path) { return std::string(GLUEGUARD_SOURCE_DIR) + "/" + path; }

const char* const kValidEvent = R"({"version":"0","id":"env-1","detail-type":"AWS API Call via CloudTrail",
"source":"aws.glue","account":"123456789012","time":"2026-01-05T07:00:00Z","region":"us-east-1","resources":[],
"detail":{"eventVersion":"1.08","eventSource":"glue.amazonaws.com","eventName":"CreateSession",
"eventID":"hardening-event-1","eventTime":"2026-01-05T07:00:00Z","awsRegion":"us-east-1",
"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/Eng/jane"},
"requestParameters":{"id":"s-1","role":"arn:aws:iam::123456789012:role/Glue",
"command":{"name":"glueetl","pythonVersion":"3"},"numberOfWorkers":50,"workerType":"G.1X"},
"responseElements":{"session":{"id":"s-1","status":"PROVISIONING"}}}})";

class ServeHardening : public ::testing::Test {
 protected:
  std::vector<std::string> Env(const std::vector<std::string>& extra = {}) const {
    return testing::GlueguardEnv(cloud_.endpoint(), dir_.File("serve.db"), extra);
  }

  // Starts serve and returns its API's URL (empty when it did not start).
  std::string StartServe(std::unique_ptr<testing::ChildProcess>& serve, const std::vector<std::string>& args = {},
                         const std::vector<std::string>& extra_env = {}) {
    std::vector<std::string> argv = {GLUEGUARD_BINARY, "serve", "--config", Source("examples/glueguard.yaml"),
                                     "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), args.begin(), args.end());
    serve = std::make_unique<testing::ChildProcess>(argv, Env(extra_env));
    return testing::ReadServeUrl(*serve);
  }

  Result<HttpResponse> Send(const std::string& method, const std::string& url, std::string body = "") {
    HttpRequest r;
    r.method = method;
    r.url = url;
    r.body = std::move(body);
    if (!r.body.empty()) r.headers = {{"Content-Type", "application/json"}};
    return client_.Send(r);
  }
  int Admit(const std::string& url, const std::string& run_id) {
    Result<HttpResponse> r = Send("POST", url + "/v1/admissions",
                                  R"({"category":"ad-hoc","workers":1,"run_id":")" + run_id + R"("})");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok() && r->status != 200) ADD_FAILURE() << run_id << ": " << r->status << " " << r->body;
    return r.ok() ? r->status : 0;
  }

  testing::TempDir dir_;
  CurlTransport client_;
  testing::WallClockSimCloud cloud_{5};
};

// One session event used to lock every later admission out with "503 database is locked": the store's
// connection kept a stale WAL snapshot open and could never write again once the session inbox had.
TEST_F(ServeHardening, SessionEventsDoNotLockAdmissionOutBeforeOrAfterARestart) {
  std::unique_ptr<testing::ChildProcess> serve;
  std::string url = StartServe(serve);
  ASSERT_FALSE(url.empty()) << serve->output();
  EXPECT_EQ(Admit(url, "before"), 200);
  EXPECT_EQ(Send("POST", url + "/v1/events", "{")->status, 400);
  EXPECT_EQ(Send("POST", url + "/v1/events", kValidEvent)->status, 202);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Admit(url, "after-" + std::to_string(i)), 200);
  Result<HttpResponse> failure = Send("POST", url + "/v1/failures", R"({"category":"critical"})");
  ASSERT_TRUE(failure.ok());
  EXPECT_EQ(failure->status, 202) << failure->body;
  Result<HttpResponse> metrics = Send("GET", url + "/metrics");
  ASSERT_TRUE(metrics.ok());
  const std::string errors = "\nglueguard_store_errors_total ";
  const size_t at = metrics->body.find(errors);
  if (at != std::string::npos) {
    EXPECT_EQ(metrics->body.substr(at + errors.size(), 2), "0\n") << "store errors were counted";
  }

  // Killed with events in the inbox, started again on the same store: still admits.
  EXPECT_EQ(Send("POST", url + "/v1/events", kValidEvent)->status, 202);
  serve->Signal(SIGKILL);
  serve->Finish();
  url = StartServe(serve);
  ASSERT_FALSE(url.empty()) << serve->output();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Admit(url, "restarted-" + std::to_string(i)), 200);
  serve->Signal(SIGTERM);
  EXPECT_EQ(serve->Finish(), 0) << serve->output();
}

// Two controllers on one store file, asked in turn: every request to the second failed once the first wrote.
TEST_F(ServeHardening, TwoServeProcessesOnOneStoreFileBothAdmit) {
  std::unique_ptr<testing::ChildProcess> first, second;
  const std::string a = StartServe(first);
  const std::string b = StartServe(second);
  ASSERT_FALSE(a.empty() || b.empty()) << first->output() << second->output();
  for (int i = 0; i < 6; ++i) EXPECT_EQ(Admit(i % 2 == 0 ? a : b, "turn-" + std::to_string(i)), 200);
  EXPECT_EQ(Send("POST", a + "/v1/events", kValidEvent)->status, 202);
  for (int i = 6; i < 10; ++i) EXPECT_EQ(Admit(i % 2 == 0 ? a : b, "turn-" + std::to_string(i)), 200);
}

TEST_F(ServeHardening, PriorityOutsideItsRangeIsRefusedWithTheFieldNamed) {
  std::unique_ptr<testing::ChildProcess> serve;
  const std::string url = StartServe(serve);
  ASSERT_FALSE(url.empty()) << serve->output();
  for (const char* priority : {"4294967301", "2147483648", "-2147483649", "18446744073709551616", "1e3"}) {
    Result<HttpResponse> r =
        Send("POST", url + "/v1/admissions",
             std::string(R"({"category":"ad-hoc","workers":1,"run_id":"p","priority":)") + priority + "}");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 400) << priority << ": " << r->body;
    EXPECT_NE(r->body.find("priority"), std::string::npos) << r->body;
  }
}

TEST_F(ServeHardening, DeeplyNestedBodiesAreRefusedAndTheServerKeepsServing) {
  std::unique_ptr<testing::ChildProcess> serve;
  const std::string url = StartServe(serve);
  ASSERT_FALSE(url.empty()) << serve->output();
  // Valid JSON, nested 100,000 deep (200 KB) where the events route takes it, 30,000 deep (60 KB) under the
  // 64 KiB of the other writes: a parsed document that deep overflowed the stack of the recursive readers.
  for (const auto& [path, depth] : std::vector<std::pair<std::string, size_t>>{
           {"/v1/events", 100'000}, {"/v1/admissions", 30'000}, {"/v1/failures", 30'000}}) {
    Result<HttpResponse> r = Send("POST", url + path, std::string(depth, '[') + std::string(depth, ']'));
    ASSERT_TRUE(r.ok()) << path << ": " << r.status().ToString();
    EXPECT_EQ(r->status, 400) << path << ": " << r->body;
    EXPECT_NE(r->body.find("nested deeper than"), std::string::npos) << r->body;
  }
  EXPECT_EQ(Send("GET", url + "/healthz")->status, 200);
}

// With no token, invalid event bodies were kept as dead letters of up to 64 KiB each: anyone who could reach
// the port could fill the disk. Now they are refused and counted; with a token they are kept.
TEST_F(ServeHardening, InvalidEventsAreKeptOnlyFromAuthenticatedCallers) {
  std::unique_ptr<testing::ChildProcess> open;
  const std::string url = StartServe(open);
  ASSERT_FALSE(url.empty()) << open->output();
  Result<HttpResponse> refused = Send("POST", url + "/v1/events", "{\"detail\": ");
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 400);
  EXPECT_NE(refused->body.find("not kept"), std::string::npos) << refused->body;
  EXPECT_NE(Send("GET", url + "/v1/summary")->body.find("\"dead_letters\":0"), std::string::npos);
  open->Signal(SIGTERM);
  EXPECT_EQ(open->Finish(), 0);

  std::unique_ptr<testing::ChildProcess> guarded;
  const std::string guarded_url = StartServe(guarded, {}, {"GLUEGUARD_API_TOKEN=t0ken"});
  ASSERT_FALSE(guarded_url.empty()) << guarded->output();
  HttpRequest r;
  r.method = "POST";
  r.url = guarded_url + "/v1/events";
  r.body = "{\"detail\": ";
  r.headers = {{"Authorization", "Bearer t0ken"}};
  Result<HttpResponse> kept = client_.Send(r);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->status, 400);
  EXPECT_NE(kept->body.find("kept as dead letter"), std::string::npos) << kept->body;
}

TEST_F(ServeHardening, NoTokenMeansLoopbackOnlyAndAnEmptyTokenIsAnError) {
  testing::ChildProcess exposed({GLUEGUARD_BINARY, "serve", "--config", Source("examples/glueguard.yaml"),
                                 "--listen", "0.0.0.0:0"},
                                Env());
  EXPECT_EQ(exposed.Finish(), 2);
  EXPECT_NE(exposed.output().find("refusing to listen on 0.0.0.0 with no token"), std::string::npos)
      << exposed.output();

  testing::ChildProcess empty({GLUEGUARD_BINARY, "serve", "--config", Source("examples/glueguard.yaml"),
                               "--listen", "127.0.0.1:0"},
                              Env({"GLUEGUARD_API_TOKEN="}));
  EXPECT_EQ(empty.Finish(), 1);
  EXPECT_NE(empty.output().find("GLUEGUARD_API_TOKEN is set but empty"), std::string::npos) << empty.output();

  std::unique_ptr<testing::ChildProcess> meant;
  const std::string url = StartServe(meant, {"--insecure-no-auth"});
  EXPECT_FALSE(url.empty()) << meant->output();  // on 127.0.0.1 here, but the flag is accepted
}

}  // namespace
}  // namespace glueguard
