// glueguard serve: the controller, until SIGTERM or SIGINT.
#include <fmt/format.h>

#include <ostream>

#include "app/serve.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "config/config.h"
#include "net/http_server.h"

namespace glueguard {

int RunServe(CommandContext& context) {
  const char* usage =
      "glueguard serve --config FILE [--listen HOST:PORT]\n\n"
      "Runs the controller: one poller per configured subnet (DescribeNetworkInterfaces at most once per\n"
      "admission.poll_interval, and on demand, shared by every waiting launch), admission decisions over "
      "the\n"
      "HTTP API (POST /v1/admissions, DELETE /v1/admissions/ID, POST /v1/failures, GET /v1/subnets, GET "
      "/metrics,\n"
      "GET /healthz, GET /readyz, POST /v1/events), utilisation alerts through the notify section's SNS "
      "topic or webhook.\n"
      "Writes need 'Authorization: Bearer $GLUEGUARD_API_TOKEN' when that variable is set. Without a token "
      "it\n"
      "listens on a loopback address only, unless --insecure-no-auth (or server.insecure_no_auth) says open\n"
      "writes on the network are meant. AWS credentials, region and endpoint come from the usual AWS\n"
      "environment. SIGTERM or SIGINT stops it cleanly: it stops accepting, finishes requests in progress.\n"
      "With store.kind dynamodb, several replicas share one store: each subnet is observed by the replica\n"
      "holding its lease, named by GLUEGUARD_REPLICA_ID (default <hostname>-<pid>), and session events\n"
      "accepted by one replica are handled by another if it dies first. See docs/store-dynamodb.md.";
  std::vector<FlagSpec> specs = {
      {"config", "glueguard configuration", true, false, "FILE"},
      {"listen", "where the API listens (default: server.listen, 127.0.0.1:8080)", true, false, "HOST:PORT"},
      {"insecure-no-auth", "allow a non-loopback --listen with no token (writes open to the network)", false},
      {"help", "show this help", false}};
  CommandFlags flags = ParseCommandFlags(context, usage, specs);
  if (!flags) return flags.exit_code;
  const std::optional<std::string> config_path = flags->Get("config");
  if (!config_path) {
    context.err << "glueguard: serve needs --config FILE\nusage: " << usage << "\n";
    return kExitUsage;
  }
  Result<Config> config = LoadConfigFile(*config_path, context.env);
  if (!config.ok()) {
    context.err << config.status().message() << "\n";
    return kExitFailure;
  }
  Result<std::pair<std::string, int>> listen =
      ParseHostPort(flags->Get("listen").value_or(config->server.listen));
  if (!listen.ok()) {
    context.err << "glueguard: --listen " << listen.status().message() << "\n";
    return kExitUsage;
  }

  if (config->server.token.empty() && !IsLoopbackHost(listen->first) && !config->server.insecure_no_auth &&
      !flags->Has("insecure-no-auth")) {
    context.err << fmt::format(
        "glueguard: refusing to listen on {} with no token: anyone who reaches it could admit launches and "
        "fill the store. Set {} (or listen on 127.0.0.1), or pass --insecure-no-auth if open writes are "
        "meant\n",
        listen->first, config->server.token_env);
    return kExitUsage;
  }

  StopSignals stop_signals;  // before any thread starts
  Result<std::unique_ptr<ServeRuntime>> serve =
      ServeRuntime::Start(*config, context.env, listen->first, listen->second, Log::To(context.err));
  if (!serve.ok()) {
    context.err << "glueguard: " << serve.status().message() << "\n";
    return kExitFailure;
  }
  context.out << fmt::format("glueguard serve: {}; API on {}{}\n", (*serve)->Describe(), (*serve)->url(),
                             config->server.token.empty() ? " (writes open: no token set)" : "");
  context.out.flush();
  const int signal_number = stop_signals.Wait();
  (*serve)->Stop();
  context.out << fmt::format("glueguard serve: stopped on {}\n", StopSignals::Name(signal_number));
  return kExitOk;
}

}  // namespace glueguard
