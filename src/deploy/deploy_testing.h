// Support for the tests of the files under deploy/: their paths in the checkout, running promtool, and the
// sample names a running glueguard exposes. Header-only: nothing here belongs in the binary.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "base/env.h"
#include "base/random.h"
#include "controller/controller.h"
#include "controller/controller_metrics.h"
#include "testing/promql_names.h"
#include "notify/notifier.h"
#include "sessions/session_metrics.h"
#include "store/memory_store.h"
#include "testing/process.h"

namespace glueguard::deploy_testing {

// `path` relative to the checkout, e.g. "deploy/prometheus/alerts.yml".
inline std::string Source(const std::string& path) { return std::string(GLUEGUARD_SOURCE_DIR) + "/" + path; }

inline constexpr char kPromtool[] = "/usr/bin/promtool";
inline constexpr char kPrometheus[] = "/usr/bin/prometheus";

struct ToolRun {
  int exit_code = -1;  // -1: did not start or did not exit normally
  std::string output;  // stdout and stderr
};

// Runs `argv` to its end.
inline ToolRun RunTool(const std::vector<std::string>& argv) {
  testing::ChildProcess child(argv, {"PATH=/usr/bin:/bin"});
  ToolRun run;
  if (!child.started()) return run;
  run.exit_code = child.Finish();
  run.output = child.output();
  return run;
}

// An EC2 that is never reached: registering metrics makes no call.
class UnreachableEc2 final : public Ec2Api {
 public:
  Result<NetworkInterfacePage> DescribeNetworkInterfaces(const DescribeNetworkInterfacesRequest&) override {
    return Status::Unavailable("not reachable in this test");
  }
  Result<std::vector<Subnet>> DescribeSubnets(const DescribeSubnetsRequest&) override {
    return Status::Unavailable("not reachable in this test");
  }
  Status DeleteNetworkInterface(const std::string&) override {
    return Status::Unavailable("not reachable in this test");
  }
};

// Every sample name a running glueguard exposes (histograms as _bucket, _sum and _count), read from a real
// MetricsRegistry with everything `glueguard serve` registers (the controller's families, its per-subnet
// gauges and glueguard_alert_firing, the AWS-call metrics) and the session metrics. Empty when registration
// fails, which the caller's assertions then report.
inline std::set<std::string> GlueguardSampleNames() {
  Result<Config> config = ParseConfig(R"(
subnets:
  - {id: subnet-1, name: a, cidr: 10.0.0.0/26}
categories:
  - {name: batch, subnet: a, priority: 10}
)",
                                      "exported-metrics.yaml", FixedEnv({}));
  if (!config.ok()) return {};
  MemoryStore store;
  UnreachableEc2 ec2;
  RecordingNotifier notifier;
  FakeClock clock;
  SeededRandom random(1);
  MetricsRegistry registry;
  Result<std::unique_ptr<Controller>> controller =
      Controller::Create(ControllerDeps{*config, store, ec2, notifier, clock, random, registry});
  if (!controller.ok() || !AwsCallMetrics::Register(registry).ok() ||
      !SessionMetrics::Register(registry).ok()) {
    return {};
  }
  return ExposedSampleNames(registry.Collect());
}

}  // namespace glueguard::deploy_testing
