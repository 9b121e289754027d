#include "cli/cli.h"

#include <fmt/format.h>

#include <ostream>

#include "base/strings.h"
#include "cli/commands.h"

namespace glueguard {

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"admit", "ask whether a Glue launch may start now: exit 0 admit, 75 wait, 1 rejected", RunAdmit},
      {"config validate", "check a configuration file; print what it configures or every problem in it",
       RunConfigValidate},
      {"demo",
       "the whole system locally: simcloud with the seed's workload, the controller, launches through it",
       RunDemo},
      {"observe", "count a subnet's ENIs now (by state, and Glue's) through the EC2 API", RunObserve},
      {"release", "end an admitted launch's reservation (it was cancelled)", RunRelease},
      {"report-failure", "report a launch that failed with IP exhaustion (admission cools off)",
       RunReportFailure},
      {"serve", "run the controller: pollers, admission API, alerts, metrics", RunServe},
      {"simcloud",
       "serve the simulator over AWS's wire protocols: a local cloud for the AWS CLI and glueguard",
       RunSimcloud},
      {"simulate", "replay a workload under several admission policies and compare failures and waits",
       RunSimulate},
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
  const std::string name = command.name;
  const size_t space = name.find(' ');
  if (space == std::string::npos) return !args.empty() && args[0] == name ? 1 : 0;
  return args.size() >= 2 && args[0] == name.substr(0, space) && args[1] == name.substr(space + 1) ? 2 : 0;
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
