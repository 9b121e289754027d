// glueguard store init / store check: the DynamoDB tables a shared store needs.
#include <fmt/format.h>

#include <functional>
#include <ostream>

#include "app/aws_runtime.h"
#include "aws/dynamodb.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "store/dynamodb_store.h"

namespace glueguard {
namespace {

// The configuration's DynamoDB store and a client for it; nullopt (after printing why) otherwise.
struct DynamoDbTarget {
  Config config;
  std::unique_ptr<AwsRuntime> aws;
  std::unique_ptr<DynamoDbClient> client;
};

std::optional<DynamoDbTarget> OpenTarget(CommandContext& context, const Flags& flags, const char* usage,
                                         int& exit_code) {
  exit_code = kExitUsage;
  const std::optional<std::string> path = flags.Get("config");
  if (!path || !flags.positional().empty()) {
    context.err << "glueguard: give --config FILE and no other arguments\nusage: " << usage << "\n";
    return std::nullopt;
  }
  Result<Config> config = LoadConfigFile(*path, context.env);
  if (!config.ok()) {
    context.err << config.status().message() << "\n";
    return std::nullopt;
  }
  if (config->store.kind != "dynamodb") {
    context.err << "glueguard: " << *path << ": store.kind is " << config->store.kind
                << "; store init and store check are for store.kind dynamodb\n";
    return std::nullopt;
  }
  exit_code = kExitFailure;
  Result<std::unique_ptr<AwsRuntime>> aws = AwsRuntime::Create(context.env, config->region);
  if (!aws.ok()) {
    context.err << "glueguard: " << aws.status().message() << "\n";
    return std::nullopt;
  }
  DynamoDbTarget target{std::move(*config), std::move(*aws), nullptr};
  target.client = std::make_unique<DynamoDbClient>(*target.aws->client);
  return target;
}

// Parses --config, opens its DynamoDB store and runs `action` on it; the command's exit code.
int OnDynamoDbStore(CommandContext& context, const char* usage,
                    const std::function<int(DynamoDbTarget&)>& action) {
  CommandFlags flags =
      ParseCommandFlags(context, usage,
                        {{"config", "glueguard configuration with store.kind dynamodb", true, false, "FILE"},
                         {"help", "show this help", false}});
  if (!flags) return flags.exit_code;
  int exit_code = kExitOk;
  std::optional<DynamoDbTarget> target = OpenTarget(context, *flags, usage, exit_code);
  if (!target) return exit_code;
  return action(*target);
}

}  // namespace

int RunStoreInit(CommandContext& context) {
  const char* usage =
      "glueguard store init --config FILE\n\n"
      "Creates the DynamoDB tables of the configuration's store (store.tables) that do not exist yet, with\n"
      "on-demand capacity, waits until they are active, and turns TTL on for expires_at. Running it again\n"
      "changes nothing. Region and endpoint come from the usual AWS environment (AWS_ENDPOINT_URL_DYNAMODB\n"
      "for a local DynamoDB).";
  return OnDynamoDbStore(context, usage, [&](DynamoDbTarget& target) {
    const Status made = InitDynamoDbTables(*target.client, target.config.store.tables, target.aws->sleeper,
                                           [&](std::string_view line) { context.out << line << "\n"; });
    if (!made.ok()) {
      context.err << "glueguard: store init: " << made.message() << "\n";
      return kExitFailure;
    }
    return kExitOk;
  });
}

int RunStoreCheck(CommandContext& context) {
  const char* usage =
      "glueguard store check --config FILE\n\n"
      "Checks the DynamoDB tables of the configuration's store: each exists and is active, has the keys\n"
      "glueguard writes, TTL on expires_at, and can be read and written with these credentials (probes that\n"
      "change nothing). Exit 0 when all is as expected, 1 with one line per problem otherwise.";
  return OnDynamoDbStore(context, usage, [&](DynamoDbTarget& target) {
    Result<std::vector<std::string>> problems =
        CheckDynamoDbTables(*target.client, target.config.store.tables);
    if (!problems.ok()) {
      context.err << "glueguard: store check: " << problems.status().message() << "\n";
      return kExitFailure;
    }
    const DynamoDbTableNames& t = target.config.store.tables;
    if (problems->empty()) {
      context.out << fmt::format("ok: tables {}, {}, {}, {} and {} are as glueguard expects\n",
                                 t.observations, t.state, t.decisions, t.sessions, t.queue);
      return kExitOk;
    }
    for (const std::string& problem : *problems) context.out << "problem: " << problem << "\n";
    return kExitFailure;
  });
}

}  // namespace glueguard
