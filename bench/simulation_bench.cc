// How fast the simulator replays the seed workload: 90 simulated days per iteration, with job runs per second
// reported as items. Side by side: no admission (the world alone) against rolling-max (every launch through the
// decision core, a poke a minute while held), and the small three-subnet workload against the shared one.
#include <benchmark/benchmark.h>

#include <map>
#include <string>

#include "sim/simulation.h"
#include "sim/workload.h"

namespace glueguard {
namespace {

const Workload& Load(const std::string& name) {
  static std::map<std::string, Workload> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    Result<Workload> w = LoadWorkloadFile(std::string(GLUEGUARD_BENCH_SOURCE_DIR) + "/examples/workloads/" + name);
    if (!w.ok()) std::abort();
    it = cache.emplace(name, *w).first;
  }
  return it->second;
}

void Simulate(benchmark::State& state, const std::string& workload_name, const std::string& policy_spec) {
  const Workload& workload = Load(workload_name);
  const SimPolicy policy = *ParseSimPolicy(policy_spec, workload.admission);
  int64_t runs = 0;
  uint64_t seed = 1;
  for (auto _ : state) {
    const SimulationResult r = RunSimulation(workload, policy, 90, seed++);
    runs += r.runs;
    benchmark::DoNotOptimize(r.exhaustion_failures);
  }
  state.SetItemsProcessed(runs);
  state.counters["runs_per_replay"] = benchmark::Counter(static_cast<double>(runs) / state.iterations());
}

void BM_Simulate90DaysAfterNone(benchmark::State& s) { Simulate(s, "seed-after.yaml", "none"); }
void BM_Simulate90DaysAfterRollingMax(benchmark::State& s) { Simulate(s, "seed-after.yaml", "rolling-max"); }
void BM_Simulate90DaysBeforeNone(benchmark::State& s) { Simulate(s, "seed-before.yaml", "none"); }
void BM_Simulate90DaysBeforeRollingMax(benchmark::State& s) { Simulate(s, "seed-before.yaml", "rolling-max"); }

BENCHMARK(BM_Simulate90DaysAfterNone)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Simulate90DaysAfterRollingMax)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Simulate90DaysBeforeNone)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Simulate90DaysBeforeRollingMax)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace glueguard
