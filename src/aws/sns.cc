#include "aws/sns.h"

#include <fmt/format.h>

#include <pugixml.hpp>

#include "aws/aws_client.h"
#include "aws/service.h"

namespace glueguard {

namespace {

std::string Shorten(std::string_view text) {
  constexpr size_t kMax = 64;
  if (text.size() <= kMax) return std::string(text);
  return fmt::format("{}...", text.substr(0, kMax));
}

}  // namespace

Result<std::string> ParsePublishResponse(std::string_view xml) {
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size());
  if (!parsed) {
    return Status::Internal(fmt::format("SNS Publish: reply is not well-formed XML: {} at offset {}",
                                        parsed.description(), parsed.offset));
  }
  const pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "PublishResponse") {
    return Status::Internal(fmt::format(
        "SNS Publish: reply has root element <{}>, expected <PublishResponse>", Shorten(root.name())));
  }
  std::string message_id = root.child("PublishResult").child("MessageId").text().get();
  if (message_id.empty()) return Status::Internal("SNS Publish: reply has no <PublishResult><MessageId>");
  return message_id;
}

Result<std::string> SnsClient::Publish(const SnsPublishRequest& request) {
  if (request.topic_arn.empty()) return Status::InvalidArgument("SNS Publish: the topic ARN is empty");
  if (request.message.empty()) return Status::InvalidArgument("SNS Publish: the message is empty");
  QueryParams params = {{"TopicArn", request.topic_arn}, {"Message", request.message}};
  if (request.subject) params.emplace_back("Subject", *request.subject);
  int n = 0;
  for (const auto& [name, value] : request.message_attributes) {
    const std::string prefix = fmt::format("MessageAttributes.entry.{}.", ++n);
    params.emplace_back(prefix + "Name", name);
    params.emplace_back(prefix + "Value.DataType", "String");
    params.emplace_back(prefix + "Value.StringValue", value);
  }
  Result<AwsResponse> reply = aws_.Query(kSnsService, "Publish", params);
  if (!reply.ok()) return reply.status();
  return ParsePublishResponse(reply->body);
}

}  // namespace glueguard
