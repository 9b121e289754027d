// glueguard demo: the whole system on one laptop, telling the story glueguard exists for. simcloud runs a
// slow-cleanup morning on the seed's three subnets (examples/workloads/demo-story.yaml) on an accelerated
// clock; the controller observes it through the EC2 API and answers admissions on its HTTP API; a launcher
// plays Airflow: every launch of the workload asks the API, waits when told to, and starts its Glue job run
// on simcloud when admitted, while console runs start without asking. One line per decision and alert. At the
// end of the story (or on Ctrl-C): a doctor pass over the simulated account, what happened, and the same
// day replayed by the simulator with and without admission, side by side.
#include <fmt/format.h>

#include <filesystem>
#include <functional>
#include <iostream>

#include "app/demo.h"
#include "app/demo_timing.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "net/http_server.h"
#include "sim/simulation.h"

namespace glueguard {
namespace {

// "HH:MM" as a time of day; nullopt when it is not one.
std::optional<Duration> ParseTimeOfDay(const std::string& text) {
  int hour = -1, minute = -1;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%d:%d%c", &hour, &minute, &extra) != 2 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59) {
    return std::nullopt;
  }
  return std::chrono::hours(hour) + std::chrono::minutes(minute);
}

using ResultColumns = std::vector<std::pair<std::string, SimulationResult>>;

// Each (title, policy) simulated over `days` from `seed`, one column each; empty when a policy does not
// parse.
ResultColumns Simulate(const Workload& workload,
                       const std::vector<std::pair<std::string, std::string>>& policies, int days,
                       uint64_t seed) {
  ResultColumns columns;
  for (const auto& [title, spec] : policies) {
    Result<SimPolicy> policy = ParseSimPolicy(spec, workload.admission);
    if (!policy.ok()) return {};
    columns.emplace_back(title, RunSimulation(workload, *policy, days, seed));
  }
  return columns;
}

struct ResultRow {
  std::string label;
  std::function<std::string(const SimulationResult&)> cell;
};
const ResultRow kRunsFailed{"runs FAILED for lack of IPs",
                            [](const SimulationResult& r) { return std::to_string(r.exhaustion_failures); }};
const ResultRow kNeedlessHolds{"holds a perfect view would skip",
                               [](const SimulationResult& r) { return std::to_string(r.needless_holds); }};
const ResultRow kTimeouts{"launches failed loudly (max_wait)",
                          [](const SimulationResult& r) { return std::to_string(r.timeouts); }};

void PrintResultTable(std::ostream& out, const ResultColumns& columns, int width,
                      const std::vector<ResultRow>& rows) {
  std::string header = fmt::format("  {:<34}", "");
  for (const auto& [title, r] : columns) header += fmt::format("{:>{}}", title, width);
  out << header << "\n";
  for (const ResultRow& row : rows) {
    std::string line = fmt::format("  {:<34}", row.label);
    for (const auto& [title, r] : columns) line += fmt::format("{:>{}}", row.cell(r), width);
    out << line << "\n";
  }
}

// The same day replayed by the simulator (the demo's world seed, the whole day) without admission, under
// the configured buffer policy, and with exact knowledge (the oracle), side by side.
void PrintSideBySide(const Workload& workload, uint64_t seed, std::ostream& out) {
  const ResultColumns columns = Simulate(
      workload,
      {{"without glueguard", "none"}, {"with glueguard", "rolling-max"}, {"exact (oracle)", "oracle"}}, 1,
      seed);
  if (columns.empty()) return;
  out << fmt::format("\nThe same day, replayed by the simulator ({}, seed {}, the whole day):\n",
                     workload.description, seed);
  PrintResultTable(out, columns, 20,
                   {{"job runs started", [](const SimulationResult& r) { return std::to_string(r.runs); }},
                    kRunsFailed,
                    {"launches held, then started",
                     [](const SimulationResult& r) { return std::to_string(r.held_recovered); }},
                    kTimeouts,
                    kNeedlessHolds,
                    {"peak utilisation", [](const SimulationResult& r) {
                       return fmt::format("{:.0f} %", 100 * r.peak_utilisation);
                     }}});
  out << "A run that fails for lack of IPs fails mid-start, after the DAG has moved on; a launch glueguard "
         "holds\n"
         "either starts when the IPs are there or fails loudly at max_wait, where a retry can pick it up.\n"
         "Holds a perfect view would skip are the price of the rolling-max buffer, which counts lingering "
         "ENIs\n"
         "once in the free count and again in the buffer (docs/admission.md).\n";
}

// The buffer policies over a month of the same workload: the forecast decides as rolling-max until it has a
// day of ENI history and enough measured cleanup tails, so the demo's one day cannot show it.
void PrintForecastMonth(const Workload& workload, uint64_t seed, std::ostream& out) {
  constexpr int kDays = 30;
  const ResultColumns columns =
      Simulate(workload, {{"rolling-max", "rolling-max"}, {"forecast", "forecast"}, {"oracle", "oracle"}},
               kDays, seed);
  if (columns.empty()) return;
  out << fmt::format(
      "\nThe same workload over {} days, by buffer policy (buffer.policy in the configuration):\n", kDays);
  PrintResultTable(
      out, columns, 14,
      {kRunsFailed, kNeedlessHolds, kTimeouts, {"wait per launch (mean s)", [](const SimulationResult& r) {
                                                  return fmt::format("{:.1f}",
                                                                     r.launches > 0
                                                                         ? r.wait_total_ms / 1000.0 /
                                                                               static_cast<double>(r.launches)
                                                                         : 0.0);
                                                }}});
  out << "The forecast allows only for the growth admission does not control and counts the lingering ENIs\n"
         "due to be deleted by then, learned from each ENI's timeline "
         "(docs/admission.md#the-forecast-policy).\n";
}

}  // namespace

int RunDemo(CommandContext& context) {
  const char* usage =
      "glueguard demo [--speed X] [--until HH:MM] [--listen HOST:PORT] [--workload FILE] [--config FILE]\n"
      "               [--start HH:MM]\n\n"
      "Plays a slow-cleanup morning on the seed's three subnets on a clock X times real time: simcloud runs\n"
      "the workload, the controller observes it through the EC2 API, and a launcher sends every launch "
      "through\n"
      "the admission API before starting it, as Airflow would. You see launches held while ENIs linger and\n"
      "admitted as they drain, a console run in the wrong subnet tripping the 80 % alert, and the dashboard\n"
      "live throughout. At --until (or on Ctrl-C) it prints a doctor pass, what happened, and the same day\n"
      "replayed by the simulator with and without glueguard, side by side, then stops. About three minutes.\n"
      "The controller's ticker and the launcher follow the simulated clock. A speed at which a subnet's\n"
      "view would go stale before it could be observed again is refused (above 1200 with the example\n"
      "configuration).";
  std::vector<FlagSpec> specs = {
      {"speed", "simulated seconds per real second (default 80; at most 1200 with the example configuration)",
       true, false, "X"},
      {"until", "the simulated time of day the story ends at (default 09:00)", true, false, "HH:MM"},
      {"listen", "where the controller's API listens (default 127.0.0.1:8080)", true, false, "HOST:PORT"},
      {"workload", "the workload (default examples/workloads/demo-story.yaml)", true, false, "FILE"},
      {"config", "the controller's configuration (default examples/glueguard.yaml)", true, false, "FILE"},
      {"start", "the simulated time of day to start at (default 04:50, before the morning launches)", true,
       false, "HH:MM"},
      {"help", "show this help", false}};
  CommandFlags flags = ParseCommandFlags(context, usage, specs);
  if (!flags) return flags.exit_code;
  double speed = 80;
  if (!ReadNumberFlag(*flags, context.err, "speed", 1, 3600, speed)) return kExitUsage;
  const std::string start_text = flags->Get("start").value_or("04:50");
  const std::optional<Duration> start_at = ParseTimeOfDay(start_text);
  if (!start_at) {
    context.err << fmt::format("glueguard: --start must be HH:MM, not '{}'\n", start_text);
    return kExitUsage;
  }
  const std::string until_text = flags->Get("until").value_or("09:00");
  const std::optional<Duration> until_at = ParseTimeOfDay(until_text);
  if (!until_at || *until_at <= *start_at) {
    context.err << fmt::format("glueguard: --until must be HH:MM after --start ({}), not '{}'\n", start_text,
                               until_text);
    return kExitUsage;
  }
  Result<std::pair<std::string, int>> listen = ParseHostPort(flags->Get("listen").value_or("127.0.0.1:8080"));
  if (!listen.ok()) {
    context.err << "glueguard: --listen " << listen.status().message() << "\n";
    return kExitUsage;
  }
  const std::string workload_path = flags->Get("workload").value_or("examples/workloads/demo-story.yaml");
  const std::string config_path = flags->Get("config").value_or("examples/glueguard.yaml");
  Result<Workload> workload = LoadWorkloadFile(workload_path);
  if (!workload.ok()) {
    context.err << "glueguard: " << workload.status().message()
                << "\n(run the demo from the repository's root)\n";
    return kExitFailure;
  }
  Result<Config> config = LoadConfigFile(config_path, context.env);
  if (!config.ok()) {
    context.err << config.status().message() << "\n";
    return kExitFailure;
  }
  // The controller's ticker and the launcher follow the simulated clock; too fast a clock is refused.
  Result<DemoTiming> timing = DemoTimingFor(config->admission, speed);
  if (!timing.ok()) {
    context.err << "glueguard: " << timing.status().message() << "\n";
    return kExitUsage;
  }

  StopSignals stop_signals;  // before any thread starts
  const Time story_end = workload->start + *until_at;
  Result<std::unique_ptr<DemoRun>> run =
      DemoRun::Start(DemoSetup{*workload, *config, speed, *start_at, listen->first, listen->second,
                               timing->tick_every, Log::To(context.err)},
                     context.out);
  if (!run.ok()) {
    context.err << "glueguard: " << run.status().message() << "\n";
    return kExitFailure;
  }
  DemoRun& demo = **run;
  const std::string url = demo.dashboard_url();
  context.out << fmt::format(
      "glueguard demo: the seed's three subnets, simulated time x{} from {}\n"
      "  dashboard       {}/   (open it in a browser)\n"
      "  controller API  {}   (curl {}/v1/subnets, {}/metrics)\n"
      "  simcloud        {}   (AWS CLI: AWS_ACCESS_KEY_ID=AKIDEXAMPLE "
      "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY aws --endpoint-url {} ...)\n"
      "The story ends at simulated {}; Ctrl-C ends it sooner.\n\n",
      speed, FormatTime(demo.Now()), url, url, url, url, demo.cloud_endpoint(), demo.cloud_endpoint(),
      until_text);
  context.out.flush();

  while (!stop_signals.WaitFor(timing->launcher_every) && demo.Now() < story_end) demo.Step();

  demo.Finish(context.out);
  const DemoSummary& summary = demo.summary();
  context.out << fmt::format(
      "\nglueguard demo: stopped at simulated {}.\n"
      "  launches asking   {}\n  admitted          {}\n  held              {} ({} admitted after waiting, "
      "the longest {})\n  rejected          {}\n  job runs started  {}\n  IP-exhaustion failures  {}\n"
      "  alerts  {}\n",
      FormatTime(demo.Now()), summary.launches, summary.admitted, summary.held, summary.recovered,
      FormatDuration(summary.longest_wait), summary.rejected, demo.runs_started(), demo.exhaustion_failures(),
      demo.alerts());
  PrintSideBySide(*workload, demo.world_seed(), context.out);
  PrintForecastMonth(*workload, demo.world_seed(), context.out);
  return kExitOk;
}

}  // namespace glueguard
