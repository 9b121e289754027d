// Reading session events from a file or standard input, as `sessions check` and `sessions enforce` take them:
// one event, a JSON array of events, or JSON lines.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace glueguard {

// The whole of `path` ("-": standard input). NotFound when it cannot be opened; InvalidArgument past 256 MiB.
Result<std::string> ReadEventInput(const std::string& path);

// The events of `input`: a JSON array of events, JSON lines (one event per line), or one event (whose own
// errors are left to the event parser). InvalidArgument for empty input or a broken array.
Result<std::vector<std::string>> SplitSessionEvents(const std::string& input);

// ReadEventInput, then SplitSessionEvents.
Result<std::vector<std::string>> ReadSessionEvents(const std::string& path);

}  // namespace glueguard
