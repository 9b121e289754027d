#include "cli/sessions_runtime.h"

namespace glueguard {

Result<std::unique_ptr<SessionStore>> OpenSessionStore(const StoreConfig& store) {
  if (store.kind == "memory") return NewMemorySessionStore();
  return OpenSqliteSessionStore(store.path);
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
  Result<std::unique_ptr<SessionStore>> store = OpenSessionStore(config.store);
  if (!store.ok()) return store.status();
  runtime->store = std::move(*store);
  return runtime;
}

}  // namespace glueguard
