#include "app/sessions_runtime.h"

#include <algorithm>

#include "aws/dynamodb.h"
#include "sessions/dynamodb_session_store.h"
#include "sessions/sqs_dead_letters.h"

namespace glueguard {

Result<std::unique_ptr<SessionStore>> OpenSessionStore(const Config& config, AwsClient* aws) {
  const StoreConfig& store = config.store;
  if (store.kind == "memory") return NewMemorySessionStore();
  if (store.kind == "dynamodb") {
    if (aws == nullptr) return Status::InvalidArgument("store.kind dynamodb: this command has no AWS client");
    // Records must outlive the dedupe window, or a late duplicate would be acted on again.
    return NewDynamoDbSessionStore(std::make_unique<DynamoDbClient>(*aws), store.tables,
                                   std::max(store.retention, config.sessions.dedupe_window));
  }
  return OpenSqliteSessionStore(store.path);
}

std::unique_ptr<DeadLetterStore> DeadLetterQueueFor(const SessionsConfig& sessions, SqsApi& sqs) {
  if (sessions.dead_letter_queue_url.empty()) return nullptr;
  return NewSqsDeadLetterStore(sqs, sessions.dead_letter_queue_url);
}

SessionHandlerDeps SessionsRuntime::HandlerDeps(const SessionsConfig& sessions, Log log) {
  DeadLetterStore& parked = dead_letter_queue ? static_cast<DeadLetterStore&>(*dead_letter_queue)
                                              : static_cast<DeadLetterStore&>(*store);
  return SessionHandlerDeps{sessions,   *glue,        *notifier,   *store,  parked,
                            aws->clock, aws->sleeper, aws->random, nullptr, std::move(log)};
}

Result<std::unique_ptr<SessionsRuntime>> SessionsRuntime::Create(const Config& config, const EnvLookup& env) {
  auto runtime = std::make_unique<SessionsRuntime>();
  Result<std::unique_ptr<AwsRuntime>> aws = AwsRuntime::Create(env, config.region);
  if (!aws.ok()) return aws.status();
  runtime->aws = std::move(*aws);
  runtime->glue = std::make_unique<GlueClient>(*runtime->aws->client);
  runtime->sns = std::make_unique<SnsClient>(*runtime->aws->client);
  runtime->sqs = std::make_unique<SqsClient>(*runtime->aws->client);
  Result<std::unique_ptr<FanOutNotifier>> notifier = NotifiersFor(
      config.notify.sns_topic_arn, config.notify.webhook_url, runtime->sns.get(), runtime->aws->transport);
  if (!notifier.ok()) return notifier.status();
  runtime->notifier = std::move(*notifier);
  Result<std::unique_ptr<SessionStore>> store = OpenSessionStore(config, runtime->aws->client.get());
  if (!store.ok()) return store.status();
  runtime->store = std::move(*store);
  runtime->dead_letter_queue = DeadLetterQueueFor(config.sessions, *runtime->sqs);
  return runtime;
}

}  // namespace glueguard
