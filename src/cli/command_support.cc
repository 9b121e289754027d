#include "cli/command_support.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ostream>

#include "base/mutex.h"
#include "base/strings.h"

namespace glueguard {

CommandFlags ParseCommandFlags(CommandContext& context, const char* usage, std::vector<FlagSpec> specs) {
  if (std::none_of(specs.begin(), specs.end(), [](const FlagSpec& f) { return f.name == "help"; })) {
    specs.push_back({"help", "show this help", false});
  }
  Result<Flags> flags = Flags::Parse(specs, context.args);
  if (!flags.ok()) {
    context.err << "glueguard: " << flags.status().message() << "\nusage: " << usage << "\n";
    return {std::nullopt, kExitUsage};
  }
  if (flags->Has("help")) {
    context.out << "usage: " << usage << "\n\noptions:\n" << FormatFlagHelp(specs);
    return {std::nullopt, kExitOk};
  }
  return {std::move(*flags), kExitOk};
}

StopSignals::StopSignals() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
}

int StopSignals::Wait() {
  int signal_number = 0;
  sigwait(&set_, &signal_number);
  return signal_number;
}

std::optional<int> StopSignals::WaitFor(Duration timeout) {
  const int64_t ms = std::max<int64_t>(0, timeout.count());
  timespec wait{static_cast<time_t>(ms / 1000), static_cast<long>((ms % 1000) * 1'000'000)};
  siginfo_t info;
  const int signal_number = sigtimedwait(&set_, &info, &wait);
  if (signal_number < 0) return std::nullopt;
  return signal_number;
}

const char* StopSignals::Name(int signal_number) {
  return signal_number == SIGINT ? "SIGINT" : signal_number == SIGTERM ? "SIGTERM" : "a signal";
}

bool ExpectOneArgument(CommandContext& context, const Flags& flags, const char* usage, const char* what) {
  if (flags.positional().size() == 1) return true;
  context.err << "glueguard: give one " << what << "\nusage: " << usage << "\n";
  return false;
}

FlagSpec OutputFlag() { return {"output", "table (default) or json", true, false, "FORMAT"}; }

std::optional<OutputFormat> ReadOutputFormat(CommandContext& context, const Flags& flags) {
  const std::string output = flags.Get("output").value_or("table");
  if (output == "table") return OutputFormat::kTable;
  if (output == "json") return OutputFormat::kJson;
  context.err << "glueguard: --output must be table or json, not '" << output << "'\n";
  return std::nullopt;
}
bool ReadNumberFlag(const Flags& flags, std::ostream& err, const std::string& name, double min, double max,
                    double& value) {
  const std::optional<std::string> text = flags.Get(name);
  if (!text) return true;
  const std::optional<double> number = ParseNumber(*text);
  const double v = number.value_or(min - 1);
  if (!number || !(v >= min && v <= max)) {
    err << "glueguard: --" << name << " must be a number from " << min << " to " << max << ", not '" << *text
        << "'\n";
    return false;
  }
  value = v;
  return true;
}

Result<std::optional<int64_t>> WholeNumberFlag(const Flags& flags, const std::string& name, int64_t min,
                                               int64_t max) {
  const std::optional<std::string> text = flags.Get(name);
  if (!text) return std::optional<int64_t>();
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || errno == ERANGE || v < min || v > max) {
    return Status::InvalidArgument(
        fmt::format("--{} must be a whole number from {} to {}, not '{}'", name, min, max, *text));
  }
  return std::optional<int64_t>(v);
}

}  // namespace glueguard
