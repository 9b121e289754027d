// glueguard sessions dlq list|replay: the session events that could not be handled, and handling them again.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "app/sessions_runtime.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "sessions/handler.h"
#include "sessions/lambda_runtime.h"
#include "sessions/sqs_dead_letters.h"

namespace glueguard {
namespace {

std::string OneLine(std::string text, size_t width) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (text.size() > width) text = text.substr(0, width - 3) + "...";
  return text;
}

// Loads --config; prints the problem and returns nullopt when it cannot.
std::optional<Config> LoadSessionsConfig(CommandContext& context, const Flags& flags, const char* usage,
                                         int& exit_code) {
  const std::optional<std::string> path = flags.Get("config");
  if (!path) {
    context.err << "glueguard: --config FILE is required\nusage: " << usage << "\n";
    exit_code = kExitUsage;
    return std::nullopt;
  }
  Result<Config> config = LoadConfigFile(*path, context.env);
  if (!config.ok()) {
    context.err << config.status().message() << "\n";
    exit_code = kExitFailure;
    return std::nullopt;
  }
  return *config;
}

}  // namespace

int RunSessionsDlqList(CommandContext& context) {
  const char* usage =
      "glueguard sessions dlq list --config FILE [--limit N] [--output table|json]\n\n"
      "Lists the session events parked in the dead-letter store (the store.path SQLite file, or with\n"
      "store.kind dynamodb the queue table every replica shares): events that\n"
      "could not be read, and events whose handling still failed after sessions.max_attempts, with the last\n"
      "error. 'glueguard sessions dlq replay' handles them again.";
  std::vector<FlagSpec> specs = {{"config", "glueguard configuration", true, false, "FILE"},
                                 {"limit", "at most this many (default 100)", true, false, "N"},
                                 OutputFlag(),
                                 {"help", "show this help", false}};
  CommandFlags flags = ParseCommandFlags(context, usage, specs);
  if (!flags) return flags.exit_code;
  int exit_code = kExitOk;
  std::optional<Config> config = LoadSessionsConfig(context, *flags, usage, exit_code);
  if (!config) return exit_code;
  const std::optional<OutputFormat> output = ReadOutputFormat(context, *flags);
  if (!output) return kExitUsage;
  Result<std::optional<int64_t>> limit_flag = WholeNumberFlag(*flags, "limit", 1, 1'000'000);
  if (!limit_flag.ok()) {
    context.err << "glueguard: " << limit_flag.status().message() << "\n";
    return kExitUsage;
  }
  const int limit = static_cast<int>(limit_flag->value_or(100));
  // Dead letters live in the local store, in DynamoDB, or on sessions.dead_letter_queue_url (then this peeks
  // at up to 10).
  std::unique_ptr<SessionsRuntime> runtime;
  std::unique_ptr<SessionStore> local;
  DeadLetterStore* store = nullptr;
  if (config->sessions.dead_letter_queue_url.empty() && config->store.kind != "dynamodb") {
    Result<std::unique_ptr<SessionStore>> opened = OpenSessionStore(*config);
    if (!opened.ok()) {
      context.err << "glueguard: " << opened.status().message() << "\n";
      return kExitFailure;
    }
    local = std::move(*opened);
    store = local.get();
  } else {
    Result<std::unique_ptr<SessionsRuntime>> created = SessionsRuntime::Create(*config, context.env);
    if (!created.ok()) {
      context.err << "glueguard: " << created.status().message() << "\n";
      return kExitFailure;
    }
    runtime = std::move(*created);
    store = &runtime->dead_letters();
  }
  Result<std::vector<DeadLetter>> letters = store->DeadLetters(limit);
  if (!letters.ok()) {
    context.err << "glueguard: " << letters.status().message() << "\n";
    return kExitFailure;
  }
  if (*output == OutputFormat::kJson) {
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (const DeadLetter& d : *letters) {
      all.push_back({{"id", d.id},
                     {"parked_at", FormatTime(d.parked_at)},
                     {"source", d.source},
                     {"event_id", d.event_id},
                     {"attempts", d.attempts},
                     {"replays", d.replays},
                     {"error", d.error},
                     {"body", d.body}});
    }
    context.out << all.dump(2) << "\n";
    return kExitOk;
  }
  if (letters->empty()) {
    context.out << "no dead-lettered session events\n";
    return kExitOk;
  }
  context.out << fmt::format("{:>5}  {:<20}  {:<9}  {:<38}  {:>8}  {:>7}  {}\n", "ID", "PARKED", "SOURCE",
                             "EVENT", "ATTEMPTS", "REPLAYS", "ERROR");
  for (const DeadLetter& d : *letters) {
    context.out << fmt::format("{:>5}  {:<20}  {:<9}  {:<38}  {:>8}  {:>7}  {}\n", d.id,
                               FormatTime(d.parked_at), d.source,
                               d.event_id.empty() ? "(unreadable)" : OneLine(d.event_id, 38), d.attempts,
                               d.replays, OneLine(d.error, 100));
  }
  return kExitOk;
}

int RunSessionsDlqReplay(CommandContext& context) {
  const char* usage =
      "glueguard sessions dlq replay --config FILE (--id N ... | --all)\n\n"
      "Handles dead-lettered session events again, with the configured policy and action: an event that is\n"
      "handled now leaves the store; one that still fails stays, with its new error. Exit 0 when every\n"
      "replayed event was handled, 1 when any still fails (each is listed with its error). With\n"
      "sessions.dead_letter_queue_url, --all replays each letter on the queue once; those that still fail\n"
      "are parked on it again.";
  std::vector<FlagSpec> specs = {{"config", "glueguard configuration", true, false, "FILE"},
                                 {"id", "the dead letter to replay (repeatable)", true, true, "N"},
                                 {"all", "replay every dead letter", false},
                                 {"help", "show this help", false}};
  CommandFlags flags = ParseCommandFlags(context, usage, specs);
  if (!flags) return flags.exit_code;
  int exit_code = kExitOk;
  std::optional<Config> config = LoadSessionsConfig(context, *flags, usage, exit_code);
  if (!config) return exit_code;
  if (flags->Has("all") == flags->Has("id")) {
    context.err << "glueguard: give --id N (one or more) or --all\nusage: " << usage << "\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<SessionsRuntime>> runtime = SessionsRuntime::Create(*config, context.env);
  if (!runtime.ok()) {
    context.err << "glueguard: " << runtime.status().message() << "\n";
    return kExitFailure;
  }
  SessionsRuntime& rt = **runtime;
  SessionEventHandler handler(rt.HandlerDeps(config->sessions, Log::To(context.err)));
  if (!config->sessions.dead_letter_queue_url.empty()) {
    if (!flags->Has("all")) {
      context.err << "glueguard: dead letters are on " << config->sessions.dead_letter_queue_url
                  << ", which has no ids: use --all\n";
      return kExitUsage;
    }
    Result<SqsReplayStats> stats =
        ReplaySqsDeadLetters(*rt.sqs, config->sessions.dead_letter_queue_url, handler, 1'000'000);
    if (!stats.ok()) {
      context.err << "glueguard: " << stats.status().message() << "\n";
      return kExitFailure;
    }
    for (const SqsReplayFailure& f : stats->failures) {
      context.out << fmt::format("{}: still failing: {}\n", f.event_id.empty() ? "(unreadable)" : f.event_id,
                                 OneLine(f.error, 200));
    }
    context.out << fmt::format("{} replayed, {} handled, {} still failing (parked on the queue again)\n",
                               stats->received, stats->handled, stats->still_failing);
    if (stats->still_hidden > 0) {
      context.err << fmt::format(
          "glueguard: {} dead letters could not be made visible again; they return within 5 minutes\n",
          stats->still_hidden);
    }
    return stats->still_failing == 0 ? kExitOk : kExitFailure;
  }
  std::vector<int64_t> ids;
  if (flags->Has("all")) {
    Result<std::vector<DeadLetter>> letters = rt.dead_letters().DeadLetters(1'000'000);
    if (!letters.ok()) {
      context.err << "glueguard: " << letters.status().message() << "\n";
      return kExitFailure;
    }
    for (const DeadLetter& d : *letters) ids.push_back(d.id);
  } else {
    for (const std::string& text : flags->GetAll("id")) {
      try {
        ids.push_back(std::stoll(text));
      } catch (...) {
        context.err << "glueguard: --id must be a number, not '" << text << "'\n";
        return kExitUsage;
      }
    }
  }
  int failed = 0;
  for (int64_t id : ids) {
    Result<HandleResult> result = handler.Replay(id, HandleOptions{});
    if (!result.ok()) {
      ++failed;
      context.out << fmt::format("{}: {}\n", id, result.status().message());
      continue;
    }
    const bool still_failing = result->dead_letter_id != 0;
    if (still_failing) ++failed;
    context.out << fmt::format("{}: {}{}\n", id, still_failing ? "still failing: " : "",
                               still_failing ? result->detail : HandleResultJson(*result));
  }
  context.out << fmt::format("{} replayed, {} handled, {} still in the dead-letter store\n", ids.size(),
                             static_cast<int>(ids.size()) - failed, failed);
  return failed == 0 ? kExitOk : kExitFailure;
}

}  // namespace glueguard
