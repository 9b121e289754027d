// glueguard lambda: session boundaries as an AWS Lambda function on a custom runtime.
#include <fmt/format.h>

#include <ostream>

#include "app/sessions_runtime.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "sessions/lambda_runtime.h"

namespace glueguard {
namespace {

// The configuration of a Lambda: GLUEGUARD_CONFIG's file when set, else session boundaries alone with the
// policy from the environment; either way the reference function's variables apply on top, and
// GLUEGUARD_SNS_TOPIC_ARN names the topic. Lambda sandboxes are short-lived: without a file, the store is
// memory (dedupe within one sandbox; Lambda's own retries and dead-letter queue keep failed events).
Result<Config> LambdaConfig(const EnvLookup& env) {
  Config config;
  if (std::optional<std::string> path = env("GLUEGUARD_CONFIG"); path && !path->empty()) {
    Result<Config> loaded = LoadConfigFile(*path, env);
    if (!loaded.ok()) return loaded.status();
    config = *loaded;
  } else {
    config.store.kind = "memory";
    config.sessions.configured = true;
    config.sessions.reconcile_every = Duration::zero();
    config.region = env("AWS_REGION").value_or("");
  }
  Result<SessionPolicy> policy = ApplySeedEnvironment(config.sessions.policy, env);
  if (!policy.ok()) return policy.status();
  config.sessions.policy = *policy;
  if (std::optional<std::string> topic = env("GLUEGUARD_SNS_TOPIC_ARN"); topic && !topic->empty()) {
    config.notify.sns_topic_arn = *topic;
  }
  return config;
}

}  // namespace

int RunLambda(CommandContext& context) {
  const char* usage =
      "glueguard lambda\n\n"
      "Runs as an AWS Lambda function (custom runtime on provided.al2023), handling the CloudTrail "
      "CreateSession\n"
      "events an EventBridge rule sends. `make lambda-zip` builds the function's package (its bootstrap "
      "starts\n"
      "this command). Configuration from the environment:\n"
      "  GLUEGUARD_CONFIG          a glueguard configuration file in the package (its sessions and notify "
      "parts)\n"
      "  MAX_WORKERS, MAX_IDLE_TIMEOUT_MINUTES, ENFORCE_VPC_CONNECTION, KILL_SESSION\n"
      "                            the reference function's settings, applied on top (booleans true/false)\n"
      "  GLUEGUARD_SNS_TOPIC_ARN   where notifications go\n"
      "  AWS_LAMBDA_RUNTIME_API    set by Lambda\n"
      "An event that still fails after sessions.max_attempts is answered with an error, so Lambda retries "
      "it\n"
      "and then keeps it in the function's dead-letter queue.";
  std::vector<FlagSpec> specs = {{"help", "show this help", false}};
  CommandFlags flags = ParseCommandFlags(context, usage, specs);
  if (!flags) return flags.exit_code;
  const std::optional<std::string> api = context.env("AWS_LAMBDA_RUNTIME_API");
  if (!api || api->empty()) {
    context.err
        << "glueguard: AWS_LAMBDA_RUNTIME_API is not set: 'glueguard lambda' runs inside AWS Lambda\n";
    return kExitUsage;
  }
  const auto log = Log::To(context.err);
  Result<Config> config = LambdaConfig(context.env);
  Result<std::unique_ptr<SessionsRuntime>> runtime = Status::Internal("not created");
  if (config.ok()) runtime = SessionsRuntime::Create(*config, context.env);
  if (!runtime.ok()) {
    const Status& why = config.ok() ? runtime.status() : config.status();
    log(why.message());
    // Tell Lambda why the function cannot start; it shows in the invocation's error.
    CurlTransport transport;
    (void)ReportLambdaInitError(transport, *api, "Runtime.ConfigurationError", why.message());
    return kExitFailure;
  }
  SessionsRuntime& rt = **runtime;
  SessionEventHandler handler(rt.HandlerDeps(config->sessions, log));
  LambdaRuntime lambda(rt.aws->transport, *api, handler, rt.aws->clock, log,
                       /*durable_dead_letters=*/!config->sessions.dead_letter_queue_url.empty());
  Status s = lambda.Run();
  log(fmt::format("Runtime API: {}", s.message()));
  return kExitFailure;
}

}  // namespace glueguard
