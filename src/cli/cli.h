// The glueguard command line: one table of subcommands, with --help and "did you mean" generated from it.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "config/config.h"

namespace glueguard {

// What a subcommand gets: its arguments (after its name) and where to write.
struct CommandContext {
  std::vector<std::string> args;
  std::ostream& out;
  std::ostream& err;
  EnvLookup env;
};

// Exit codes shared by every subcommand.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct Command {
  const char* name;     // one or two words: "version", "config validate"
  const char* summary;  // one line for the command list
  int (*run)(CommandContext& context);
};

// Every subcommand, in the order --help lists them.
const std::vector<Command>& Commands();

// Runs the command line `args` (without the program name). Returns the process exit code.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, const EnvLookup& env);

}  // namespace glueguard
