// Dead letters on an SQS queue (sessions.dead_letter_queue_url) instead of the local SQLite table: for
// deployments where the local disk does not outlive the process (containers, Lambda), and where the queue's
// CloudWatch alarm is the page. A SessionStore decorator: dedupe and the inbox stay in `base`; Park sends the
// event (body as is; the error, event id, source and attempts as message attributes); the count is the
// queue's ApproximateNumberOfMessages; listing peeks (receives with a visibility timeout of 0, so nothing is
// taken). Letters have no local ids: FindDeadLetter, RemoveDeadLetter and UpdateDeadLetter are
// FailedPrecondition — replay reads the queue instead (ReplaySqsDeadLetters).
#pragma once

#include <memory>
#include <string>

#include "aws/sqs.h"
#include "sessions/handler.h"
#include "sessions/session_store.h"

namespace glueguard {

// `base` and `sqs` must outlive the store.
std::unique_ptr<SessionStore> NewSqsDeadLetterStore(SessionStore& base, SqsApi& sqs, std::string queue_url);

struct SqsReplayStats {
  int received = 0;
  int handled = 0;  // handled now, deleted from the queue
  int still_failing =
      0;  // handled again without success: parked anew (a new message) and the old one deleted
};

// Receives up to `max_messages` dead letters from `queue_url` and handles each again through `handler` (whose
// store parks failures back on the same queue), deleting every message whose outcome was recorded.
Result<SqsReplayStats> ReplaySqsDeadLetters(SqsApi& sqs, const std::string& queue_url,
                                            SessionEventHandler& handler, int max_messages);

}  // namespace glueguard
