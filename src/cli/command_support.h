// What every subcommand shares: parsing its flags with --help and usage errors handled the same way, and
// waiting for SIGINT/SIGTERM in the long-running ones (serve, simcloud, demo).
#pragma once

#include <signal.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/time.h"
#include "cli/cli.h"
#include "cli/flags.h"

namespace glueguard {

// A command's flags, or why it ends at once: its --help was printed (exit_code kExitOk) or a usage error was
// (kExitUsage). Reads like a std::optional<Flags>.
struct CommandFlags {
  std::optional<Flags> flags;
  int exit_code = kExitOk;
  explicit operator bool() const { return flags.has_value(); }
  const Flags& operator*() const { return *flags; }
  const Flags* operator->() const { return &*flags; }
};

// Parses the command's arguments against `specs` (a "help" flag is added when missing). On a usage error
// prints it with `usage`; on --help prints the usage and the options.
CommandFlags ParseCommandFlags(CommandContext& context, const char* usage, std::vector<FlagSpec> specs);

// True when the command was given exactly one argument besides its flags; otherwise prints "give one <what>"
// with the usage, and the command returns kExitUsage.
bool ExpectOneArgument(CommandContext& context, const Flags& flags, const char* usage, const char* what);

// --output: a table for people (the default) or JSON for programs.
enum class OutputFormat { kTable, kJson };
FlagSpec OutputFlag();

// Reads --output. Anything but "table" or "json" is printed as a usage error and nullopt comes back (the
// command returns kExitUsage).
std::optional<OutputFormat> ReadOutputFormat(CommandContext& context, const Flags& flags);

// Reads --<name> as a number from `min` to `max` into `value`, which is left alone when the flag is absent. A
// value that is not a number in range is printed as a usage error naming the flag, and false comes back.
bool ReadNumberFlag(const Flags& flags, std::ostream& err, const std::string& name, double min, double max,
                    double& value);
template <typename T>
bool ReadNumberFlag(const Flags& flags, std::ostream& err, const std::string& name, double min, double max,
                    T& value) {
  double v = static_cast<double>(value);
  if (!ReadNumberFlag(flags, err, name, min, max, v)) return false;
  value = static_cast<T>(v);
  return true;
}

// --<name> as a whole number from `min` to `max`; nullopt when the flag is absent. InvalidArgument naming the
// flag, the range and what was given otherwise ("2.5", "ten", "", out of range).
Result<std::optional<int64_t>> WholeNumberFlag(const Flags& flags, const std::string& name, int64_t min,
                                               int64_t max);

// Blocks SIGINT and SIGTERM in the calling thread — construct it before starting any thread, so that every
// thread inherits the mask and only Wait/WaitFor receive them.
class StopSignals {
 public:
  StopSignals();
  // Blocks until one arrives; returns it.
  int Wait();
  // Waits at most `timeout`; the signal, or nullopt when none came.
  std::optional<int> WaitFor(Duration timeout);
  static const char* Name(int signal_number);  // "SIGINT", "SIGTERM"

 private:
  sigset_t set_;
};

}  // namespace glueguard
