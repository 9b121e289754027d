#include "aws/sns.h"

#include <fmt/format.h>

#include <pugixml.hpp>

#include "aws/aws_client.h"
#include "aws/service.h"
#include "aws/xml_reply.h"

namespace glueguard {

namespace {


}  // namespace

Result<std::string> ParsePublishResponse(std::string_view xml) {
  pugi::xml_document doc;
  GG_ASSIGN_OR_RETURN(const pugi::xml_node root, LoadXmlReply(xml, "SNS", "Publish", doc));
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
