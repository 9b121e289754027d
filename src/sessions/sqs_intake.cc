#include "sessions/sqs_intake.h"

#include <fmt/format.h>

namespace glueguard {

Result<SqsIntake::PollStats> SqsIntake::PollOnce() {
  const int visibility_s =
      static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(options_.visibility_timeout).count());
  ReceiveMessageRequest receive;
  receive.queue_url = options_.queue_url;
  receive.max_number_of_messages = options_.max_messages;
  receive.wait_time_seconds = options_.wait_time_seconds;
  receive.visibility_timeout = visibility_s;
  Result<std::vector<SqsMessage>> messages = sqs_.ReceiveMessage(receive);
  if (!messages.ok())
    return messages.status().WithContext(fmt::format("receiving from {}", options_.queue_url));
  PollStats stats;
  stats.received = static_cast<int>(messages->size());
  for (const SqsMessage& m : *messages) {
    // Stop retrying a little before the message would become visible again; each heartbeat pushes that back.
    const Duration margin = options_.visibility_timeout / 4;
    HandleOptions handle;
    handle.source = "sqs";
    handle.deadline = clock_.Now() + options_.visibility_timeout - margin;
    // Before each retry wait: hidden for a whole visibility timeout from now, so the message stays with this
    // reader until it is deleted or the handler gives up (which it does before the deadline).
    handle.heartbeat = [&] {
      Status s = sqs_.ChangeMessageVisibility(options_.queue_url, m.receipt_handle, visibility_s);
      if (!s.ok() && log_) {
        log_(fmt::format("extending visibility of message {}: {}", m.message_id, s.message()));
      }
    };
    Result<HandleResult> handled = handler_.Handle(m.body, handle);
    if (!handled.ok()) {
      ++stats.kept;
      if (log_)
        log_(fmt::format("message {} kept for redelivery: {}", m.message_id, handled.status().message()));
      continue;
    }
    Status deleted = sqs_.DeleteMessage(options_.queue_url, m.receipt_handle);
    if (!deleted.ok()) {
      // Handled; the redelivery will be a duplicate and act no more.
      if (log_) log_(fmt::format("deleting message {}: {}", m.message_id, deleted.message()));
      continue;
    }
    ++stats.deleted;
  }
  return stats;
}

void SqsIntake::Run(Sleeper& sleeper, Duration error_backoff) {
  while (!stopping_) {
    Result<PollStats> stats = PollOnce();
    if (!stats.ok()) {
      if (log_) log_(stats.status().message());
      if (!stopping_) sleeper.Sleep(error_backoff);
    }
  }
}

}  // namespace glueguard
