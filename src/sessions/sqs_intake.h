// SqsIntake: reads session events from an SQS queue that an EventBridge rule feeds, and deletes each message
// only once the event is fully handled (acted on, ignored, a duplicate, or parked as a dead letter). While an
// event is being retried the message's visibility is extended, so no other reader gets it meanwhile; when the
// store cannot record the outcome the message is left alone and SQS delivers it again.
#pragma once

#include <atomic>
#include <string>

#include "aws/sqs.h"
#include "base/log.h"
#include "sessions/handler.h"

namespace glueguard {

struct SqsIntakeOptions {
  std::string queue_url;
  Duration visibility_timeout = std::chrono::minutes(2);  // per receive, and per extension
  int wait_time_seconds = 20;                             // long poll
  int max_messages = 10;
};

class SqsIntake {
 public:
  // Every dependency must outlive the intake.
  SqsIntake(SqsApi& sqs, SessionEventHandler& handler, Clock& clock, SqsIntakeOptions options, Log log = {})
      : sqs_(sqs), handler_(handler), clock_(clock), options_(std::move(options)), log_(std::move(log)) {}

  struct PollStats {
    int received = 0;
    int deleted = 0;
    int kept = 0;  // left for redelivery (the store failed)
  };
  // One receive and the handling of what it returned. Errors: the receive's (the queue is unreachable).
  Result<PollStats> PollOnce();

  // Polls until Stop(); an error waits `error_backoff` (on `sleeper`) before the next receive.
  void Run(Sleeper& sleeper, Duration error_backoff = std::chrono::seconds(5));
  void Stop() { stopping_ = true; }

 private:
  SqsApi& sqs_;
  SessionEventHandler& handler_;
  Clock& clock_;
  const SqsIntakeOptions options_;
  Log log_;
  std::atomic<bool> stopping_{false};
};

}  // namespace glueguard
