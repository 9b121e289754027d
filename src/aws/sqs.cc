#include "aws/sqs.h"

#include <fmt/format.h>

#include <algorithm>
#include <pugixml.hpp>

#include "aws/aws_client.h"
#include "aws/service.h"
#include "aws/xml_reply.h"

namespace glueguard {

namespace {

constexpr int kMaxMessagesPerReceive = 10;
constexpr int kMaxWaitTimeSeconds = 20;
constexpr int kMaxVisibilityTimeoutSeconds = 43200;
constexpr int kMaxDelaySeconds = 900;
// How much longer than the long poll the HTTP exchange may take.
constexpr std::chrono::seconds kLongPollMargin{10};


std::string Text(pugi::xml_node node, const char* name) { return node.child(name).text().get(); }

// Parses `xml` into `doc`, checks that the root element is <action>Response, and returns its <action>Result
// (a null node when the reply has none).
Result<pugi::xml_node> LoadReply(std::string_view xml, std::string_view action, pugi::xml_document& doc) {
  GG_ASSIGN_OR_RETURN(const pugi::xml_node root, LoadXmlReply(xml, "SQS", action, doc));
  return root.child(fmt::format("{}Result", action).c_str());
}

Status CheckRange(std::string_view action, std::string_view name, int value, int min, int max) {
  if (value >= min && value <= max) return Status::Ok();
  return Status::InvalidArgument(
      fmt::format("SQS {}: {} {} is not in {}..{}", action, name, value, min, max));
}

Status CheckQueueUrl(std::string_view action, const std::string& queue_url) {
  if (queue_url.empty())
    return Status::InvalidArgument(fmt::format("SQS {}: the queue URL is empty", action));
  return Status::Ok();
}

Status CheckReceiptHandle(std::string_view action, const std::string& receipt_handle) {
  if (receipt_handle.empty()) {
    return Status::InvalidArgument(fmt::format("SQS {}: the receipt handle is empty", action));
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<SqsMessage>> ParseReceiveMessageResponse(std::string_view xml) {
  constexpr std::string_view kAction = "ReceiveMessage";
  pugi::xml_document doc;
  Result<pugi::xml_node> result = LoadReply(xml, kAction, doc);
  if (!result.ok()) return result.status();
  std::vector<SqsMessage> messages;
  int index = 0;
  for (const pugi::xml_node node : result->children("Message")) {  // flattened: no <member>
    ++index;
    SqsMessage message;
    message.message_id = Text(node, "MessageId");
    message.receipt_handle = Text(node, "ReceiptHandle");
    if (message.message_id.empty() || message.receipt_handle.empty()) {
      return Status::Internal(
          fmt::format("SQS {}: <Message> {} has no <MessageId> or no <ReceiptHandle>", kAction, index));
    }
    message.body = Text(node, "Body");
    message.md5_of_body = Text(node, "MD5OfBody");
    for (const pugi::xml_node attribute : node.children("Attribute")) {
      message.attributes[Text(attribute, "Name")] = Text(attribute, "Value");
    }
    for (const pugi::xml_node attribute : node.children("MessageAttribute")) {
      const pugi::xml_node value = attribute.child("Value");
      message.message_attributes[Text(attribute, "Name")] = SqsMessageAttribute{
          Text(value, "DataType"), Text(value, "StringValue"), Text(value, "BinaryValue")};
    }
    messages.push_back(std::move(message));
  }
  return messages;
}

Result<std::string> ParseSendMessageResponse(std::string_view xml) {
  constexpr std::string_view kAction = "SendMessage";
  pugi::xml_document doc;
  Result<pugi::xml_node> result = LoadReply(xml, kAction, doc);
  if (!result.ok()) return result.status();
  std::string message_id = Text(*result, "MessageId");
  if (message_id.empty())
    return Status::Internal("SQS SendMessage: reply has no <SendMessageResult><MessageId>");
  return message_id;
}

Result<std::map<std::string, std::string>> ParseGetQueueAttributesResponse(std::string_view xml) {
  pugi::xml_document doc;
  Result<pugi::xml_node> result = LoadReply(xml, "GetQueueAttributes", doc);
  if (!result.ok()) return result.status();
  std::map<std::string, std::string> attributes;
  for (const pugi::xml_node attribute : result->children("Attribute")) {
    attributes[Text(attribute, "Name")] = Text(attribute, "Value");
  }
  return attributes;
}

Status ParseDeleteMessageResponse(std::string_view xml) {
  pugi::xml_document doc;
  return LoadReply(xml, "DeleteMessage", doc).status();
}

Status ParseChangeMessageVisibilityResponse(std::string_view xml) {
  pugi::xml_document doc;
  return LoadReply(xml, "ChangeMessageVisibility", doc).status();
}

Result<std::vector<SqsMessage>> SqsClient::ReceiveMessage(const ReceiveMessageRequest& request) {
  constexpr std::string_view kAction = "ReceiveMessage";
  GG_RETURN_IF_ERROR(CheckQueueUrl(kAction, request.queue_url));
  GG_RETURN_IF_ERROR(
      CheckRange(kAction, "MaxNumberOfMessages", request.max_number_of_messages, 1, kMaxMessagesPerReceive));
  GG_RETURN_IF_ERROR(
      CheckRange(kAction, "WaitTimeSeconds", request.wait_time_seconds, 0, kMaxWaitTimeSeconds));
  QueryParams params = {{"QueueUrl", request.queue_url},
                        {"AttributeName.1", "All"},
                        {"MessageAttributeName.1", "All"},
                        {"MaxNumberOfMessages", std::to_string(request.max_number_of_messages)}};
  if (request.visibility_timeout) {
    GG_RETURN_IF_ERROR(CheckRange(kAction, "VisibilityTimeout", *request.visibility_timeout, 0,
                                  kMaxVisibilityTimeoutSeconds));
    params.emplace_back("VisibilityTimeout", std::to_string(*request.visibility_timeout));
  }
  params.emplace_back("WaitTimeSeconds", std::to_string(request.wait_time_seconds));
  // A long poll holds the connection for up to WaitTimeSeconds: the exchange must be allowed to last longer.
  AwsCallOptions options;
  options.timeout =
      std::max(options.timeout, Duration(std::chrono::seconds(request.wait_time_seconds) + kLongPollMargin));
  Result<AwsResponse> reply = aws_.Query(kSqsService, kAction, params, options);
  if (!reply.ok()) return reply.status();
  return ParseReceiveMessageResponse(reply->body);
}

Status SqsClient::DeleteMessage(const std::string& queue_url, const std::string& receipt_handle) {
  constexpr std::string_view kAction = "DeleteMessage";
  GG_RETURN_IF_ERROR(CheckQueueUrl(kAction, queue_url));
  GG_RETURN_IF_ERROR(CheckReceiptHandle(kAction, receipt_handle));
  Result<AwsResponse> reply =
      aws_.Query(kSqsService, kAction, {{"QueueUrl", queue_url}, {"ReceiptHandle", receipt_handle}});
  if (!reply.ok()) return reply.status();
  return ParseDeleteMessageResponse(reply->body);
}

Result<std::string> SqsClient::SendMessage(const SendMessageRequest& request) {
  constexpr std::string_view kAction = "SendMessage";
  GG_RETURN_IF_ERROR(CheckQueueUrl(kAction, request.queue_url));
  if (request.message_body.empty())
    return Status::InvalidArgument("SQS SendMessage: the message body is empty");
  QueryParams params = {{"QueueUrl", request.queue_url}, {"MessageBody", request.message_body}};
  if (request.delay_seconds) {
    GG_RETURN_IF_ERROR(CheckRange(kAction, "DelaySeconds", *request.delay_seconds, 0, kMaxDelaySeconds));
    params.emplace_back("DelaySeconds", std::to_string(*request.delay_seconds));
  }
  int n = 0;
  for (const auto& [name, value] : request.message_attributes) {
    const std::string prefix = fmt::format("MessageAttribute.{}.", ++n);  // a flattened map: no ".entry"
    params.emplace_back(prefix + "Name", name);
    params.emplace_back(prefix + "Value.DataType", "String");
    params.emplace_back(prefix + "Value.StringValue", value);
  }
  Result<AwsResponse> reply = aws_.Query(kSqsService, kAction, params);
  if (!reply.ok()) return reply.status();
  return ParseSendMessageResponse(reply->body);
}

Status SqsClient::ChangeMessageVisibility(const std::string& queue_url, const std::string& receipt_handle,
                                          int visibility_timeout_seconds) {
  constexpr std::string_view kAction = "ChangeMessageVisibility";
  GG_RETURN_IF_ERROR(CheckQueueUrl(kAction, queue_url));
  GG_RETURN_IF_ERROR(CheckReceiptHandle(kAction, receipt_handle));
  GG_RETURN_IF_ERROR(
      CheckRange(kAction, "VisibilityTimeout", visibility_timeout_seconds, 0, kMaxVisibilityTimeoutSeconds));
  Result<AwsResponse> reply = aws_.Query(kSqsService, kAction,
                                         {{"QueueUrl", queue_url},
                                          {"ReceiptHandle", receipt_handle},
                                          {"VisibilityTimeout", std::to_string(visibility_timeout_seconds)}});
  if (!reply.ok()) return reply.status();
  return ParseChangeMessageVisibilityResponse(reply->body);
}

Result<std::map<std::string, std::string>> SqsClient::GetQueueAttributes(
    const std::string& queue_url, const std::vector<std::string>& names) {
  constexpr std::string_view kAction = "GetQueueAttributes";
  GG_RETURN_IF_ERROR(CheckQueueUrl(kAction, queue_url));
  QueryParams params = {{"QueueUrl", queue_url}};
  if (names.empty()) params.emplace_back("AttributeName.1", "All");
  for (size_t i = 0; i < names.size(); ++i)
    params.emplace_back(fmt::format("AttributeName.{}", i + 1), names[i]);
  Result<AwsResponse> reply = aws_.Query(kSqsService, kAction, params);
  if (!reply.ok()) return reply.status();
  return ParseGetQueueAttributesResponse(reply->body);
}

}  // namespace glueguard
