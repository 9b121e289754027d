// glueguard simulate: replays a workload under several admission policies and seeds, side by side.
#include <fmt/format.h>

#include <ostream>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "sim/report.h"
#include "sim/simulation.h"
#include "sim/workload.h"
#include "sim/workload_growth.h"

namespace glueguard {

int RunSimulate(CommandContext& context) {
  const char* usage =
      "glueguard simulate WORKLOAD [--days N] [--policy P]... [--seeds N] [--seed S] [--output "
      "table|csv|json]\n\n"
      "Replays a workload (subnets, categories, scheduled and ad-hoc Glue runs, sessions, ENI cleanup tails) "
      "in\n"
      "the discrete-event simulator under each policy, on the same simulated days, and prints what "
      "happened:\n"
      "runs, IP-exhaustion failures, launches held and recovered, waits, timeouts, peak utilisation, EC2 "
      "calls.\n"
      "Policies: none (no admission, launches go blind), oracle (exact free IPs, no buffer: the least "
      "waiting\n"
      "possible), or a buffer policy as in the config (static:20, rolling-max, rolling-max:5:10:available,\n"
      "forecast: releases and uncontrolled growth learned from each ENI's timeline, forecast:K also keeps K\n"
      "IPs free for launches that bypass admission; it polls every subnet every observe_interval, as serve\n"
      "does, and its EC2 calls count those polls). A \"counts:\" prefix\n"
      "gives a policy observations without ENI lists (reservations then settle by net growth).\n"
      "The same workload, days, policies and seeds always print the same bytes. See docs/simulation.md.";
  std::vector<FlagSpec> specs = {
      {"days", "simulated days (default 90)", true, false, "N"},
      {"policy", "a policy to compare; repeat for several (default none, rolling-max)", true, true, "P"},
      {"seeds", "how many seeds per policy (default 1)", true, false, "N"},
      {"seed", "the first seed (default 1); seeds are S, S+1, ...", true, false, "S"},
      {"output", "table (default), csv or json", true, false, "FORMAT"},
      {"grow", "what if: category:NAME+PCT% or job:NAME+WORKERS, applied to the workload; repeatable", true,
       true, "SPEC"},
      {"trace", "also write every admission decision and failed run to stderr", false},
      {"help", "show this help", false}};
  CommandFlags flags = ParseCommandFlags(context, usage, specs);
  if (!flags) return flags.exit_code;
  if (!ExpectOneArgument(context, *flags, usage, "workload file")) return kExitUsage;
  const std::string output = flags->Get("output").value_or("table");
  if (output != "table" && output != "csv" && output != "json") {
    context.err << fmt::format("glueguard: --output must be table, csv or json, not '{}'\n", output);
    return kExitUsage;
  }
  auto number = [&](const char* name, int64_t fallback, int64_t min, int64_t max) -> std::optional<int64_t> {
    Result<std::optional<int64_t>> value = WholeNumberFlag(*flags, name, min, max);
    if (!value.ok()) {
      context.err << "glueguard: " << value.status().message() << "\n";
      return std::nullopt;
    }
    return value->value_or(fallback);
  };
  const std::optional<int64_t> days = number("days", 90, 1, 3660);
  const std::optional<int64_t> seeds = number("seeds", 1, 1, 10000);
  const std::optional<int64_t> first_seed = number("seed", 1, 0, INT64_MAX / 2);
  if (!days || !seeds || !first_seed) return kExitUsage;

  Result<Workload> workload = LoadWorkloadFile(flags->positional().front());
  if (!workload.ok()) {
    context.err << "glueguard: " << workload.status().message() << "\n";
    return kExitFailure;
  }
  for (const std::string& spec : flags->GetAll("grow")) {
    Result<WorkloadGrowth> growth = ParseWorkloadGrowth(spec);
    Status applied = growth.ok() ? ApplyWorkloadGrowth(*workload, *growth) : growth.status();
    if (!applied.ok()) {
      context.err << "glueguard: --grow: " << applied.message() << "\n";
      return kExitUsage;
    }
  }
  std::vector<std::string> names = flags->GetAll("policy");
  if (names.empty()) names = {"none", "rolling-max"};
  std::vector<SimPolicy> policies;
  for (const std::string& name : names) {
    Result<SimPolicy> policy = ParseSimPolicy(name, workload->admission);
    if (!policy.ok()) {
      context.err << "glueguard: " << policy.status().message() << "\n";
      return kExitUsage;
    }
    policies.push_back(*policy);
  }

  std::vector<PolicySummary> summaries;
  std::vector<SimulationResult> all;
  for (const SimPolicy& policy : policies) {
    std::vector<SimulationResult> results;
    for (int64_t i = 0; i < *seeds; ++i) {
      results.push_back(RunSimulation(*workload, policy, static_cast<int>(*days),
                                      static_cast<uint64_t>(*first_seed + i),
                                      flags->Has("trace") ? &context.err : nullptr));
    }
    summaries.push_back(Summarise(results));
    all.insert(all.end(), results.begin(), results.end());
  }
  if (output == "json") {
    context.out << FormatSummaryJson(summaries, all);
  } else if (output == "csv") {
    context.out << FormatSummaryCsv(summaries);
  } else {
    context.out << fmt::format("workload {}\n", workload->source) << FormatSummaryTable(summaries);
  }
  return kExitOk;
}

}  // namespace glueguard
