#include "policy/event.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "base/json_limits.h"

namespace glueguard {

namespace {

using Json = nlohmann::json;

constexpr const char* kCloudTrailDetailType = "AWS API Call via CloudTrail";

// "a string", "an object", "a number": how a JSON value's type reads in a message.
std::string TypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "a number";
    default:
      return "null";
  }
}

Status WrongType(const std::string& path, const char* expected, const Json& got) {
  return Status::InvalidArgument(fmt::format("{}: expected {}, got {}", path, expected, TypeName(got)));
}

// Reads members of one JSON object, each named by its path in messages. A member that is absent or null
// reads as absent; one of the wrong type is an error.
class Members {
 public:
  Members(const Json* object, std::string path) : object_(object), path_(std::move(path)) {}

  bool present() const { return object_ != nullptr; }
  const std::string& path() const { return path_; }

  // The member when present and not null.
  const Json* Find(const char* key) const {
    if (object_ == nullptr) return nullptr;
    auto it = object_->find(key);
    if (it == object_->end() || it->is_null()) return nullptr;
    return &*it;
  }
  std::string PathOf(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

  Result<std::optional<std::string>> String(const char* key) const {
    const Json* value = Find(key);
    if (value == nullptr) return std::optional<std::string>();
    if (!value->is_string()) return WrongType(PathOf(key), "a string", *value);
    return std::optional<std::string>(value->get<std::string>());
  }

  Result<std::optional<double>> Number(const char* key) const {
    const Json* value = Find(key);
    if (value == nullptr) return std::optional<double>();
    if (!value->is_number()) return WrongType(PathOf(key), "a number", *value);
    return std::optional<double>(value->get<double>());
  }

  // A whole number in 0..INT_MAX; 2.0 reads as 2.
  Result<std::optional<int>> WholeNumber(const char* key) const {
    Result<std::optional<double>> number = Number(key);
    if (!number.ok()) return number.status();
    if (!number->has_value()) return std::optional<int>();
    const double v = **number;
    if (!(v >= 0 && v <= std::numeric_limits<int>::max()) || std::floor(v) != v) {
      return Status::InvalidArgument(fmt::format("{}: expected a whole number from 0 to {}, got {}",
                                                 PathOf(key), std::numeric_limits<int>::max(),
                                                 Find(key)->dump()));
    }
    return std::optional<int>(static_cast<int>(v));
  }

  // A nested object (absent: an empty reader).
  Result<Members> Object(const char* key) const {
    const Json* value = Find(key);
    if (value == nullptr) return Members(nullptr, PathOf(key));
    if (!value->is_object()) return WrongType(PathOf(key), "an object", *value);
    return Members(value, PathOf(key));
  }

  Result<std::optional<std::vector<std::string>>> StringList(const char* key) const {
    const Json* value = Find(key);
    if (value == nullptr) return std::optional<std::vector<std::string>>();
    if (!value->is_array()) return WrongType(PathOf(key), "an array of strings", *value);
    std::vector<std::string> out;
    for (size_t i = 0; i < value->size(); ++i) {
      const Json& item = (*value)[i];
      if (!item.is_string()) return WrongType(fmt::format("{}[{}]", PathOf(key), i), "a string", item);
      out.push_back(item.get<std::string>());
    }
    return std::optional<std::vector<std::string>>(std::move(out));
  }

  Result<std::optional<std::map<std::string, std::string>>> StringMap(const char* key) const {
    const Json* value = Find(key);
    if (value == nullptr) return std::optional<std::map<std::string, std::string>>();
    if (!value->is_object()) return WrongType(PathOf(key), "an object of strings", *value);
    std::map<std::string, std::string> out;
    for (auto it = value->begin(); it != value->end(); ++it) {
      if (!it->is_string()) return WrongType(PathOf(key) + "." + it.key(), "a string", *it);
      out[it.key()] = it->get<std::string>();
    }
    return std::optional<std::map<std::string, std::string>>(std::move(out));
  }

 private:
  const Json* object_;
  std::string path_;
};

// Assigns a Result's value or returns its error from the enclosing function.
#define GG_ASSIGN(target, expression)           \
  do {                                          \
    auto result_ = (expression);                \
    if (!result_.ok()) return result_.status(); \
    target = std::move(*result_);               \
  } while (false)

// `out` from the request's member when set, else from the reply's.
template <typename T, typename Read>
Status FromEither(const Members& request, const Members& reply, const char* key, std::optional<T>& out,
                  Read read) {
  GG_ASSIGN(out, read(request, key));
  if (!out) GG_ASSIGN(out, read(reply, key));
  return Status::Ok();
}

Status ReadRequest(const Members& request, const Members& reply, SessionRequest& r) {
  std::optional<std::string> id;
  Status s = FromEither<std::string>(request, reply, "id", id,
                                     [](const Members& m, const char* k) { return m.String(k); });
  if (!s.ok()) return s;
  std::optional<std::string> role;
  s = FromEither<std::string>(request, reply, "role", role,
                              [](const Members& m, const char* k) { return m.String(k); });
  if (!s.ok()) return s;
  r.id = id.value_or("");
  r.role = role.value_or("");
  auto whole = [](const Members& m, const char* k) { return m.WholeNumber(k); };
  auto text = [](const Members& m, const char* k) { return m.String(k); };
  if (s = FromEither<int>(request, reply, "numberOfWorkers", r.number_of_workers, whole); !s.ok()) return s;
  if (s = FromEither<std::string>(request, reply, "workerType", r.worker_type, text); !s.ok()) return s;
  if (s = FromEither<double>(request, reply, "maxCapacity", r.max_capacity,
                             [](const Members& m, const char* k) { return m.Number(k); });
      !s.ok()) {
    return s;
  }
  if (s = FromEither<int>(request, reply, "idleTimeout", r.idle_timeout_minutes, whole); !s.ok()) return s;
  // Glue's Session has no Timeout member; a reply that carries one anyway is read the same way.
  if (s = FromEither<int>(request, reply, "timeout", r.timeout_minutes, whole); !s.ok()) return s;
  if (s = FromEither<std::string>(request, reply, "glueVersion", r.glue_version, text); !s.ok()) return s;
  for (const Members* side : {&request, &reply}) {
    Members connections(nullptr, "");
    GG_ASSIGN(connections, side->Object("connections"));
    GG_ASSIGN(r.connections, connections.StringList("connections"));
    if (r.connections) break;
  }
  std::optional<std::map<std::string, std::string>> tags;
  GG_ASSIGN(tags, request.StringMap("tags"));
  r.tags = tags.value_or(std::map<std::string, std::string>{});
  r.tags_known = true;
  r.timeout_known = true;
  return Status::Ok();
}

std::string CreatorName(const std::string& principal_id, const std::string& user_name, const std::string& arn,
                        const std::map<std::string, std::string>& tags) {
  const size_t colon = principal_id.find(':');
  if (colon != std::string::npos && colon + 1 < principal_id.size()) return principal_id.substr(colon + 1);
  if (auto owner = tags.find("owner"); owner != tags.end() && !owner->second.empty()) return owner->second;
  if (!user_name.empty()) return user_name;
  if (!arn.empty()) return arn;
  return "an unknown caller";
}

Result<ParsedEvent> Parse(const Json& root) {
  const Members top(&root, "");
  ParsedEvent parsed;

  // The EventBridge envelope, or a bare CloudTrail record.
  Members detail(nullptr, "detail");
  GG_ASSIGN(detail, top.Object("detail"));
  const bool envelope = detail.present();
  if (!envelope) {
    if (top.Find("eventSource") == nullptr && top.Find("eventName") == nullptr) {
      return Status::InvalidArgument(
          "neither an EventBridge event (no 'detail' object) nor a CloudTrail record (no 'eventSource')");
    }
    detail = Members(&root, "");
  }
  std::optional<std::string> source, detail_type, event_source, event_name;
  if (envelope) {
    GG_ASSIGN(source, top.String("source"));
    GG_ASSIGN(detail_type, top.String("detail-type"));
  }
  GG_ASSIGN(event_source, detail.String("eventSource"));
  GG_ASSIGN(event_name, detail.String("eventName"));
  if (source && *source != "aws.glue") {
    parsed.ignored = fmt::format("not a Glue event (source {})", *source);
    return parsed;
  }
  if (detail_type && *detail_type != kCloudTrailDetailType) {
    parsed.ignored = fmt::format("not a CloudTrail API call (detail-type {})", *detail_type);
    return parsed;
  }
  if (event_source && *event_source != "glue.amazonaws.com") {
    parsed.ignored = fmt::format("not a Glue event (eventSource {})", *event_source);
    return parsed;
  }
  if (!event_source && !source) {
    parsed.ignored = "not a Glue event (no source or eventSource)";
    return parsed;
  }
  if (event_name != "CreateSession") {
    parsed.ignored = fmt::format("not CreateSession ({})", event_name.value_or("no eventName"));
    return parsed;
  }

  std::optional<std::string> error_code, error_message;
  GG_ASSIGN(error_code, detail.String("errorCode"));
  GG_ASSIGN(error_message, detail.String("errorMessage"));
  if (error_code) {
    parsed.ignored = fmt::format("CreateSession failed: {}", *error_code);
    if (error_message && !error_message->empty()) parsed.ignored += ": " + *error_message;
    return parsed;
  }

  Members request(nullptr, ""), response(nullptr, ""), reply(nullptr, "");
  GG_ASSIGN(request, detail.Object("requestParameters"));
  GG_ASSIGN(response, detail.Object("responseElements"));
  GG_ASSIGN(reply, response.Object("session"));
  if (!response.present() && !request.present()) {
    parsed.ignored = "CreateSession with neither requestParameters nor responseElements: nothing to check";
    return parsed;
  }

  SessionEvent event;
  if (Status s = ReadRequest(request, reply, event.request); !s.ok()) return s;
  if (event.request.id.empty()) {
    return Status::InvalidArgument(fmt::format(
        "no session id: neither {}.requestParameters.id nor {}.responseElements.session.id is set",
        detail.path().empty() ? "detail" : detail.path(), detail.path().empty() ? "detail" : detail.path()));
  }

  std::optional<std::string> event_id, envelope_id, account, recipient, region, aws_region, event_time,
      envelope_time;
  GG_ASSIGN(event_id, detail.String("eventID"));
  GG_ASSIGN(recipient, detail.String("recipientAccountId"));
  GG_ASSIGN(aws_region, detail.String("awsRegion"));
  GG_ASSIGN(event_time, detail.String("eventTime"));
  if (envelope) {
    GG_ASSIGN(envelope_id, top.String("id"));
    GG_ASSIGN(account, top.String("account"));
    GG_ASSIGN(region, top.String("region"));
    GG_ASSIGN(envelope_time, top.String("time"));
  }
  event.event_id = event_id.value_or(envelope_id.value_or(""));
  event.account = account.value_or(recipient.value_or(""));
  event.region = region.value_or(aws_region.value_or(""));
  for (const std::optional<std::string>* t : {&event_time, &envelope_time}) {
    if (!t->has_value()) continue;
    if (Result<Time> when = ParseTime(**t); when.ok()) {
      event.event_time = *when;
      break;
    }
  }

  Members identity(nullptr, "");
  GG_ASSIGN(identity, detail.Object("userIdentity"));
  std::optional<std::string> arn, principal_id, user_name;
  GG_ASSIGN(arn, identity.String("arn"));
  GG_ASSIGN(principal_id, identity.String("principalId"));
  GG_ASSIGN(user_name, identity.String("userName"));
  event.creator_arn = arn.value_or("");
  event.creator =
      CreatorName(principal_id.value_or(""), user_name.value_or(""), event.creator_arn, event.request.tags);
  parsed.event = std::move(event);
  return parsed;
}

#undef GG_ASSIGN

}  // namespace

Result<ParsedEvent> ParseSessionEvent(std::string_view json) {
  if (json.size() > kMaxSessionEventBytes) {
    return Status::InvalidArgument(
        fmt::format("the event is {} bytes, more than the {} glueguard reads (EventBridge delivers at most "
                    "256 KB)",
                    json.size(), kMaxSessionEventBytes));
  }
  GG_RETURN_IF_ERROR(CheckJsonDepth(json, "the event"));
  Json root;
  try {
    root = Json::parse(json.begin(), json.end());
  } catch (const Json::parse_error& e) {
    return Status::InvalidArgument(fmt::format("the event is not valid JSON (at byte {})", e.byte));
  } catch (const Json::exception&) {  // a number out of range (1e400), ...
    return Status::InvalidArgument("the event is not valid JSON: a value cannot be represented");
  }
  if (!root.is_object()) {
    return Status::InvalidArgument(fmt::format("the event is not a JSON object but {}", TypeName(root)));
  }
  try {
    return Parse(root);
  } catch (const Json::exception& e) {  // not expected: every access is type-checked first
    return Status::InvalidArgument(fmt::format("the event could not be read: {}", e.what()));
  }
}

}  // namespace glueguard
