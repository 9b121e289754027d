#include "simcloud/cloudtrail.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "base/json_limits.h"
#include "simcloud/sts_service.h"

namespace glueguard {

namespace {

// Ordered: members come out in the order they were set or sent, as in the events CloudTrail writes.
using Json = nlohmann::ordered_json;

std::string Dump(const Json& json) { return json.dump(-1, ' ', false, Json::error_handler_t::replace); }

Result<Json> ParseObject(std::string_view text, std::string_view what) {
  GG_RETURN_IF_ERROR(CheckJsonDepth(text, what));
  Json json = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status::InvalidArgument(fmt::format("{} is not valid JSON", what));
  if (!json.is_object()) {
    return Status::InvalidArgument(fmt::format("{} is not a JSON object but {}", what, json.type_name()));
  }
  return json;
}

// "DefaultArguments" -> "defaultArguments".
std::string LowerCamel(std::string_view name) {
  std::string out(name);
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

// Members whose values are maps: their keys are data, not member names.
bool IsMapMember(std::string_view name) {
  return name == "DefaultArguments" || name == "Tags" || name == "Arguments" ||
         name == "ConnectionProperties";
}

// `value` with every member name of every nested structure in lowerCamelCase; maps copied as they are.
Json ToCloudTrailCase(const Json& value) {
  if (value.is_array()) {
    Json out = Json::array();
    for (const Json& e : value) out.push_back(ToCloudTrailCase(e));
    return out;
  }
  if (!value.is_object()) return value;
  Json out = Json::object();
  for (auto it = value.begin(); it != value.end(); ++it) {
    out[LowerCamel(it.key())] = IsMapMember(it.key()) ? *it : ToCloudTrailCase(*it);
  }
  return out;
}

// CreateSessionRequest's members in the model (aws-protocol-facts §1.5).
const std::set<std::string, std::less<>>& CreateSessionMembers() {
  static const std::set<std::string, std::less<>> kMembers = {
      "Id",          "Description",           "Role",        "Command",     "Timeout",
      "IdleTimeout", "DefaultArguments",      "Connections", "MaxCapacity", "NumberOfWorkers",
      "WorkerType",  "SecurityConfiguration", "GlueVersion", "Tags",        "RequestOrigin"};
  return kMembers;
}

Json RequestParameters(const Json& request) {
  Json out = Json::object();
  for (auto it = request.begin(); it != request.end(); ++it) {
    if (!CreateSessionMembers().contains(it.key()) || it->is_null()) continue;  // null is absent
    out[LowerCamel(it.key())] = IsMapMember(it.key()) ? *it : ToCloudTrailCase(*it);
  }
  return out;
}

Json IdentityJson(const CloudTrailIdentity& identity) {
  Json out = Json::object();
  out["type"] = identity.type;
  out["principalId"] = identity.principal_id;
  out["arn"] = identity.arn;
  out["accountId"] = identity.account_id;
  out["accessKeyId"] = identity.access_key_id;
  if (identity.type == "AssumedRole") {
    Json issuer = Json::object();
    issuer["type"] = "Role";
    issuer["principalId"] = identity.role_id;
    issuer["arn"] = fmt::format("arn:aws:iam::{}:role/{}", identity.account_id, identity.role_name);
    issuer["accountId"] = identity.account_id;
    issuer["userName"] = identity.role_name;
    Json attributes = Json::object();
    attributes["creationDate"] = CloudTrailTime(identity.session_created);
    attributes["mfaAuthenticated"] = "false";
    out["sessionContext"] = Json{{"sessionIssuer", issuer}, {"attributes", attributes}};
  } else {
    out["userName"] = identity.user_name;
  }
  return out;
}

// 17 characters of IAM's id alphabet derived from `seed` (what StsService uses for user ids).
std::string IdSuffix(std::string_view seed) { return SimUserId(seed).substr(4); }

std::tm Utc(Time t) {
  const std::time_t seconds =
      static_cast<std::time_t>(std::floor(static_cast<double>(ToUnixMillis(t)) / 1000));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

}  // namespace

CloudTrailIdentity IamUserIdentity(const Caller& caller) {
  CloudTrailIdentity identity;
  identity.type = "IAMUser";
  identity.principal_id = SimUserId(caller.access_key_id);
  identity.arn = caller.principal_arn;
  identity.account_id = caller.account_id;
  identity.access_key_id = caller.access_key_id;
  const size_t user = caller.principal_arn.find(":user/");
  identity.user_name = user == std::string::npos ? "" : caller.principal_arn.substr(user + 6);
  const size_t slash = identity.user_name.rfind('/');  // a user with a path: user/team/name
  if (slash != std::string::npos) identity.user_name = identity.user_name.substr(slash + 1);
  return identity;
}

CloudTrailIdentity DataEngineerIdentity(std::string_view account_id, std::string_view engineer,
                                        Time session_created) {
  const std::string session_name = fmt::format("{}@example.com", engineer);
  CloudTrailIdentity identity;
  identity.type = "AssumedRole";
  identity.role_name = "DataEngineer";
  identity.role_id = "AROA" + IdSuffix(fmt::format("role:{}:DataEngineer", account_id));
  identity.principal_id = fmt::format("{}:{}", identity.role_id, session_name);
  identity.arn =
      fmt::format("arn:aws:sts::{}:assumed-role/{}/{}", account_id, identity.role_name, session_name);
  identity.account_id = std::string(account_id);
  identity.access_key_id = "ASIA" + IdSuffix(fmt::format("key:{}", session_name)).substr(0, 16);
  identity.session_created = session_created;
  return identity;
}

std::string DataEngineerFor(std::string_view key) {
  static constexpr const char* kEngineers[] = {"jane.doe",     "arjun.patel", "li.wei",
                                               "maria.garcia", "tom.okafor",  "sofia.rossi"};
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a: stable across platforms, unlike std::hash
  for (const char c : key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return kEngineers[hash % std::size(kEngineers)];
}

std::string CloudTrailTime(Time t) {
  const std::tm tm = Utc(t);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string CloudTrailDisplayTime(Time t) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::tm tm = Utc(t);
  const int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
  return fmt::format("{} {}, {}, {}:{:02d}:{:02d} {}", kMonths[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900,
                     hour12, tm.tm_min, tm.tm_sec, tm.tm_hour < 12 ? "AM" : "PM");
}

Result<std::string> CreateSessionRequestParameters(std::string_view request_json) {
  Result<Json> request = ParseObject(request_json, "the CreateSession request");
  if (!request.ok()) return request.status();
  return Dump(RequestParameters(*request));
}

Result<std::string> BuildCreateSessionEvent(const CreateSessionRecord& record, Random& random) {
  Result<Json> request = ParseObject(record.request_json, "the CreateSession request");
  if (!request.ok()) return request.status();
  Result<Json> response = ParseObject(record.response_json, "the CreateSession reply");
  if (!response.ok()) return response.status();
  auto session_it = response->find("Session");
  if (session_it == response->end() || !session_it->is_object()) {
    return Status::InvalidArgument("the CreateSession reply has no Session object");
  }
  Json session = ToCloudTrailCase(*session_it);
  if (auto created = session.find("createdOn"); created != session.end() && created->is_number()) {
    *created = CloudTrailDisplayTime(FromUnixMillis(std::llround(created->get<double>() * 1000)));
  }

  Json detail = Json::object();
  detail["eventVersion"] = "1.09";
  detail["userIdentity"] = IdentityJson(record.identity);
  detail["eventTime"] = CloudTrailTime(record.event_time);
  detail["eventSource"] = "glue.amazonaws.com";
  detail["eventName"] = "CreateSession";
  detail["awsRegion"] = record.region;
  detail["sourceIPAddress"] = record.source_ip_address;
  detail["userAgent"] = record.user_agent;
  detail["requestParameters"] = RequestParameters(*request);
  detail["responseElements"] = Json{{"session", std::move(session)}};
  detail["requestID"] = record.request_id.empty() ? NewRequestId(random) : record.request_id;
  detail["eventID"] = NewRequestId(random);
  detail["readOnly"] = false;
  detail["eventType"] = "AwsApiCall";
  detail["managementEvent"] = true;
  detail["recipientAccountId"] = record.account_id;
  detail["eventCategory"] = "Management";

  Json event = Json::object();
  event["version"] = "0";
  event["id"] = NewRequestId(random);
  event["detail-type"] = "AWS API Call via CloudTrail";
  event["source"] = "aws.glue";
  event["account"] = record.account_id;
  event["time"] = CloudTrailTime(record.event_time);
  event["region"] = record.region;
  event["resources"] = Json::array();
  event["detail"] = std::move(detail);
  return Dump(event);
}

// ------------------------------------------------------------------------------------------------- emitter

Result<std::unique_ptr<CloudTrailEmitter>> CloudTrailEmitter::Create(SqsService& sqs,
                                                                     HttpTransport& transport, Random& random,
                                                                     CloudTrailEmitterOptions options) {
  if (!(options.drop_rate >= 0 && options.drop_rate <= 1)) {
    return Status::InvalidArgument(fmt::format("CloudTrail drop rate {} is outside 0..1", options.drop_rate));
  }
  Status queue = sqs.CreateQueue(options.queue_name);
  if (!queue.ok()) return queue.WithContext("CloudTrail event queue");
  return std::unique_ptr<CloudTrailEmitter>(
      new CloudTrailEmitter(sqs, transport, random, std::move(options)));
}

CloudTrailEmitter::CloudTrailEmitter(SqsService& sqs, HttpTransport& transport, Random& random,
                                     CloudTrailEmitterOptions options)
    : sqs_(sqs), transport_(transport), random_(random), options_(std::move(options)) {
  if (!options_.post_url.empty()) post_thread_ = std::thread([this] { PostLoop(); });
}

CloudTrailEmitter::~CloudTrailEmitter() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
    pending_posts_.clear();
  }
  post_ready_.NotifyAll();
  if (post_thread_.joinable()) post_thread_.join();
}

Status CloudTrailEmitter::Emit(const CreateSessionRecord& record) {
  std::string event;
  {
    MutexLock lock(mu_);
    Result<std::string> built = BuildCreateSessionEvent(record, random_);
    if (!built.ok()) return built.status().WithContext("CloudTrail CreateSession event");
    event = std::move(*built);
    ++stats_.emitted;
    const bool dropped = random_.Uniform() < options_.drop_rate;
    recent_.push_back({event, dropped});
    while (recent_.size() > options_.recent_capacity) recent_.pop_front();
    if (dropped) {
      ++stats_.dropped;
      return Status::Ok();
    }
  }
  // SqsService has its own lock: the send happens outside ours.
  Result<std::string> sent = sqs_.Send(options_.queue_name, event);
  bool discarded = false;
  {
    MutexLock lock(mu_);
    ++(sent.ok() ? stats_.delivered_to_queue : stats_.queue_failures);
    if (post_thread_.joinable()) {
      if (pending_posts_.size() >= options_.max_pending_posts) {
        ++stats_.post_failures;
        discarded = true;
      } else {
        pending_posts_.push_back(std::move(event));
      }
    }
  }
  post_ready_.NotifyOne();
  if (!sent.ok()) {
    Report(fmt::format("CloudTrail: queue {} refused an event: {}", options_.queue_name,
                       sent.status().ToString()));
  }
  if (discarded) {
    Report(fmt::format("CloudTrail: {} POSTs already waiting for {}; event discarded",
                       options_.max_pending_posts, options_.post_url));
  }
  return Status::Ok();
}

void CloudTrailEmitter::PostLoop() {
  while (true) {
    HttpRequest request;
    {
      MutexLock lock(mu_);
      while (!stopping_ && pending_posts_.empty()) post_ready_.Wait(mu_);
      if (stopping_) return;
      request.body = std::move(pending_posts_.front());
      pending_posts_.pop_front();
      posting_ = true;
    }
    request.method = "POST";
    request.url = options_.post_url;
    request.headers = {{"Content-Type", "application/json"}};
    request.connect_timeout = options_.post_timeout;
    request.timeout = options_.post_timeout;
    Result<HttpResponse> response = transport_.Send(request);
    const bool ok = response.ok() && response->status >= 200 && response->status < 300;
    if (!ok) {  // reported before the POST counts as done, so Flush returns after its line too
      Report(fmt::format(
          "CloudTrail: POST to {} failed: {}", options_.post_url,
          response.ok() ? fmt::format("HTTP {}", response->status) : response.status().ToString()));
    }
    {
      MutexLock lock(mu_);
      posting_ = false;
      ++(ok ? stats_.posted : stats_.post_failures);
    }
    post_done_.NotifyAll();
  }
}

void CloudTrailEmitter::Flush() {
  MutexLock lock(mu_);
  while (!stopping_ && (!pending_posts_.empty() || posting_)) post_done_.Wait(mu_);
}

CloudTrailStats CloudTrailEmitter::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

std::vector<RecentCloudTrailEvent> CloudTrailEmitter::Recent() const {
  MutexLock lock(mu_);
  return {recent_.begin(), recent_.end()};
}

std::string CloudTrailEmitter::InspectionJson() const {
  const CloudTrailStats s = stats();
  Json out = Json::object();
  out["queue"] = options_.queue_name;
  out["stats"] = Json{{"emitted", s.emitted},
                      {"dropped", s.dropped},
                      {"delivered_to_queue", s.delivered_to_queue},
                      {"queue_failures", s.queue_failures},
                      {"posted", s.posted},
                      {"post_failures", s.post_failures}};
  Json events = Json::array();
  for (const RecentCloudTrailEvent& e : Recent()) {
    events.push_back(Json{{"dropped", e.dropped}, {"event", Json::parse(e.event_json, nullptr, false)}});
  }
  out["events"] = std::move(events);
  return Dump(out);
}

void CloudTrailEmitter::Report(std::string_view message) const {
  if (options_.log) {
    options_.log(message);
  } else {
    glueguard::Log::Stderr()(message);
  }
}

}  // namespace glueguard
