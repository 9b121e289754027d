// Reading AWS's XML replies: EC2's and the Query protocol's (SQS, SNS, STS). Internal to the clients in aws/.
#pragma once

#include <pugixml.hpp>

#include <string>
#include <string_view>

#include "base/status.h"

namespace glueguard {

// Text from a reply, for an error message: cut to 64 characters, so a hostile reply cannot blow up a log.
std::string ShortenForMessage(std::string_view text);

// Parses `xml` into `doc` and returns its root element, which must be <operation>Response. Internal errors
// name the service and the operation: "EC2 DescribeSubnets: reply is not well-formed XML: ... at offset N",
// "SQS ReceiveMessage: reply has root element <Html>, expected <ReceiveMessageResponse>".
Result<pugi::xml_node> LoadXmlReply(std::string_view xml, std::string_view service, std::string_view operation,
                                    pugi::xml_document& doc);

}  // namespace glueguard
