// EC2 calls a minute to keep many idle subnets observed, today's controller against one poller per subnet
// each making its own call (the design before subnets due in a tick were listed together), side by side.
//
// BM_IdleSubnetsCallsPerMinute/<design>/<subnets>: `subnets` subnets of 30 ENIs each, no launch asking, 10
// minutes on a FakeClock with the ticker's one tick a second. Design 0 is Controller::Tick (the subnets due are
// listed in one paginated DescribeNetworkInterfaces of up to 200 subnet ids); design 1 is a SubnetPoller per
// subnet refreshed every tick with its own call. EC2 is testing::FleetEc2, which pages and filters as EC2
// does; the counts are exact. Results: bench/README.md.
#include <benchmark/benchmark.h>

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "controller/admission_service.h"
#include "controller/controller.h"
#include "controller/subnet_poller.h"
#include "metrics/metrics.h"
#include "notify/notifier.h"
#include "store/memory_store.h"
#include "testing/fleet_ec2.h"

namespace glueguard {
namespace {

constexpr int kEnisPerSubnet = 30;
constexpr int kMinutes = 10;

Config FleetConfig(int subnets) {
  std::string yaml = "subnets:\n";
  for (int n = 0; n < subnets; ++n) yaml += fmt::format("  - {{id: subnet-{}, cidr: 10.{}.0.0/26}}\n", n, n);
  yaml += "categories:\n  - {name: critical, subnet: subnet-0}\n";
  return *ParseConfig(yaml, "fleet_bench.yaml", [](const std::string&) { return std::optional<std::string>(); });
}

void BM_IdleSubnetsCallsPerMinute(benchmark::State& state) {
  const bool per_subnet_calls = state.range(0) == 1;
  const int subnets = static_cast<int>(state.range(1));
  const Config config = FleetConfig(subnets);
  int64_t calls = 0;
  for (auto _ : state) {
    testing::FleetEc2 ec2(subnets, kEnisPerSubnet);
    MemoryStore store;
    RecordingNotifier notifier;
    FakeClock clock(FromUnixMillis(1'795'000'000'000));
    SeededRandom random(1);
    MetricsRegistry metrics;
    std::unique_ptr<Controller> controller;
    std::unique_ptr<AdmissionService> admission;
    std::vector<std::unique_ptr<SubnetPoller>> pollers;
    if (per_subnet_calls) {
      admission = std::move(*AdmissionService::Create(config, store, clock, random));
      for (const SubnetConfig& s : config.subnets) {
        pollers.push_back(std::make_unique<SubnetPoller>(s.id, ec2, *admission, clock));
      }
    } else {
      controller =
          std::move(*Controller::Create(ControllerDeps{config, store, ec2, notifier, clock, random, metrics}));
    }
    for (int second = 0; second < kMinutes * 60; ++second) {
      if (controller) {
        controller->Tick();
      } else {
        for (auto& poller : pollers) (void)poller->Refresh(config.admission.poll_interval, "poll");
      }
      clock.Advance(std::chrono::seconds(1));
    }
    calls += ec2.calls;
  }
  const double minutes = static_cast<double>(state.iterations()) * kMinutes;
  state.counters["ec2_calls_per_min"] = static_cast<double>(calls) / minutes;
  state.SetLabel(per_subnet_calls ? "a call per subnet" : "subnets due listed together");
}
BENCHMARK(BM_IdleSubnetsCallsPerMinute)
    ->ArgNames({"design", "subnets"})
    ->ArgsProduct({{0, 1}, {3, 100, 250}})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace glueguard
