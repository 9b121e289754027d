// What an admission costs, and what persisting it costs.
//
// BM_Decide/<waiters>: the pure decision core with a queue of that many waiters ahead (the headroom walk is
// linear in the queue), next to BM_CopyState/<waiters>, the copy of the state every change starts from. BM_AdmitWithStore/<0|1>: a full AdmissionService::Admit, which commits the decision, its
// waiter and its audit record, against the in-memory store (0) and SQLite on a temporary file (1).
// Results and the comparison they make: bench/README.md.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>

#include "controller/admission_service.h"
#include "admission/subnet_admission.h"
#include "base/clock.h"
#include "base/random.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"
#include "testing/observations.h"

namespace glueguard {
namespace {

Observation Obs(const std::string& subnet, Time at, int in_use, int available) {
  return testing::ObservationOf(subnet, at, in_use, available);
}

// A subnet whose queue holds `waiters` launches that all fit, ahead of any priority-0 probe.
SubnetAdmission QueuedSubnet(int waiters, Random& random, Time now) {
  SubnetSettings settings;
  settings.subnet_id = "subnet-a";
  settings.capacity = 65531;  // a /16, so every waiter could fit
  SubnetAdmission subnet(settings);
  subnet.Observe(Obs("subnet-a", now, 65000, 10));  // no headroom: everyone waits
  for (int i = 0; i < waiters; ++i) {
    SubnetChanges ignored;
    subnet.Decide(Launch{"c", "waiter-" + std::to_string(i), 1, 1, 100}, now, random, ignored);
  }
  subnet.Observe(Obs("subnet-a", now + Duration(1), 100, 10));  // now they all fit
  return subnet;
}

// The baseline for BM_Decide: copying the state, which each iteration must do (a decision changes it).
void BM_CopyState(benchmark::State& state) {
  SeededRandom random(1);
  const Time now = FromUnixMillis(1'767'225'600'000);
  const SubnetAdmission subnet = QueuedSubnet(static_cast<int>(state.range(0)), random, now);
  for (auto _ : state) {
    SubnetAdmission copy = subnet;
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(BM_CopyState)->Arg(0)->Arg(10)->Arg(100)->Arg(1000);

// Copy + decide for a probe that walks the whole queue; subtract BM_CopyState for the decision alone.
void BM_Decide(benchmark::State& state) {
  SeededRandom random(1);
  const Time now = FromUnixMillis(1'767'225'600'000);
  const SubnetAdmission subnet = QueuedSubnet(static_cast<int>(state.range(0)), random, now);
  const Launch probe{"c", "probe", 1, 1, 0};  // lowest priority: it walks the whole queue
  for (auto _ : state) {
    SubnetAdmission copy = subnet;
    SubnetChanges changes;
    benchmark::DoNotOptimize(copy.Decide(probe, now + Duration(1), random, changes));
  }
}
BENCHMARK(BM_Decide)->Arg(0)->Arg(10)->Arg(100)->Arg(1000);

void BM_AdmitWithStore(benchmark::State& state) {
  const std::string yaml = R"(subnets:
  - id: subnet-a
    cidr: 10.0.0.0/16
categories:
  - name: c
    subnet: subnet-a
)";
  Result<Config> config = ParseConfig(yaml, "bench", [](const std::string&) { return std::optional<std::string>(); });
  FakeClock clock;
  SeededRandom random(1);
  const auto dir = std::filesystem::temp_directory_path() / ("glueguard-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::unique_ptr<ObservationStore> store;
  if (state.range(0) == 0) {
    store = std::make_unique<MemoryStore>();
  } else {
    store = std::move(*SqliteStore::Open((dir / "bench.db").string()));
  }
  auto service = std::move(*AdmissionService::Create(*config, *store, clock, random));
  (void)service->Observe(Obs("subnet-a", clock.Now(), 65500, 10));  // every launch waits: one waiter each
  int64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(service->Admit({"c", 1, "run-" + std::to_string(i++ % 100), std::nullopt}));
  }
  state.SetLabel(state.range(0) == 0 ? "memory store" : "sqlite store");
  service.reset();
  store.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_AdmitWithStore)->Arg(0)->Arg(1);

}  // namespace
}  // namespace glueguard
