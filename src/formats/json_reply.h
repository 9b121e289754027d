// A peer's JSON reply (an AWS service's, say) read as one object, before any member of it is.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "base/json_limits.h"
#include "base/status.h"

namespace glueguard {

// Parses `text` as a JSON object after checking its depth (at most `max_depth` levels). Internal errors, for
// the caller to prefix with the operation: "not valid JSON (N bytes; malformed or truncated)", "expected a
// JSON object, got array", or CheckJsonDepth's.
Result<nlohmann::json> ParseJsonReplyObject(std::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace glueguard
