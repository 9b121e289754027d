// glueguard sessions enforce FILE|-: session events handled for real, as serve would handle them.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "app/sessions_runtime.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/event_input.h"
#include "sessions/handler.h"
#include "sessions/lambda_runtime.h"

namespace glueguard {

int RunSessionsEnforce(CommandContext& context) {
  const char* usage =
      "glueguard sessions enforce FILE|- --config FILE\n\n"
      "Handles session events as 'serve' does, with the configured policy and action (report notifies;\n"
      "enforce stops and deletes sessions out of bounds, then notifies): deduplicated against the store,\n"
      "retried, and parked as dead letters when they still fail. For replaying CloudTrail events exported\n"
      "by hand, or handling events from a script. FILE holds one event, a JSON array, or JSON lines.\n"
      "Prints one JSON line per event. Exit 0 when every event was handled (or ignored, or a duplicate),\n"
      "1 when any was parked as a dead letter or could not be recorded, 2 for unreadable input.";
  std::vector<FlagSpec> specs = {{"config", "glueguard configuration", true, false, "FILE"},
                                 {"help", "show this help", false}};
  CommandFlags flags = ParseCommandFlags(context, usage, specs);
  if (!flags) return flags.exit_code;
  const std::optional<std::string> config_path = flags->Get("config");
  if (!config_path || flags->positional().size() != 1) {
    context.err << "glueguard: sessions enforce takes one FILE (or -) and --config FILE\nusage: " << usage
                << "\n";
    return kExitUsage;
  }
  Result<Config> config = LoadConfigFile(*config_path, context.env);
  if (!config.ok()) {
    context.err << config.status().message() << "\n";
    return kExitFailure;
  }
  if (!config->sessions.configured) {
    context.err << fmt::format("glueguard: {} has no sessions section: nothing to enforce\n", *config_path);
    return kExitUsage;
  }
  Result<std::vector<std::string>> events = ReadSessionEvents(flags->positional()[0]);
  if (!events.ok()) {
    context.err << "glueguard: " << events.status().message() << "\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<SessionsRuntime>> runtime = SessionsRuntime::Create(*config, context.env);
  if (!runtime.ok()) {
    context.err << "glueguard: " << runtime.status().message() << "\n";
    return kExitFailure;
  }
  SessionEventHandler handler((*runtime)->HandlerDeps(config->sessions, Log::To(context.err)));
  bool all_handled = true;
  for (const std::string& event : *events) {
    HandleOptions options;
    options.source = "file";
    Result<HandleResult> result = handler.Handle(event, options);
    if (!result.ok()) {
      all_handled = false;
      context.out << nlohmann::json{{"error", result.status().message()}}.dump() << "\n";
      continue;
    }
    if (result->dead_letter_id != 0) all_handled = false;
    context.out << HandleResultJson(*result) << "\n";
  }
  return all_handled ? kExitOk : kExitFailure;
}

}  // namespace glueguard
