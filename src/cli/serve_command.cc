// glueguard serve: the controller, until SIGTERM or SIGINT.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ostream>

#include "app/aws_runtime.h"
#include "app/sessions_runtime.h"
#include "aws/dynamodb.h"
#include "aws/ec2.h"
#include "aws/sns.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "controller/server.h"
#include "sessions/session_service.h"
#include "store/open_store.h"

namespace glueguard {
namespace {

// <hostname>-<pid>: unique among the replicas running at once, new on every restart.
std::string DefaultReplicaId() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "replica");
  return fmt::format("{}-{}", host, getpid());
}

// With a shared inbox, how often a replica looks for events that others accepted and did not handle.
constexpr Duration kSharedInboxEvery = std::chrono::seconds(10);

}  // namespace

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
      "Writes need 'Authorization: Bearer $GLUEGUARD_API_TOKEN' when that variable is set. Without a token it\n"
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
  int exit_code = kExitOk;
  std::optional<Flags> flags = ParseCommandFlags(context, usage, specs, exit_code);
  if (!flags) return exit_code;
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

  Result<std::unique_ptr<AwsRuntime>> aws = AwsRuntime::Create(context.env, config->region);
  if (!aws.ok()) {
    context.err << "glueguard: " << aws.status().message() << "\n";
    return kExitFailure;
  }
  Result<std::unique_ptr<ObservationStore>> store = OpenStore(config->store, (*aws)->client.get());
  if (!store.ok()) {
    context.err << "glueguard: " << store.status().message() << "\n";
    return kExitFailure;
  }
  MetricsRegistry metrics;
  Result<AwsCallMetrics> aws_metrics = AwsCallMetrics::Register(metrics);
  if (!aws_metrics.ok()) {
    context.err << "glueguard: " << aws_metrics.status().message() << "\n";
    return kExitFailure;
  }
  (*aws)->client->set_observer([m = *aws_metrics](const AwsCallRecord& r) { m.Record(r); });
  Ec2Client ec2(*(*aws)->client);
  SnsClient sns(*(*aws)->client);
  ControllerServerOptions options;
  options.host = listen->first;
  options.port = listen->second;
  ControllerServerDeps deps{*config, **store, ec2, &sns, (*aws)->transport, (*aws)->clock, (*aws)->random,
                            metrics, nullptr, {},  {}};
  const std::unique_ptr<PollerLease> lease = OpenPollerLease(config->store, (*aws)->client.get());
  deps.lease = lease.get();
  deps.replica_id = config->server.replica_id.empty() ? DefaultReplicaId() : config->server.replica_id;

  // Session boundaries, when configured: POST /v1/events, the SQS poller, the reconcile sweep.
  GlueClient glue(*(*aws)->client);
  SqsClient sqs(*(*aws)->client);
  std::unique_ptr<FanOutNotifier> session_notifier;
  std::unique_ptr<SessionStore> session_store;  // with a DynamoDB store, shared by every replica
  std::unique_ptr<DeadLetterStore> dead_letter_queue;
  std::unique_ptr<SessionService> sessions;
  if (config->sessions.configured) {
    Result<std::unique_ptr<FanOutNotifier>> notifier =
        NotifiersFor(config->notify.sns_topic_arn, config->notify.webhook_url, &sns, (*aws)->transport);
    Result<std::unique_ptr<SessionStore>> opened =
        notifier.ok() ? OpenSessionStore(*config, (*aws)->client.get())
                      : Result<std::unique_ptr<SessionStore>>(notifier.status());
    if (!opened.ok()) {
      context.err << "glueguard: " << opened.status().message() << "\n";
      return kExitFailure;
    }
    session_notifier = std::move(*notifier);
    session_store = std::move(*opened);
    dead_letter_queue = DeadLetterQueueFor(config->sessions, sqs);
    SessionServiceOptions session_options;
    // A shared inbox also holds what other replicas accepted: events one of them accepted and died before
    // handling are found by the next look.
    if (config->store.kind == "dynamodb") session_options.shared_inbox_every = kSharedInboxEvery;
    Result<std::unique_ptr<SessionService>> started = SessionService::Start(
        SessionServiceDeps{config->sessions, glue, &sqs, *session_notifier, *session_store, (*aws)->clock,
                           (*aws)->sleeper, (*aws)->random, metrics, LineLogger(context.err),
                           dead_letter_queue.get()},
        session_options);
    if (!started.ok()) {
      context.err << "glueguard: " << started.status().message() << "\n";
      return kExitFailure;
    }
    sessions = std::move(*started);
    SessionService* service = sessions.get();
    deps.dead_letter_count = [service] { return service->DeadLetterCount(); };
    deps.events_handler = [service](const ServerRequest& r, bool authenticated) {
      return service->HandleHttp(r, authenticated);
    };
  }
  Result<std::unique_ptr<ControllerServer>> server = ControllerServer::Start(deps, options);
  if (!server.ok()) {
    context.err << "glueguard: " << server.status().message() << "\n";
    return kExitFailure;
  }
  const std::string where =
      config->store.kind == "dynamodb"
          ? fmt::format("tables {}, {}, {}; replica {}", config->store.tables.observations,
                        config->store.tables.state, config->store.tables.decisions, deps.replica_id)
          : config->store.path;
  context.out << fmt::format("glueguard serve: {} subnets, {} categories, store {} ({}); API on {}{}\n",
                             config->subnets.size(), config->categories.size(), config->store.kind, where,
                             (*server)->url(),
                             config->server.token.empty() ? " (writes open: no token set)" : "");
  context.out.flush();
  const int signal_number = stop_signals.Wait();
  (*server)->Stop();
  if (sessions) sessions->Stop();
  context.out << fmt::format("glueguard serve: stopped on {}\n", StopSignals::Name(signal_number));
  return kExitOk;
}

}  // namespace glueguard
