// Dead letters on an SQS queue (sessions.dead_letter_queue_url) instead of the local SQLite table: for
// deployments where the local disk does not outlive the process (containers, Lambda), and where the queue's
// CloudWatch alarm is the page. A DeadLetterStore (dedupe and the inbox stay in the SessionStore): Park sends the
// event (body as is; the error, event id, source and attempts as message attributes); the count is the
// queue's ApproximateNumberOfMessages; listing peeks (receives with a visibility timeout of 0, so nothing is
// taken). Letters have no local ids: FindDeadLetter, RemoveDeadLetter and UpdateDeadLetter are
// FailedPrecondition — replay reads the queue instead (ReplaySqsDeadLetters).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "aws/sqs.h"
#include "sessions/handler.h"
#include "sessions/session_store.h"

namespace glueguard {

// `sqs` must outlive the store.
std::unique_ptr<DeadLetterStore> NewSqsDeadLetterStore(SqsApi& sqs, std::string queue_url);

// A letter a replay handled again without success.
struct SqsReplayFailure {
  std::string event_id;  // empty when the event could not be parsed
  std::string error;     // the new error
};

struct SqsReplayStats {
  int received = 0;       // letters replayed, each at most once
  int handled = 0;        // handled now, deleted from the queue
  int still_failing = 0;  // failed again: parked anew (a new message) and the old one deleted
  std::vector<SqsReplayFailure> failures;  // the still failing ones, in the order replayed
  int still_hidden = 0;  // letters seen again that could not be made visible at once (they return later)
};

// Receives up to `max_messages` dead letters from `queue_url` and handles each again through `handler` (whose
// store parks failures back on the same queue), deleting every message whose outcome was recorded. Each
// letter is replayed at most once per call: a message with the event id (or, unreadable, the body) of one
// already replayed is the failure parked again, or a copy; it is held out of sight (received, not handled)
// until the queue shows nothing more, then made visible again. So the call ends even when letters still fail.
// Errors: SQS's, or the store's when an outcome could not be recorded (that message stays on the queue and
// returns after its visibility timeout).
Result<SqsReplayStats> ReplaySqsDeadLetters(SqsApi& sqs, const std::string& queue_url,
                                            SessionEventHandler& handler, int max_messages);

}  // namespace glueguard
