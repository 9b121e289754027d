// One file over 500 lines: every benchmark here shares the simcloud-backed fixture below, and the numbers
// in bench/README.md compare designs measured side by side in one run of this binary.
// What the controller costs the AWS account and what an admission costs its caller, against simcloud in this
// process, set up as src/controller/serve_simcloud_test.cc does: SimCloud + AwsClient + Ec2Client +
// SqliteStore + Controller.
//
// BM_Ec2CallsPerMinute/<design>/<sensors>: EC2 calls per minute while `sensors` launches wait on one full
// subnet, each poking once a minute (pokes spread over the minute), for 10 minutes on a FakeClock. Design 0
// is glueguard (every poke asks the controller; its poller observes the subnet when the view is older than
// admission.poll_interval, or server.on_demand_max_age for an admission, one call shared by everyone); design
// 1 is the seed's sensor (every poke makes its own paginated DescribeNetworkInterfaces filtered by
// subnet-id); design 2 is glueguard with server.refresh_for_every_waiter (every waiter's poke may refresh,
// the design before waiter-aware refreshes). The calls counted are the ones simcloud received. Time per iteration is the wall time to replay
// the 10 minutes, simcloud's side included.
//
// BM_AdmitInProcess/<launches>, BM_AdmitThroughApi/<launches>, BM_HttpAdmissionsUnderWrk/<launches>/
// <connections>: one admission through Controller::Admit, through the API handler (JSON in and out, no
// socket), and over HTTP under Debian's wrk (-t2 -c16 -d5s; -t1 -c1 for one at a time) against a
// ControllerServer. <launches> waiting launches re-poke in turn (each one's first request is a new launch); 0
// means every request is a new launch, so the queue grows through the run. The clock is frozen: one
// DescribeNetworkInterfaces at the start, then every decision is on a fresh view (a real controller adds one
// call per on_demand_max_age). Results and the comparison they make: bench/README.md and docs/performance.md.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "net/curl_transport.h"
#include "aws/ec2.h"
#include "aws/environment.h"
#include "base/env.h"
#include "config/config.h"
#include "controller/api.h"
#include "controller/controller.h"
#include "controller/server.h"
#include "metrics/metrics.h"
#include "notify/notifier.h"
#include "sim/workload.h"
#include "simcloud/simcloud.h"
#include "store/sqlite_store.h"

namespace glueguard {
namespace {

using std::chrono::seconds;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kSubnet[] = "subnet-0a1b2c3d4e5f60001";  // subnet A of seed-after.yaml: a /26, 59 usable IPs
constexpr int kCapacity = 59;
constexpr int kWorkers = 10;
constexpr int kOrphans = 40;  // 2 endpoint ENIs + 40 orphans: 17 free, a buffer of 40: every launch waits
constexpr int kMinutes = 10;

// The controller's configuration: the example's admission settings, one subnet, one category.
constexpr char kConfig[] = R"(region: us-east-1
admission:
  buffer: {policy: rolling-max, window: 5, floor: 10, source: available}
  poll_interval: 60s
  stale_after: 2m
  max_wait: 10m
  waiter_idle_timeout: 5m
server:
  on_demand_max_age: 10s
subnets:
  - id: subnet-0a1b2c3d4e5f60001
    name: subnet-a
    cidr: 10.20.0.0/26
categories:
  - name: critical
    subnet: subnet-a
    priority: 100
)";

const Workload& SeedAfterWorkload() {
  static const Workload workload =
      *LoadWorkloadFile(std::string(GLUEGUARD_BENCH_SOURCE_DIR) + "/examples/workloads/seed-after.yaml");
  return workload;
}

// A directory under the system's temporary directory, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> next{0};
    path_ = std::filesystem::temp_directory_path() /
            ("glueguard-controller-bench-" + std::to_string(getpid()) + "-" + std::to_string(next++));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// simcloud serving the seed's three subnets (no arrivals: nothing moves unless told), subnet A filled with
// orphans, and the controller's configuration, its own AWS client and its store, all in a scratch directory.
class Rig {
 public:
  // Builds and starts everything; the error of the first part that failed.
  Status Start() {
    Result<Config> config = ParseConfig(kConfig, "controller_bench", FixedEnv({}));
    if (!config.ok()) return config.status();
    config_ = std::move(*config);
    config_.store.path = dir_.File("glueguard.db");
    SimCloudOptions options;
    options.world.run_arrivals = false;
    options.world.speed = 1;  // the simulated world follows the fake clock
    Result<std::unique_ptr<SimCloud>> cloud =
        SimCloud::Create(SeedAfterWorkload(), options, clock_, cloud_random_, sleeper_, transport_);
    if (!cloud.ok()) return cloud.status();
    cloud_ = std::move(*cloud);
    GG_RETURN_IF_ERROR(cloud_->Start());
    cloud_->sim().With([](World& w) { return w.InjectOrphanEnis(kSubnet, kOrphans); });
    Result<AwsEnvironment> environment = AwsEnvironment::FromConfig(
        FixedEnv({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", cloud_->endpoint()}}), SharedConfig{});
    if (!environment.ok()) return environment.status();
    environment_ = std::make_unique<AwsEnvironment>(std::move(*environment));
    aws_ = std::make_unique<AwsClient>(transport_, credentials_, *environment_, clock_, client_random_,
                                       sleeper_);
    ec2_ = std::make_unique<Ec2Client>(*aws_);
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(config_.store.path);
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    return Status::Ok();
  }

  // `refresh_for_every_waiter`: the design before waiter-aware refreshes (server.refresh_for_every_waiter).
  Result<std::unique_ptr<Controller>> MakeController(bool refresh_for_every_waiter = false) {
    config_.server.refresh_for_every_waiter = refresh_for_every_waiter;
    return Controller::Create(
        ControllerDeps{config_, *store_, *ec2_, notifier_, clock_, controller_random_, metrics_});
  }
  Result<std::unique_ptr<ControllerServer>> StartServer() {
    ControllerServerOptions options;
    options.port = 0;
    options.run_ticker = false;
    return ControllerServer::Start(ControllerServerDeps{config_, *store_, *ec2_, nullptr, transport_, clock_,
                                                        controller_random_, metrics_},
                                   options);
  }

  // DescribeNetworkInterfaces calls simcloud has received, whatever their outcome (pages, not paginations).
  int64_t DescribeCalls() const {
    int64_t calls = 0;
    for (const RequestCount& c : cloud_->front().RequestCounts()) {
      if (c.service == "ec2" && c.operation == "DescribeNetworkInterfaces") calls += c.count;
    }
    return calls;
  }

  FakeClock& clock() { return clock_; }
  Ec2Api& ec2() { return *ec2_; }
  std::string File(const std::string& name) const { return dir_.File(name); }

 private:
  ScratchDir dir_;
  Config config_;
  FakeClock clock_{FromUnixMillis(1'795'000'000'000)};
  FakeSleeper sleeper_{clock_};
  SeededRandom cloud_random_{11};
  SeededRandom client_random_{12};
  SeededRandom controller_random_{13};
  CurlTransport transport_;
  std::unique_ptr<SimCloud> cloud_;
  StaticCredentialsProvider credentials_{Credentials{"AKIDEXAMPLE", kSecret, "", {}, "bench"}};
  std::unique_ptr<AwsEnvironment> environment_;
  std::unique_ptr<AwsClient> aws_;
  std::unique_ptr<Ec2Client> ec2_;
  std::unique_ptr<SqliteStore> store_;
  RecordingNotifier notifier_;
  MetricsRegistry metrics_;
};

// The second of each minute sensor `i` of `sensors` pokes at: spread evenly over the minute.
int PokeSecond(int i, int sensors) { return i * 60 / sensors; }

// One poke of the seed's sensor: its own DescribeNetworkInterfaces of the subnet (every page, the poller's
// request), then the seed's rule: launch when free >= workers + max(available, MIN_BUFFER = 10) (its rolling
// max over the last 5 observations is the current count: nothing moves here). Returns whether it would
// launch; the error of the call.
Result<bool> SeedSensorPoke(Ec2Api& ec2) {
  DescribeNetworkInterfacesRequest request;
  request.filters = {{"subnet-id", {kSubnet}}};
  request.max_results = 1000;
  Result<std::vector<NetworkInterface>> enis = DescribeAllNetworkInterfaces(ec2, request);
  if (!enis.ok()) return enis.status();
  const EniCounts counts = CountEnis(*enis);
  return kCapacity - counts.total >= kWorkers + std::max(counts.available, 10);
}

void BM_Ec2CallsPerMinute(benchmark::State& state) {
  const bool seed_design = state.range(0) == 1;
  const bool every_waiter_refreshes = state.range(0) == 2;
  const int sensors = static_cast<int>(state.range(1));
  int64_t calls = 0;
  int64_t pokes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto rig = std::make_unique<Rig>();
    if (Status s = rig->Start(); !s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    std::unique_ptr<Controller> controller;
    if (!seed_design) {
      Result<std::unique_ptr<Controller>> created = rig->MakeController(every_waiter_refreshes);
      if (!created.ok()) {
        state.SkipWithError(created.status().ToString().c_str());
        break;
      }
      controller = std::move(*created);
    }
    const int64_t before = rig->DescribeCalls();
    std::string error;
    state.ResumeTiming();

    for (int second = 0; second < kMinutes * 60 && error.empty(); ++second) {
      if (controller) controller->Tick();  // the server's ticker, once a second
      for (int i = 0; i < sensors && error.empty(); ++i) {
        if (PokeSecond(i, sensors) != second % 60) continue;
        ++pokes;
        if (seed_design) {
          Result<bool> launch = SeedSensorPoke(rig->ec2());
          if (!launch.ok()) {
            error = launch.status().ToString();
          } else if (*launch) {
            error = "the seed's sensor found room: the subnet is not full";
          }
        } else {
          Result<Decision> d = controller->Admit({"critical", kWorkers, "sensor-" + std::to_string(i), {}});
          if (!d.ok()) {
            error = d.status().ToString();
          } else if (d->outcome != Outcome::kWait) {
            error = "a launch did not wait: " + d->reason;
          }
        }
      }
      rig->clock().Advance(seconds(1));
    }

    state.PauseTiming();
    calls += rig->DescribeCalls() - before;
    controller.reset();
    rig.reset();
    state.ResumeTiming();
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      break;
    }
  }
  const double minutes = static_cast<double>(state.iterations()) * kMinutes;
  if (minutes > 0) {
    state.counters["ec2_calls_per_min"] = static_cast<double>(calls) / minutes;
    state.counters["pokes_per_min"] = static_cast<double>(pokes) / minutes;
    state.counters["calls_per_poke"] =
        pokes > 0 ? static_cast<double>(calls) / static_cast<double>(pokes) : 0;
  }
  state.SetLabel(seed_design             ? "seed: a DescribeNetworkInterfaces per poke"
                 : every_waiter_refreshes ? "glueguard: one poller, every waiter refreshes"
                                          : "glueguard: one poller, refresh when a waiter could fit");
}
BENCHMARK(BM_Ec2CallsPerMinute)
    ->ArgNames({"design", "sensors"})
    ->ArgsProduct({{0, 1, 2}, {1, 10, 100}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The run id of the n-th admission with `launches` waiting launches (0 = every admission a new launch).
std::string RunId(int64_t n, int64_t launches) {
  return "launch-" + std::to_string(launches > 0 ? n % launches : n);
}

// The controller of the HTTP benchmark, started and with one observation made (its first decision).
struct StartedServer {
  std::unique_ptr<Rig> rig;
  std::unique_ptr<ControllerServer> server;
};
Result<StartedServer> StartWarmServer() {
  StartedServer s;
  s.rig = std::make_unique<Rig>();
  GG_RETURN_IF_ERROR(s.rig->Start());
  Result<std::unique_ptr<ControllerServer>> server = s.rig->StartServer();
  if (!server.ok()) return server.status();
  s.server = std::move(*server);
  Result<Decision> d = s.server->controller().Admit({"critical", kWorkers, "warm-up", {}});
  if (!d.ok()) return d.status();
  return s;
}

int WaitingLaunches(Controller& controller) { return controller.Subnets().at(0).waiters; }

void BM_AdmitInProcess(benchmark::State& state) {
  Result<StartedServer> s = StartWarmServer();
  if (!s.ok()) {
    state.SkipWithError(s.status().ToString().c_str());
    return;
  }
  Controller& controller = s->server->controller();
  int64_t n = 0;
  for (auto _ : state) {
    Result<Decision> d = controller.Admit({"critical", kWorkers, RunId(n++, state.range(0)), {}});
    if (!d.ok() || d->outcome != Outcome::kWait) {
      state.SkipWithError(d.ok() ? "a launch did not wait" : d.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["waiters"] = WaitingLaunches(controller);
}
BENCHMARK(BM_AdmitInProcess)->ArgName("launches")->Arg(100)->Unit(benchmark::kMicrosecond)->UseRealTime();
// Every admission a new launch: the queue grows by one each time, so the count is fixed near what wrk manages
// in its 5 s below, and the mean is over queues of 0 to 6000.
BENCHMARK(BM_AdmitInProcess)
    ->ArgName("launches")
    ->Arg(0)
    ->Iterations(6000)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

void BM_AdmitThroughApi(benchmark::State& state) {
  Result<StartedServer> s = StartWarmServer();
  if (!s.ok()) {
    state.SkipWithError(s.status().ToString().c_str());
    return;
  }
  Controller& controller = s->server->controller();
  ControllerApi api(controller, "", [] { return std::string(); });
  ServerRequest request;
  request.method = "POST";
  request.path = "/v1/admissions";
  request.headers = {{"Content-Type", "application/json"}};
  request.remote_addr = "127.0.0.1";
  int64_t n = 0;
  for (auto _ : state) {
    request.body = R"({"category":"critical","workers":10,"run_id":")" + RunId(n++, state.range(0)) + "\"}";
    ServerResponse response = api.Handle(request);
    if (response.status != 200) {
      state.SkipWithError(
          ("POST /v1/admissions: " + std::to_string(response.status) + " " + response.body).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["waiters"] = WaitingLaunches(controller);
}
BENCHMARK(BM_AdmitThroughApi)->ArgName("launches")->Arg(100)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Each wrk thread asks for its own launches; args[1] is how many per thread (0: every request a new launch).
constexpr char kWrkScript[] = R"(-- glueguard controller_bench: POST /v1/admissions with a run id per launch.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  pool = tonumber(args[1]) or 0
  counter = 0
end

function request()
  local n = counter
  counter = counter + 1
  if pool > 0 then n = n % pool end
  local body = string.format('{"category":"critical","workers":10,"run_id":"wrk-%d-%d"}', tid, n)
  return wrk.format("POST", "/v1/admissions", {["Content-Type"] = "application/json"}, body)
end
)";

constexpr char kWrk[] = "/usr/bin/wrk";

// A wrk duration ("839.15us", "2.44ms", "1.01s", "1.50m") in microseconds; nullopt when it is none.
std::optional<double> WrkMicros(const std::string& text) {
  size_t end = 0;
  double value = 0;
  try {
    value = std::stod(text, &end);
  } catch (...) {
    return std::nullopt;
  }
  const std::string unit = text.substr(end);
  if (unit == "us") return value;
  if (unit == "ms") return value * 1e3;
  if (unit == "s") return value * 1e6;
  if (unit == "m") return value * 60e6;
  if (unit == "h") return value * 3600e6;
  return std::nullopt;
}

struct WrkResult {
  double requests = 0;
  double requests_per_second = 0;
  std::optional<double> latency_avg_us, latency_p50_us, latency_p99_us;
  double non_2xx = 0;
  double socket_errors = 0;
};

// Reads wrk's report (run with --latency).
WrkResult ParseWrk(const std::string& output) {
  WrkResult r;
  std::istringstream lines(output);
  std::string line;
  bool distribution = false;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (first == "Latency" && !distribution) {
      std::string avg;
      words >> avg;
      if (avg == "Distribution") {
        distribution = true;
      } else {
        r.latency_avg_us = WrkMicros(avg);
      }
    } else if (distribution && (first == "50%" || first == "99%")) {
      std::string value;
      words >> value;
      (first == "50%" ? r.latency_p50_us : r.latency_p99_us) = WrkMicros(value);
    } else if (first == "Requests/sec:") {
      words >> r.requests_per_second;
    } else if (line.find("requests in") != std::string::npos) {
      r.requests = std::stod(first);
    } else if (first == "Non-2xx") {
      r.non_2xx = std::stod(line.substr(line.rfind(' ') + 1));
    } else if (first == "Socket") {  // "Socket errors: connect 0, read 0, write 0, timeout 0"
      std::string word;
      while (words >> word) {
        if (!word.empty() && std::isdigit(static_cast<unsigned char>(word[0]))) {
          r.socket_errors += std::stod(word);
        }
      }
    }
  }
  return r;
}

void BM_HttpAdmissionsUnderWrk(benchmark::State& state) {
  if (access(kWrk, X_OK) != 0) {
    state.SkipWithError("/usr/bin/wrk is missing (apt-get install wrk; scripts/install-deps installs it)");
    return;
  }
  Result<StartedServer> s = StartWarmServer();
  if (!s.ok()) {
    state.SkipWithError(s.status().ToString().c_str());
    return;
  }
  const int64_t launches = state.range(0);
  const int64_t connections = state.range(1);
  const int64_t threads = std::min<int64_t>(2, connections);
  const std::string script = s->rig->File("admissions.lua");
  std::ofstream(script) << kWrkScript;
  const std::string command = std::string(kWrk) + " -t" + std::to_string(threads) + " -c" +
                              std::to_string(connections) + " -d5s --latency -s " + script + " " +
                              s->server->url() + "/v1/admissions -- " + std::to_string(launches / threads) +
                              " 2>&1";
  const int64_t calls_before = s->rig->DescribeCalls();
  std::string output;
  int exit_status = -1;
  for (auto _ : state) {
    FILE* wrk = popen(command.c_str(), "r");
    if (wrk == nullptr) {
      state.SkipWithError("popen(wrk) failed");
      return;
    }
    char buffer[4096];
    size_t n = 0;
    while ((n = fread(buffer, 1, sizeof buffer, wrk)) > 0) output.append(buffer, n);
    exit_status = pclose(wrk);
  }
  const WrkResult r = ParseWrk(output);
  if (exit_status != 0 || r.requests_per_second <= 0 || !r.latency_avg_us || !r.latency_p50_us ||
      !r.latency_p99_us) {
    state.SkipWithError(("wrk did not report (exit " + std::to_string(exit_status) + "): " + output).c_str());
    return;
  }
  state.counters["requests_per_s"] = r.requests_per_second;
  state.counters["latency_avg_us"] = *r.latency_avg_us;
  state.counters["latency_p50_us"] = *r.latency_p50_us;
  state.counters["latency_p99_us"] = *r.latency_p99_us;
  state.counters["requests"] = r.requests;
  state.counters["non_2xx"] = r.non_2xx;
  state.counters["socket_errors"] = r.socket_errors;
  state.counters["waiters"] = WaitingLaunches(s->server->controller());
  state.counters["ec2_calls"] = static_cast<double>(s->rig->DescribeCalls() - calls_before);
}
BENCHMARK(BM_HttpAdmissionsUnderWrk)
    ->ArgNames({"launches", "connections"})
    ->Args({100, 16})
    ->Args({0, 16})
    ->Args({100, 1})  // one request at a time: the HTTP round trip without queueing
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace
}  // namespace glueguard
