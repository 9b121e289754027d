#include "aws/xml_reply.h"

#include <fmt/format.h>

namespace glueguard {

std::string ShortenForMessage(std::string_view text) {
  constexpr size_t kMax = 64;
  if (text.size() <= kMax) return std::string(text);
  return fmt::format("{}...", text.substr(0, kMax));
}

Result<pugi::xml_node> LoadXmlReply(std::string_view xml, std::string_view service, std::string_view operation,
                                    pugi::xml_document& doc) {
  const pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size());
  if (!parsed) {
    return Status::Internal(fmt::format("{} {}: reply is not well-formed XML: {} at offset {}", service,
                                        operation, parsed.description(), parsed.offset));
  }
  const pugi::xml_node root = doc.document_element();
  const std::string expected = fmt::format("{}Response", operation);
  if (root.name() != expected) {
    return Status::Internal(fmt::format("{} {}: reply has root element <{}>, expected <{}>", service, operation,
                                        ShortenForMessage(root.name()), expected));
  }
  return root;
}

}  // namespace glueguard
