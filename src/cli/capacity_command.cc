// glueguard capacity: each subnet's headroom at its busiest hour (stored observations and the simulator), and
// how much a category (or a job) can grow before the watched subnet starts to hold and then fail launches.
#include <fmt/format.h>

#include <cstdlib>
#include <ostream>

#include "app/aws_runtime.h"
#include "base/clock.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "doctor/capacity.h"
#include "store/open_store.h"

namespace glueguard {

namespace {

const char* const kUsage =
    "glueguard capacity WORKLOAD [--config FILE] [--category NAME | --job NAME] [--step N] [--max N]\n"
    "                   [--policy P] [--days N] [--seed S] [--seeds N] [--since DURATION] [--output "
    "table|json]\n\n"
    "The capacity review as a command. Per subnet: its usable IPs, the busiest hour the stored observations\n"
    "saw (with --config: the configured store) and the one the simulator replays from WORKLOAD, and the\n"
    "headroom left at each. Then the growth scan: the category (default: the first one on the first subnet)\n"
    "grows by --step percent at a time (its jobs' workers and its ad-hoc and session arrivals), or with "
    "--job\n"
    "one job gains --step workers at a time, each step replayed like `glueguard simulate --grow`, until its\n"
    "subnet starts to hold launches and to fail them. The same inputs print the same bytes.";

std::vector<FlagSpec> Specs() {
  return {
      {"config", "glueguard configuration: its subnets and its store's observations", true, false, "FILE"},
      {"category", "the category to grow by --step percent", true, false, "NAME"},
      {"job", "a job to grow by --step workers instead", true, false, "NAME"},
      {"step", "growth per step: percent (default 5), or workers with --job (default 1)", true, false, "N"},
      {"max", "the largest growth tried (default 300 percent, or 60 workers)", true, false, "N"},
      {"policy", "admission policy, as for simulate (default rolling-max)", true, false, "P"},
      {"days", "simulated days per step (default 30)", true, false, "N"},
      {"seed", "the first seed (default 1)", true, false, "S"},
      {"seeds", "seeds per step, summed (default 1)", true, false, "N"},
      {"since", "stored observations looked at (default 30d)", true, false, "DURATION"},
      OutputFlag(),
      {"help", "show this help", false}};
}

}  // namespace

int RunCapacity(CommandContext& context) {
  CommandFlags flags = ParseCommandFlags(context, kUsage, Specs());
  if (!flags) return flags.exit_code;
  const std::optional<OutputFormat> output = ReadOutputFormat(context, *flags);
  if (!output) return kExitUsage;
  if (!ExpectOneArgument(context, *flags, kUsage, "workload file")) return kExitUsage;
  if (flags->Has("category") && flags->Has("job")) {
    context.err << "glueguard: give --category or --job, not both\n";
    return kExitUsage;
  }
  CapacityOptions options;
  if (flags->Has("job")) {
    options.kind = WorkloadGrowth::Kind::kJobWorkers;
    options.name = *flags->Get("job");
    options.step = 1;
    options.max = 60;
  } else {
    options.name = flags->Get("category").value_or("");
  }
  options.policy = flags->Get("policy").value_or(options.policy);
  bool ok = true;
  auto number = [&](const char* name, double min, double max, auto& into) {
    ok = ReadNumberFlag(*flags, context.err, name, min, max, into) && ok;
  };
  number("step", 0.1, 10000, options.step);
  number("max", 0.1, 10000, options.max);
  number("days", 1, 3660, options.days);
  number("seed", 0, 1e15, options.seed);
  number("seeds", 1, 1000, options.seeds);
  if (flags->Has("since")) {
    Result<Duration> since = ParseDuration(*flags->Get("since"));
    if (!since.ok()) {
      context.err << "glueguard: --since: " << since.status().message() << "\n";
      ok = false;
    } else {
      options.since = *since;
    }
  }
  if (!ok) return kExitUsage;

  Result<Workload> workload = LoadWorkloadFile(flags->positional().front());
  if (!workload.ok()) {
    context.err << "glueguard: " << workload.status().message() << "\n";
    return kExitUsage;
  }
  std::vector<SubnetConfig> subnets;
  std::unique_ptr<AwsRuntime> aws;  // for a DynamoDB store
  std::unique_ptr<ObservationStore> store;
  if (flags->Has("config")) {
    Result<Config> config = LoadConfigFile(*flags->Get("config"), context.env);
    if (!config.ok()) {
      context.err << config.status().message() << "\n";
      return kExitUsage;
    }
    if (config->store.kind == "dynamodb") {
      Result<std::unique_ptr<AwsRuntime>> created = AwsRuntime::Create(context.env, config->region);
      if (!created.ok()) {
        context.err << "glueguard: " << created.status().message() << "\n";
        return kExitFailure;
      }
      aws = std::move(*created);
    }
    Result<std::unique_ptr<ObservationStore>> opened =
        OpenStore(config->store, aws ? aws->client.get() : nullptr);
    if (!opened.ok()) {
      context.err << "glueguard: " << opened.status().message() << "\n";
      return kExitUsage;
    }
    store = std::move(*opened);
    subnets = config->subnets;
  } else {
    for (const WorkloadSubnet& w : workload->subnets) {
      SubnetConfig s;
      s.id = w.id;
      s.name = w.name;
      s.cidr = w.cidr;
      subnets.push_back(s);
    }
  }
  SystemClock clock;
  Result<CapacityReport> report =
      glueguard::RunCapacity(*workload, subnets, store.get(), clock.Now(), options);
  if (!report.ok()) {
    context.err << "glueguard: " << report.status().message() << "\n";
    return kExitUsage;
  }
  context.out << (*output == OutputFormat::kJson ? FormatCapacityJson(*report)
                                                 : FormatCapacityTable(*report));
  return kExitOk;
}

}  // namespace glueguard
