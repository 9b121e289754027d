#include "cli/cli.h"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

#include "base/strings.h"
#include "cli/commands.h"

namespace glueguard {

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"admit", "ask whether a Glue launch may start now: exit 0 admit, 75 wait, 1 rejected", RunAdmit},
      {"capacity",
       "each subnet's busiest-hour headroom, and how much a category or job can grow before launches wait",
       RunCapacity},
      {"config validate", "check a configuration file; print what it configures or every problem in it",
       RunConfigValidate},
      {"demo",
       "the whole system locally: simcloud with the seed's workload, the controller, launches through it",
       RunDemo},
      {"doctor", "the runbook: utilisation, orphaned ENIs, stuck runs, sessions past limits; --apply fixes",
       RunDoctor},
      {"observe", "count a subnet's ENIs now (by state, and Glue's) through the EC2 API", RunObserve},
      {"policy iam",
       "print IAM deny statements for glue:CreateSession enforcing the session policy's network limits",
       RunPolicyIam},
      {"policy usage-profile",
       "print the Glue usage profile configuration matching the session policy's limits",
       RunPolicyUsageProfile},
      {"release", "end an admitted launch's reservation (it was cancelled)", RunRelease},
      {"report-failure", "report a launch that failed with IP exhaustion (admission cools off)",
       RunReportFailure},
      {"serve", "run the controller: pollers, admission API, alerts, metrics", RunServe},
      {"simcloud",
       "serve the simulator over AWS's wire protocols: a local cloud for the AWS CLI and glueguard",
       RunSimcloud},
      {"simulate", "replay a workload under several admission policies and compare failures and waits",
       RunSimulate},
      {"lambda", "run as an AWS Lambda function (custom runtime) that handles Glue CreateSession events",
       RunLambda},
      {"sessions check", "evaluate Glue CreateSession events offline against the session policy",
       RunSessionsCheck},
      {"sessions enforce",
       "handle session events for real, as serve does: end sessions out of bounds, notify",
       RunSessionsEnforce},
      {"sessions dlq list", "list the session events parked in the dead-letter store", RunSessionsDlqList},
      {"sessions dlq replay", "handle dead-lettered session events again", RunSessionsDlqReplay},
      {"store init", "create the DynamoDB tables of a dynamodb store (idempotent), TTL on", RunStoreInit},
      {"store check", "check a dynamodb store's tables: keys, TTL, read and write access", RunStoreCheck},
      {"version", "print glueguard's version", RunVersion},
      {"wait", "ask until a Glue launch is admitted or rejected", RunWait},
  };
  return commands;
}

namespace {

void PrintUsage(std::ostream& out) {
  out << "glueguard: admission control, session boundaries and ENI visibility for AWS Glue\n\n"
         "usage: glueguard <command> [options]\n\ncommands:\n";
  for (const Command& c : Commands()) out << fmt::format("  {:<18} {}\n", c.name, c.summary);
  out << "\nRun 'glueguard <command> --help' for a command's options.\n";
}

// The number of leading words of `args` that name `command`, or 0.
size_t MatchWords(const Command& command, const std::vector<std::string>& args) {
  std::vector<std::string> words;
  const std::string_view name = command.name;
  for (size_t start = 0; start <= name.size();) {
    const size_t space = std::min(name.find(' ', start), name.size());
    words.emplace_back(name.substr(start, space - start));
    start = space + 1;
  }
  if (args.size() < words.size()) return 0;
  for (size_t i = 0; i < words.size(); ++i) {
    if (args[i] != words[i]) return 0;
  }
  return words.size();
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, const EnvLookup& env) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintUsage(args.empty() ? err : out);
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] == "--version") {
    CommandContext context{{}, out, err, env};
    return RunVersion(context);
  }
  for (const Command& command : Commands()) {
    const size_t words = MatchWords(command, args);
    if (words == 0) continue;
    CommandContext context{std::vector<std::string>(args.begin() + static_cast<long>(words), args.end()), out,
                           err, env};
    return command.run(context);
  }
  // Not a command: suggest the nearest one, by its whole name or its first word.
  const std::string typed = args.size() >= 2 ? args[0] + " " + args[1] : args[0];
  std::vector<std::string> names;
  std::vector<std::string> first_words;
  for (const Command& c : Commands()) {
    names.emplace_back(c.name);
    const std::string name = c.name;
    first_words.push_back(name.substr(0, name.find(' ')));
  }
  std::string hint;
  if (auto near = ClosestMatch(typed, names)) {
    hint = *near;
  } else if (auto word = ClosestMatch(args[0], first_words)) {
    for (const std::string& n : names) {
      if (n.rfind(*word, 0) == 0) hint = hint.empty() ? n : hint + "' or '" + n;
    }
  }
  err << fmt::format("glueguard: '{}' is not a glueguard command.", args[0]);
  if (!hint.empty()) err << fmt::format(" Did you mean '{}'?", hint);
  err << "\nRun 'glueguard --help' for the list of commands.\n";
  return kExitUsage;
}

}  // namespace glueguard
