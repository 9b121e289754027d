// SessionsRuntime: what the session commands (serve's session boundaries, `sessions dlq`, `lambda`) need to
// act for real — AWS clients from the environment, the notifiers of the notify section, the session store
// next to the observation store. One place, so they all act the same way.
#pragma once

#include <memory>

#include "app/aws_runtime.h"
#include "aws/glue.h"
#include "aws/sns.h"
#include "aws/sqs.h"
#include "base/log.h"
#include "config/config.h"
#include "notify/notifier.h"
#include "sessions/handler.h"
#include "sessions/session_store.h"

namespace glueguard {

struct SessionsRuntime {
  std::unique_ptr<AwsRuntime> aws;
  std::unique_ptr<GlueClient> glue;
  std::unique_ptr<SnsClient> sns;
  std::unique_ptr<SqsClient> sqs;
  std::unique_ptr<FanOutNotifier> notifier;
  std::unique_ptr<SessionStore> store;  // the configured store: dedupe, the inbox, dead letters
  std::unique_ptr<DeadLetterStore> dead_letter_queue;  // sessions.dead_letter_queue_url's, when set

  // Where dead letters are: the queue when one is set, else the store.
  DeadLetterStore& dead_letters() { return dead_letter_queue ? *dead_letter_queue : *store; }

  // Errors: the AWS environment's, the store's (a file that cannot be opened), the notify section's.
  static Result<std::unique_ptr<SessionsRuntime>> Create(const Config& config, const EnvLookup& env);

  // A session handler's dependencies on this runtime, with `sessions` (which must outlive them), no metrics,
  // and `log` for one line per thing done.
  SessionHandlerDeps HandlerDeps(const SessionsConfig& sessions, Log log);
};

// The session store a configuration names: the SQLite file of store.path, memory for the memory kind, or
// the DynamoDB tables every replica shares (through `aws`, which must then be given and outlive the store).
Result<std::unique_ptr<SessionStore>> OpenSessionStore(const Config& config, AwsClient* aws = nullptr);

// The dead letters on sessions.dead_letter_queue_url, or nullptr when it is empty (they stay in the session
// store). `sqs` must outlive the result.
std::unique_ptr<DeadLetterStore> DeadLetterQueueFor(const SessionsConfig& sessions, SqsApi& sqs);

}  // namespace glueguard
