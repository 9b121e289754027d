#include "simcloud/sns_service.h"

#include <fmt/format.h>

#include <algorithm>

namespace glueguard {

namespace {

constexpr size_t kMaxSubject = 100;
constexpr size_t kMaxTopicName = 256;

AwsError InvalidParameter(std::string_view detail) {
  return {400, "InvalidParameter", fmt::format("Invalid parameter: {}", detail), true};
}

bool ValidTopicName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxTopicName && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// arn:aws:sns:<region>:<account>:<name>
bool ValidTopicArn(std::string_view arn) {
  if (!arn.starts_with("arn:aws:sns:")) return false;
  const size_t last = arn.rfind(':');
  return std::count(arn.begin(), arn.end(), ':') == 5 && ValidTopicName(arn.substr(last + 1));
}

}  // namespace

SnsService::SnsService(Clock& clock, Random& random, SnsServiceOptions options)
    : clock_(clock), random_(random), options_(std::move(options)) {
  for (const std::string& arn : options_.topic_arns) topics_.insert(arn);
}

bool SnsService::Handles(std::string_view operation) const {
  return operation == "Publish" || operation == "CreateTopic" || operation == "ListTopics";
}

ServerResponse SnsService::Handle(const AwsCall& call) {
  if (call.operation == "Publish") return Publish(call);
  if (call.operation == "CreateTopic") return CreateTopic(call);
  if (call.operation == "ListTopics") return ListTopics(call);
  return ErrorResponse(call, UnknownOperationError(call));
}

Status SnsService::AddTopic(const std::string& topic_arn) {
  if (!ValidTopicArn(topic_arn)) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)", topic_arn));
  }
  MutexLock lock(mu_);
  topics_.insert(topic_arn);
  return Status::Ok();
}

std::vector<std::string> SnsService::Topics() const {
  MutexLock lock(mu_);
  return {topics_.begin(), topics_.end()};
}

std::vector<SnsPublished> SnsService::Published() const {
  MutexLock lock(mu_);
  return published_;
}

ServerResponse SnsService::Publish(const AwsCall& call) {
  const std::string* topic = FindParam(call.params, "TopicArn");
  if (topic == nullptr) topic = FindParam(call.params, "TargetArn");
  if (topic == nullptr) {
    if (FindParam(call.params, "PhoneNumber") != nullptr) {
      return ErrorResponse(call, InvalidParameter("PhoneNumber Reason: SMS is not supported by simcloud"));
    }
    return ErrorResponse(call,
                         InvalidParameter("TopicArn or TargetArn Reason: no value for required parameter"));
  }
  const std::string* message = FindParam(call.params, "Message");
  if (message == nullptr || message->empty()) return ErrorResponse(call, InvalidParameter("Empty message"));
  const std::string* subject = FindParam(call.params, "Subject");
  if (subject != nullptr && (subject->empty() || subject->size() > kMaxSubject)) {
    return ErrorResponse(call, InvalidParameter("Subject"));
  }
  SnsPublished record;
  record.message_id = NewRequestId(random_);
  record.topic_arn = *topic;
  record.subject = subject == nullptr ? "" : *subject;
  record.message = *message;
  record.attributes = MessageAttributes(call.params, "MessageAttributes.entry");
  record.published = clock_.Now();
  record.publisher = call.caller.access_key_id;
  const std::string message_id = record.message_id;
  {
    MutexLock lock(mu_);
    if (!topics_.contains(*topic))
      return ErrorResponse(call, {404, "NotFound", "Topic does not exist", true});
    published_.push_back(std::move(record));
  }
  return QueryResponse(call, XmlElement("MessageId", message_id));
}

ServerResponse SnsService::CreateTopic(const AwsCall& call) {
  const std::string* name = FindParam(call.params, "Name");
  if (name == nullptr || !ValidTopicName(*name)) return ErrorResponse(call, InvalidParameter("Topic Name"));
  const std::string arn =
      fmt::format("arn:aws:sns:{}:{}:{}", call.caller.region.empty() ? options_.region : call.caller.region,
                  options_.account_id, *name);
  {
    MutexLock lock(mu_);
    topics_.insert(arn);
  }
  return QueryResponse(call, XmlElement("TopicArn", arn));
}

ServerResponse SnsService::ListTopics(const AwsCall& call) {
  std::string members;
  for (const std::string& arn : Topics()) members += "<member>" + XmlElement("TopicArn", arn) + "</member>";
  return QueryResponse(call, "<Topics>" + members + "</Topics>");
}

}  // namespace glueguard
