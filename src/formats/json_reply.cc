#include "formats/json_reply.h"

#include <fmt/format.h>

namespace glueguard {

Result<nlohmann::json> ParseJsonReplyObject(std::string_view text, int max_depth) {
  GG_RETURN_IF_ERROR(CheckJsonDepth(text, "the reply", max_depth));
  nlohmann::json body = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return Status::Internal(fmt::format("not valid JSON ({} bytes; malformed or truncated)", text.size()));
  }
  if (!body.is_object()) return Status::Internal(fmt::format("expected a JSON object, got {}", body.type_name()));
  return body;
}

}  // namespace glueguard
