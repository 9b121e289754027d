#include "sessions/sqs_dead_letters.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace glueguard {
namespace {

Status NoLocalIds() {
  return Status::FailedPrecondition(
      "dead letters are on an SQS queue (sessions.dead_letter_queue_url): replay them with "
      "'glueguard sessions dlq replay --all', which reads the queue");
}

class SqsDeadLetterStore final : public DeadLetterStore {
 public:
  SqsDeadLetterStore(SqsApi& sqs, std::string queue_url) : sqs_(sqs), queue_url_(std::move(queue_url)) {}

  Result<int64_t> Park(const DeadLetter& letter) override {
    SendMessageRequest send;
    send.queue_url = queue_url_;
    send.message_body = letter.body.empty() ? "(empty)" : letter.body;
    send.message_attributes["error"] = letter.error.empty() ? "(none)" : letter.error.substr(0, 4000);
    if (!letter.event_id.empty()) send.message_attributes["event_id"] = letter.event_id;
    send.message_attributes["source"] = letter.source.empty() ? "unknown" : letter.source;
    send.message_attributes["attempts"] = std::to_string(letter.attempts);
    send.message_attributes["parked_at"] = FormatTime(letter.parked_at);
    Result<std::string> id = sqs_.SendMessage(send);
    if (!id.ok()) return id.status().WithContext(fmt::format("parking a dead letter on {}", queue_url_));
    // Letters on the queue have no local id; callers only need a non-zero one.
    return int64_t{-1};
  }

  Result<std::vector<DeadLetter>> DeadLetters(int limit) override {
    ReceiveMessageRequest receive;
    receive.queue_url = queue_url_;
    receive.max_number_of_messages = std::clamp(limit, 1, 10);
    receive.visibility_timeout = 0;  // a peek: the messages stay visible
    Result<std::vector<SqsMessage>> messages = sqs_.ReceiveMessage(receive);
    if (!messages.ok()) return messages.status();
    std::vector<DeadLetter> out;
    for (const SqsMessage& m : *messages) {
      DeadLetter d;
      d.body = m.body;
      auto attribute = [&](const char* name) {
        auto it = m.message_attributes.find(name);
        return it == m.message_attributes.end() ? std::string() : it->second.string_value;
      };
      d.error = attribute("error");
      d.event_id = attribute("event_id");
      d.source = attribute("source");
      d.attempts = std::atoi(attribute("attempts").c_str());
      if (Result<Time> t = ParseTime(attribute("parked_at")); t.ok()) d.parked_at = *t;
      out.push_back(std::move(d));
    }
    return out;
  }

  Result<std::optional<DeadLetter>> FindDeadLetter(int64_t) override { return NoLocalIds(); }
  Status RemoveDeadLetter(int64_t) override { return NoLocalIds(); }
  Status UpdateDeadLetter(int64_t, const std::string&) override { return NoLocalIds(); }

  Result<int64_t> DeadLetterCount() override {
    Result<std::map<std::string, std::string>> attributes =
        sqs_.GetQueueAttributes(queue_url_, {"ApproximateNumberOfMessages"});
    if (!attributes.ok()) return attributes.status();
    auto it = attributes->find("ApproximateNumberOfMessages");
    if (it == attributes->end())
      return Status::Internal("GetQueueAttributes gave no ApproximateNumberOfMessages");
    return static_cast<int64_t>(std::atoll(it->second.c_str()));
  }

 private:
  SqsApi& sqs_;
  const std::string queue_url_;
};

}  // namespace

std::unique_ptr<DeadLetterStore> NewSqsDeadLetterStore(SqsApi& sqs, std::string queue_url) {
  return std::make_unique<SqsDeadLetterStore>(sqs, std::move(queue_url));
}

Result<SqsReplayStats> ReplaySqsDeadLetters(SqsApi& sqs, const std::string& queue_url,
                                            SessionEventHandler& handler, int max_messages) {
  SqsReplayStats stats;
  // What identifies a letter across a re-park: the failure goes back as a new message with a new id.
  auto letter_key = [](const SqsMessage& m) {
    auto it = m.message_attributes.find("event_id");
    if (it != m.message_attributes.end() && !it->second.string_value.empty()) {
      return "event:" + it->second.string_value;
    }
    return "body:" + m.body;
  };
  std::set<std::string> replayed;
  std::vector<std::string> held;  // receipt handles of letters seen again, hidden until the run ends
  Status status = Status::Ok();
  while (stats.received < max_messages && status.ok()) {
    ReceiveMessageRequest receive;
    receive.queue_url = queue_url;
    receive.max_number_of_messages = std::clamp(max_messages - stats.received, 1, 10);
    receive.visibility_timeout = 300;
    Result<std::vector<SqsMessage>> messages = sqs.ReceiveMessage(receive);
    if (!messages.ok()) {
      status = messages.status();
      break;
    }
    if (messages->empty()) break;
    for (const SqsMessage& m : *messages) {
      if (!replayed.insert(letter_key(m)).second) {
        held.push_back(m.receipt_handle);
        continue;
      }
      ++stats.received;
      HandleOptions options;
      options.source = "replay";
      Result<HandleResult> result = handler.Handle(m.body, options);
      if (!result.ok()) {  // the message stays; it returns after its visibility timeout
        status = result.status();
        break;
      }
      if (result->dead_letter_id != 0) {
        ++stats.still_failing;
        stats.failures.push_back({result->event_id, result->detail});
      } else {
        ++stats.handled;
      }
      status = sqs.DeleteMessage(queue_url, m.receipt_handle);
      if (!status.ok()) break;
    }
  }
  // A letter that cannot be shown again now returns by itself when its visibility timeout ends.
  for (const std::string& receipt_handle : held) {
    if (!sqs.ChangeMessageVisibility(queue_url, receipt_handle, 0).ok()) ++stats.still_hidden;
  }
  if (!status.ok()) return status;
  return stats;
}

}  // namespace glueguard
