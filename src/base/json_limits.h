// Limits on JSON from outside (API bodies, events from HTTP, SQS, Lambda and files, AWS replies), checked on
// the raw text before any parser sees it, so a hostile document is refused with a clear error instead of
// exhausting the stack of a recursive reader.
#pragma once

#include <string_view>

#include "base/status.h"

namespace glueguard {

// The deepest nesting of arrays and objects glueguard accepts. AWS's own documents (CloudTrail records in an
// EventBridge envelope, Glue replies) stay under 16.
inline constexpr int kMaxJsonDepth = 64;

// InvalidArgument naming `what` when `text` nests arrays and objects deeper than `max_depth` (brackets inside
// strings do not count). Does not otherwise validate the text: the parser does that.
Status CheckJsonDepth(std::string_view text, std::string_view what, int max_depth = kMaxJsonDepth);

}  // namespace glueguard
