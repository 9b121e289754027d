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

namespace {

// Forwards every call to a store it does not own.
class BorrowedStore final : public SessionStore {
 public:
  explicit BorrowedStore(SessionStore& s) : s_(s) {}
  Result<ClaimResult> Claim(const std::string& e, Time now, Duration w, Duration stale) override {
    return s_.Claim(e, now, w, stale);
  }
  Status MarkDone(const std::string& e, const std::string& o, Time now) override {
    return s_.MarkDone(e, o, now);
  }
  Status Release(const std::string& e) override { return s_.Release(e); }
  Result<int64_t> ReleaseUnfinishedClaims() override { return s_.ReleaseUnfinishedClaims(); }
  Status RememberSession(const std::string& id, Time now) override { return s_.RememberSession(id, now); }
  Result<bool> SessionKnown(const std::string& id) override { return s_.SessionKnown(id); }
  Result<int64_t> Enqueue(const std::string& src, const std::string& b, Time now) override {
    return s_.Enqueue(src, b, now);
  }
  Result<std::vector<InboxItem>> Pending(int limit) override { return s_.Pending(limit); }
  Status Dequeue(int64_t id) override { return s_.Dequeue(id); }
  Result<int64_t> Park(const DeadLetter& d) override { return s_.Park(d); }
  Result<std::vector<DeadLetter>> DeadLetters(int limit) override { return s_.DeadLetters(limit); }
  Result<std::optional<DeadLetter>> FindDeadLetter(int64_t id) override { return s_.FindDeadLetter(id); }
  Status RemoveDeadLetter(int64_t id) override { return s_.RemoveDeadLetter(id); }
  Status UpdateDeadLetter(int64_t id, const std::string& e) override { return s_.UpdateDeadLetter(id, e); }
  Result<int64_t> DeadLetterCount() override { return s_.DeadLetterCount(); }
  Result<int64_t> ExpireBefore(Time cutoff) override { return s_.ExpireBefore(cutoff); }

 private:
  SessionStore& s_;
};

}  // namespace

std::unique_ptr<SessionStore> WithDeadLetterQueue(const SessionsConfig& sessions, SessionStore& local,
                                                  SqsApi& sqs) {
  if (sessions.dead_letter_queue_url.empty()) return std::make_unique<BorrowedStore>(local);
  return NewSqsDeadLetterStore(local, sqs, sessions.dead_letter_queue_url);
}

SessionHandlerDeps SessionsRuntime::HandlerDeps(const SessionsConfig& sessions,
                                                std::function<void(const std::string&)> log) {
  return SessionHandlerDeps{sessions,     *glue,       *notifier, *store,        aws->clock,
                            aws->sleeper, aws->random, nullptr,   std::move(log)};
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
  runtime->local_store = std::move(*store);
  runtime->store = WithDeadLetterQueue(config.sessions, *runtime->local_store, *runtime->sqs);
  return runtime;
}

}  // namespace glueguard
