#include "app/serve.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "app/aws_runtime.h"
#include "app/sessions_runtime.h"
#include "aws/ec2.h"
#include "aws/glue.h"
#include "aws/sns.h"
#include "aws/sqs.h"
#include "controller/controller_metrics.h"
#include "controller/server.h"
#include "metrics/metrics.h"
#include "notify/notifier.h"
#include "sessions/session_service.h"
#include "store/open_store.h"

namespace glueguard {
namespace {

// With a shared inbox, how often a replica looks for events that others accepted and did not handle.
constexpr Duration kSharedInboxEvery = std::chrono::seconds(10);
// The dashboard's dead-letter count on a shared store: a Query of every dead letter, at most this often.
constexpr Duration kSharedDeadLetterCountEvery = std::chrono::seconds(30);

// <hostname>-<pid>: unique among the replicas running at once, new on every restart.
std::string DefaultReplicaId() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "replica");
  return fmt::format("{}-{}", host, getpid());
}

}  // namespace

// Declared in the order they are built; destroyed in reverse, the server first.
struct ServeRuntime::Parts {
  explicit Parts(const Config& c) : config(c) {}

  const Config& config;
  std::unique_ptr<AwsRuntime> aws;
  std::unique_ptr<ObservationStore> store;
  MetricsRegistry metrics;
  std::unique_ptr<Ec2Client> ec2;
  std::unique_ptr<SnsClient> sns;
  std::unique_ptr<GlueClient> glue;
  std::unique_ptr<SqsClient> sqs;
  std::unique_ptr<PollerLease> lease;
  std::string replica_id;
  std::unique_ptr<FanOutNotifier> session_notifier;
  std::unique_ptr<SessionStore> session_store;  // with a DynamoDB store, shared by every replica
  std::unique_ptr<DeadLetterStore> dead_letter_queue;
  std::unique_ptr<SessionService> sessions;
  std::unique_ptr<ControllerServer> server;
};

ServeRuntime::ServeRuntime(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

ServeRuntime::~ServeRuntime() { Stop(); }

Result<std::unique_ptr<ServeRuntime>> ServeRuntime::Start(const Config& config, const EnvLookup& env,
                                                          const std::string& host, int port, Log log) {
  auto p = std::make_unique<Parts>(config);
  GG_ASSIGN_OR_RETURN(p->aws, AwsRuntime::Create(env, config.region));
  AwsClient& client = *p->aws->client;
  GG_ASSIGN_OR_RETURN(p->store, OpenStore(config.store, &client));
  GG_ASSIGN_OR_RETURN(AwsCallMetrics aws_metrics, AwsCallMetrics::Register(p->metrics));
  client.set_observer([aws_metrics](const AwsCallRecord& r) { aws_metrics.Record(r); });
  p->ec2 = std::make_unique<Ec2Client>(client);
  p->sns = std::make_unique<SnsClient>(client);
  p->glue = std::make_unique<GlueClient>(client);
  p->sqs = std::make_unique<SqsClient>(client);
  p->lease = OpenPollerLease(config.store, &client);
  p->replica_id = config.server.replica_id.empty() ? DefaultReplicaId() : config.server.replica_id;

  ControllerServerDeps deps{
      config,  *p->store, *p->ec2, p->sns.get(), p->aws->transport, p->aws->clock, p->aws->random, p->metrics,
      nullptr, {},        {}};
  deps.lease = p->lease.get();
  deps.replica_id = p->replica_id;
  deps.log = log;

  // Session boundaries, when configured: POST /v1/events, the SQS poller, the reconcile sweep.
  if (config.sessions.configured) {
    GG_ASSIGN_OR_RETURN(p->session_notifier,
                        NotifiersFor(config.notify.sns_topic_arn, config.notify.webhook_url, p->sns.get(),
                                     p->aws->transport));
    GG_ASSIGN_OR_RETURN(p->session_store, OpenSessionStore(config, &client));
    p->dead_letter_queue = DeadLetterQueueFor(config.sessions, *p->sqs);
    SessionServiceOptions options;
    // A shared inbox also holds what other replicas accepted: events one of them accepted and died before
    // handling are found by the next look.
    if (config.store.kind == "dynamodb") {
      options.shared_inbox_every = kSharedInboxEvery;
      options.dead_letter_count_every = kSharedDeadLetterCountEvery;
    }
    GG_ASSIGN_OR_RETURN(
        p->sessions, SessionService::Start(
                         SessionServiceDeps{config.sessions, *p->glue, p->sqs.get(), *p->session_notifier,
                                            *p->session_store, p->aws->clock, p->aws->sleeper, p->aws->random,
                                            p->metrics, std::move(log), p->dead_letter_queue.get()},
                         options));
    SessionService* service = p->sessions.get();
    deps.dead_letter_count = [service] { return service->DeadLetterCount(); };
    deps.events_handler = [service](const ServerRequest& r, bool authenticated) {
      return service->HandleHttp(r, authenticated);
    };
  }
  ControllerServerOptions options;
  options.host = host;
  options.port = port;
  GG_ASSIGN_OR_RETURN(p->server, ControllerServer::Start(deps, options));
  return std::unique_ptr<ServeRuntime>(new ServeRuntime(std::move(p)));
}

std::string ServeRuntime::url() const { return parts_->server->url(); }

std::string ServeRuntime::Describe() const {
  const Config& c = parts_->config;
  const std::string where =
      c.store.kind == "dynamodb"
          ? fmt::format("tables {}, {}, {}; replica {}", c.store.tables.observations, c.store.tables.state,
                        c.store.tables.decisions, parts_->replica_id)
          : c.store.path;
  return fmt::format("{} subnets, {} categories, store {} ({})", c.subnets.size(), c.categories.size(),
                     c.store.kind, where);
}

void ServeRuntime::Stop() {
  if (parts_->server) parts_->server->Stop();
  if (parts_->sessions) parts_->sessions->Stop();
}

}  // namespace glueguard
