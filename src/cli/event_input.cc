#include "cli/event_input.h"

#include <fmt/format.h>

#include <cctype>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/json_limits.h"
#include "base/strings.h"

namespace glueguard {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxInputBytes = 256u << 20;  // 256 MiB of events at most

bool ParsesAsJson(std::string_view text) {
  try {
    return Json::accept(text.begin(), text.end());
  } catch (const Json::exception&) {
    return false;
  }
}

}  // namespace

Result<std::vector<std::string>> SplitSessionEvents(const std::string& input) {
  const std::string text = std::string(Trim(input));
  if (text.empty()) return Status::InvalidArgument("the input holds no events");
  std::vector<std::string> events;
  if (text.front() == '[') {
    GG_RETURN_IF_ERROR(CheckJsonDepth(text, "the input"));
    Json array;
    try {
      array = Json::parse(text);
    } catch (const Json::parse_error& e) {
      return Status::InvalidArgument(
          fmt::format("the input is not a valid JSON array of events (at byte {})", e.byte));
    } catch (const Json::exception&) {
      return Status::InvalidArgument(
          "the input is not a valid JSON array of events: a value cannot be represented");
    }
    for (const Json& item : array) events.push_back(item.dump());
    if (events.empty()) return Status::InvalidArgument("the input is an empty array: no events");
    return events;
  }
  std::istringstream lines(text);
  std::string first;
  std::getline(lines, first);
  if (text.find('\n') != std::string::npos && ParsesAsJson(std::string(Trim(first)))) {
    // JSON lines.
    events.push_back(std::string(Trim(first)));
    std::string line;
    while (std::getline(lines, line)) {
      if (!Trim(line).empty()) events.push_back(std::string(Trim(line)));
    }
    return events;
  }
  events.push_back(text);  // one event (its errors are the event's)
  return events;
}

Result<std::string> ReadEventInput(const std::string& path) {
  std::ostringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::NotFound(fmt::format("cannot open '{}'", path));
    text << in.rdbuf();
    if (in.bad()) return Status::Unavailable(fmt::format("cannot read '{}'", path));
  }
  if (text.tellp() > static_cast<std::streamoff>(kMaxInputBytes)) {
    return Status::InvalidArgument(fmt::format("the input is larger than {} MiB", kMaxInputBytes >> 20));
  }
  return text.str();
}

Result<std::vector<std::string>> ReadSessionEvents(const std::string& path) {
  GG_ASSIGN_OR_RETURN(const std::string input, ReadEventInput(path));
  return SplitSessionEvents(input);
}

}  // namespace glueguard
