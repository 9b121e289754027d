// What session boundaries cost per event.
//
// BM_ParseAndEvaluate: one CloudTrail CreateSession event (EventBridge-shaped, ~1.5 KB) parsed and judged
// against the example configuration's policy (a session that breaks two limits): events evaluated per second.
// BM_HandleReportOnly: the whole handler in report mode with the SQLite store (the dedupe claim and its
// record, two transactions per event) and a recording notifier: events handled per second when nothing is
// ended. BM_EventToStopSession: the time from an event's arrival to its session stopped and deleted, against
// simcloud in this process over HTTP (SigV4 signing and verification included): GetSession (the session is
// READY), StopSession, DeleteSession, with the SQLite store. The session is created directly in the simulated
// world between iterations (not timed). Results: bench/README.md.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/environment.h"
#include "config/config.h"
#include "net/curl_transport.h"
#include "sessions/handler.h"
#include "sim/workload.h"
#include "simcloud/simcloud.h"
#include "testing/session_fakes.h"

namespace glueguard {
namespace {

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

std::string Source(const std::string& path) { return std::string(GLUEGUARD_BENCH_SOURCE_DIR) + "/" + path; }

// The test corpus's CreateSession event with what a notebook adds: a timeout, a connection, an owner tag.
std::string Event(const std::string& event_id, const std::string& session_id) {
  nlohmann::json e = nlohmann::json::parse(testing::CreateSessionEvent(event_id, session_id, 12));
  nlohmann::json& request = e["detail"]["requestParameters"];
  request["timeout"] = 60;
  request["connections"] = {{"connections", {"glue-vpc-adhoc"}}};
  request["tags"] = {{"owner", "jane.doe@example.com"}};
  return e.dump();
}

SessionsConfig ExampleSessions() {
  Result<Config> config = LoadConfigFile(Source("examples/glueguard.yaml"), FixedEnv({}));
  if (!config.ok()) std::abort();
  return config->sessions;
}

void BM_ParseAndEvaluate(benchmark::State& state) {
  const SessionsConfig sessions = ExampleSessions();
  const std::string event = Event("e1", "s1");
  size_t violations = 0;
  for (auto _ : state) {
    Result<ParsedEvent> parsed = ParseSessionEvent(event);
    Evaluation e = Evaluate(sessions.policy, *parsed->event);
    violations += e.violations.size();
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["violations_per_event"] =
      static_cast<double>(violations) / static_cast<double>(std::max<int64_t>(1, state.iterations()));
}
BENCHMARK(BM_ParseAndEvaluate);

// A Glue the report-only handler never calls.
class NoGlue final : public GlueApi {
 public:
  Result<Session> GetSession(const std::string&) override { return Status::Internal("unused"); }
  Result<SessionPage> ListSessions(const ListSessionsRequest&) override { return Status::Internal("unused"); }
  Status StopSession(const std::string&) override { return Status::Internal("unused"); }
  Status DeleteSession(const std::string&) override { return Status::Internal("unused"); }
  Result<Job> GetJob(const std::string&) override { return Status::Internal("unused"); }
  Result<std::string> StartJobRun(const StartJobRunRequest&) override { return Status::Internal("unused"); }
  Result<JobRun> GetJobRun(const std::string&, const std::string&) override {
    return Status::Internal("unused");
  }
  Result<JobRunPage> GetJobRuns(const GetJobRunsRequest&) override { return Status::Internal("unused"); }
  Result<BatchStopJobRunResult> BatchStopJobRun(const std::string&,
                                                const std::vector<std::string>&) override {
    return Status::Internal("unused");
  }
  Result<GlueConnection> GetConnection(const std::string&) override { return Status::Internal("unused"); }
};

// Keeps no notifications (a RecordingNotifier would grow through the run).
class CountingNotifier final : public Notifier {
 public:
  Status Notify(const Notification&) override {
    ++count;
    return Status::Ok();
  }
  std::atomic<int64_t> count{0};
};

std::string TempDb(const std::string& name) {
  const std::string path = "/tmp/glueguard-bench-" + std::to_string(::getpid()) + "-" + name + ".db";
  std::remove(path.c_str());
  return path;
}

void BM_HandleReportOnly(benchmark::State& state) {
  SessionsConfig sessions = ExampleSessions();
  sessions.policy.action = SessionAction::kReport;
  NoGlue glue;
  CountingNotifier notifier;
  const std::string db = TempDb("report");
  auto store = std::move(*OpenSqliteSessionStore(db));
  FakeClock clock;
  FakeSleeper sleeper(clock);
  SeededRandom random(1);
  SessionEventHandler handler(
      SessionHandlerDeps{sessions, glue, notifier, *store, *store, clock, sleeper, random, nullptr, {}});
  int64_t n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    ++n;
    const std::string event = Event("e" + std::to_string(n), "s" + std::to_string(n));
    state.ResumeTiming();
    Result<HandleResult> r = handler.Handle(event, {});
    if (!r.ok() || r->outcome != EventOutcome::kViolation) state.SkipWithError("not handled as a violation");
  }
  state.SetItemsProcessed(state.iterations());
  std::remove(db.c_str());
}
BENCHMARK(BM_HandleReportOnly);

void BM_EventToStopSession(benchmark::State& state) {
  SessionsConfig sessions = ExampleSessions();
  sessions.policy.action = SessionAction::kEnforce;
  Result<Workload> workload = LoadWorkloadFile(Source("examples/workloads/seed-after.yaml"));
  SystemClock wall;
  FakeClock sleeper_clock;
  FakeSleeper sleeper(sleeper_clock);
  SeededRandom cloud_random(1), client_random(2), random(3);
  CurlTransport transport;
  SimCloudOptions options;
  options.world.run_arrivals = false;
  options.world.speed = 10'000;
  std::unique_ptr<SimCloud> cloud =
      std::move(*SimCloud::Create(*workload, options, wall, cloud_random, sleeper, transport));
  if (!cloud->Start().ok()) {
    state.SkipWithError("simcloud did not start");
    return;
  }
  AwsEnvironment environment = *AwsEnvironment::FromConfig(
      FixedEnv({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", cloud->endpoint()}}), SharedConfig{});
  StaticCredentialsProvider credentials{Credentials{"AKIDEXAMPLE", kSecret, "", {}, "bench"}};
  AwsClient aws(transport, credentials, environment, wall, client_random, sleeper);
  GlueClient glue(aws);
  CountingNotifier notifier;
  const std::string db = TempDb("enforce");
  auto store = std::move(*OpenSqliteSessionStore(db));
  FakeClock clock;
  SessionEventHandler handler(
      SessionHandlerDeps{sessions, glue, notifier, *store, *store, clock, sleeper, random, nullptr, {}});
  int64_t n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string id = "bench-" + std::to_string(++n);
    cloud->sim().With([&](World& w) {
      CreateSessionInput input;
      input.id = id;
      input.role = "arn:aws:iam::123456789012:role/GlueRole";
      input.workers = 12;
      input.idle_timeout_minutes = 600;
      (void)w.CreateSession(input);
      return 0;
    });
    // At 10,000x, provisioning (under 90 simulated seconds) takes a few real milliseconds: wait for READY.
    while (cloud->sim().With([&](World& w) {
      const SimSession* s = w.FindSession(id);
      return s != nullptr && s->status == SessionState::kProvisioning;
    })) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const std::string event = Event("e" + std::to_string(n), id);
    state.ResumeTiming();
    Result<HandleResult> r = handler.Handle(event, {});
    if (!r.ok() || !r->ended) state.SkipWithError("the session was not ended");
  }
  state.SetItemsProcessed(state.iterations());
  std::remove(db.c_str());
}
BENCHMARK(BM_EventToStopSession)->Unit(benchmark::kMillisecond)->MinTime(2);

}  // namespace
}  // namespace glueguard
