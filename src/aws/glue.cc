// The Glue client: request bodies, the typed reader of Glue's JSON replies, and the operations glueguard
// calls. One file over 500 lines because every operation's reply goes through the reader defined here; the
// reader is private to the client so its leniency (absent members keep defaults) cannot leak elsewhere.
#include "aws/glue.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "aws/aws_client.h"
#include "aws/service.h"
#include "base/json_limits.h"
#include "formats/json_reply.h"

namespace glueguard {

namespace {

using Json = nlohmann::json;

// Serialises a request body. Strings must be UTF-8; invalid bytes are sent as U+FFFD rather than throwing.
std::string Dump(const Json& body) { return body.dump(-1, ' ', false, Json::error_handler_t::replace); }

Result<Json> ParseObject(std::string_view text) { return ParseJsonReplyObject(text); }

const Json& EmptyObject() {
  static const Json kEmpty = Json::object();
  return kEmpty;
}

// Reads the members of one JSON object into typed fields. Absent and null members leave the field as it was;
// a member of the wrong type records an error naming its path (the first error wins) and the field is left as
// it was. Children share the parent's error.
class Reader {
 public:
  Reader(const Json& object, std::string path, Status& error)
      : object_(object), path_(std::move(path)), error_(error) {}

  // The member `key`, or nullptr when it is absent or null.
  const Json* Find(const char* key) const {
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  // Records "missing" when `key` is absent or null.
  bool Require(const char* key) {
    if (Find(key) != nullptr) return true;
    Fail(key, "missing");
    return false;
  }

  void Fail(std::string_view key, std::string_view what) {
    if (error_.ok()) error_ = Status::Internal(fmt::format("{}: {}", Path(key), what));
  }

  void String(const char* key, std::string& out) {
    const Json* v = Find(key);
    if (v == nullptr) return;
    if (!v->is_string()) return Mismatch(key, *v, "a string");
    out = v->get_ref<const std::string&>();
  }

  void String(const char* key, std::optional<std::string>& out) {
    std::string value;
    if (Find(key) == nullptr) return;
    String(key, value);
    if (error_.ok()) out = std::move(value);
  }

  void Int(const char* key, std::optional<int>& out) {
    const Json* v = Find(key);
    if (v == nullptr) return;
    std::optional<int64_t> n = Integer(*v);
    if (!n || *n < std::numeric_limits<int>::min() || *n > std::numeric_limits<int>::max()) {
      return Mismatch(key, *v, "a 32-bit integer");
    }
    out = static_cast<int>(*n);
  }

  void Double(const char* key, std::optional<double>& out) {
    const Json* v = Find(key);
    if (v == nullptr) return;
    if (!v->is_number()) return Mismatch(key, *v, "a number");
    out = v->get<double>();
  }

  // Epoch seconds as a JSON number, possibly fractional, to the millisecond; an RFC 3339 string is accepted
  // too.
  void Timestamp(const char* key, std::optional<Time>& out) {
    const Json* v = Find(key);
    if (v == nullptr) return;
    if (v->is_string()) {
      Result<Time> t = ParseTime(v->get_ref<const std::string&>());
      if (!t.ok()) return Fail(key, "expected epoch seconds or an RFC 3339 time: " + t.status().message());
      out = *t;
      return;
    }
    if (!v->is_number()) return Mismatch(key, *v, "a number (epoch seconds)");
    const double seconds = v->get<double>();
    // ±1e11 s is more than 3000 years either side of 1970: anything beyond is not a time.
    if (!std::isfinite(seconds) || std::fabs(seconds) > 1e11) return Fail(key, "epoch seconds out of range");
    out = FromUnixMillis(std::llround(seconds * 1000.0));
  }

  void Timestamp(const char* key, Time& out) {
    std::optional<Time> t;
    Timestamp(key, t);
    if (t) out = *t;
  }

  void StringList(const char* key, std::vector<std::string>& out) {
    const Json* v = Find(key);
    if (v == nullptr) return;
    if (!v->is_array()) return Mismatch(key, *v, "a list");
    std::vector<std::string> values;
    values.reserve(v->size());
    size_t i = 0;
    for (const Json& e : *v) {
      if (!e.is_string()) return Mismatch(fmt::format("{}[{}]", key, i), e, "a string");
      values.push_back(e.get_ref<const std::string&>());
      ++i;
    }
    out = std::move(values);
  }

  void StringMap(const char* key, GlueStringMap& out) {
    const Json* v = Find(key);
    if (v == nullptr) return;
    if (!v->is_object()) return Mismatch(key, *v, "an object");
    GlueStringMap values;
    for (auto it = v->begin(); it != v->end(); ++it) {
      if (!it->is_string()) return Mismatch(fmt::format("{}.{}", key, it.key()), *it, "a string");
      values.emplace(it.key(), it->get_ref<const std::string&>());
    }
    out = std::move(values);
  }

  // The nested object `key`; an empty object when it is absent (or, after recording the error, not an
  // object).
  Reader Child(const char* key) {
    const Json* v = Find(key);
    if (v != nullptr && !v->is_object()) {
      Mismatch(key, *v, "an object");
      v = nullptr;
    }
    return Reader(v != nullptr ? *v : EmptyObject(), Path(key), error_);
  }

  // Calls `each(Reader&)` for every element of the list of objects `key`; stops at the first error.
  template <typename Each>
  void Objects(const char* key, Each&& each) {
    const Json* v = Find(key);
    if (v == nullptr) return;
    if (!v->is_array()) return Mismatch(key, *v, "a list");
    size_t i = 0;
    for (const Json& e : *v) {
      const std::string where = fmt::format("{}[{}]", key, i++);
      if (!e.is_object()) return Mismatch(where, e, "an object");
      Reader element(e, Path(where), error_);
      each(element);
      if (!error_.ok()) return;
    }
  }

  bool ok() const { return error_.ok(); }

 private:
  std::string Path(std::string_view key) const {
    return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  }

  void Mismatch(std::string_view key, const Json& value, std::string_view expected) {
    Fail(key, fmt::format("expected {}, got {}", expected, value.type_name()));
  }

  // A JSON integer, or a float with an integral value, that fits int64.
  static std::optional<int64_t> Integer(const Json& v) {
    if (v.is_number_unsigned()) {
      const uint64_t u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
      return static_cast<int64_t>(u);
    }
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_number_float()) {
      const double d = v.get<double>();
      if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.0e18) return static_cast<int64_t>(d);
    }
    return std::nullopt;
  }

  const Json& object_;
  std::string path_;
  Status& error_;
};

// Runs `read(Reader&)` over the reply `text` of `operation`, prefixing any error with where it came from.
template <typename T, typename Read>
Result<T> ParseReply(std::string_view operation, std::string_view text, Read&& read) {
  const std::string context = fmt::format("Glue {} reply", operation);
  Result<Json> body = ParseObject(text);
  if (!body.ok()) return body.status().WithContext(context);
  Status error;
  Reader root(*body, "", error);
  T value = read(root);
  if (!error.ok()) return error.WithContext(context);
  return value;
}

void ReadConnectionNames(Reader& r, std::vector<std::string>& out) {
  Reader connections = r.Child("Connections");
  connections.StringList("Connections", out);
}

Session ReadSession(Reader& r) {
  Session s;
  if (!r.Require("Id")) return s;
  r.String("Id", s.id);
  r.String("Status", s.status);
  r.String("Role", s.role);
  Reader command = r.Child("Command");
  command.String("Name", s.command_name);
  command.String("PythonVersion", s.python_version);
  r.Timestamp("CreatedOn", s.created_on);
  r.Timestamp("CompletedOn", s.completed_on);
  ReadConnectionNames(r, s.connections);
  r.StringMap("DefaultArguments", s.default_arguments);
  r.Double("MaxCapacity", s.max_capacity);
  r.Int("NumberOfWorkers", s.number_of_workers);
  r.String("WorkerType", s.worker_type);
  r.Int("IdleTimeout", s.idle_timeout);
  r.Double("Progress", s.progress);
  r.Double("ExecutionTime", s.execution_time);
  r.Double("DPUSeconds", s.dpu_seconds);
  r.String("GlueVersion", s.glue_version);
  r.String("ErrorMessage", s.error_message);
  r.String("Description", s.description);
  r.String("SecurityConfiguration", s.security_configuration);
  r.String("ProfileName", s.profile_name);
  return s;
}

Job ReadJob(Reader& r) {
  Job j;
  if (!r.Require("Name")) return j;
  r.String("Name", j.name);
  r.String("Description", j.description);
  r.String("Role", j.role);
  Reader command = r.Child("Command");
  command.String("Name", j.command_name);
  command.String("ScriptLocation", j.script_location);
  command.String("PythonVersion", j.python_version);
  r.Timestamp("CreatedOn", j.created_on);
  r.Timestamp("LastModifiedOn", j.last_modified_on);
  r.StringMap("DefaultArguments", j.default_arguments);
  ReadConnectionNames(r, j.connections);
  r.Int("MaxRetries", j.max_retries);
  r.Int("Timeout", j.timeout);
  r.Double("MaxCapacity", j.max_capacity);
  r.String("WorkerType", j.worker_type);
  r.Int("NumberOfWorkers", j.number_of_workers);
  r.String("GlueVersion", j.glue_version);
  r.String("SecurityConfiguration", j.security_configuration);
  r.String("ExecutionClass", j.execution_class);
  return j;
}

JobRun ReadJobRun(Reader& r) {
  JobRun run;
  if (!r.Require("Id")) return run;
  r.String("Id", run.id);
  r.String("JobName", run.job_name);
  r.String("JobRunState", run.job_run_state);
  r.Int("Attempt", run.attempt);
  r.String("PreviousRunId", run.previous_run_id);
  r.String("TriggerName", run.trigger_name);
  r.Timestamp("StartedOn", run.started_on);
  r.Timestamp("LastModifiedOn", run.last_modified_on);
  r.Timestamp("CompletedOn", run.completed_on);
  r.StringMap("Arguments", run.arguments);
  r.String("ErrorMessage", run.error_message);
  r.Int("Timeout", run.timeout);
  r.Int("ExecutionTime", run.execution_time);
  r.Double("MaxCapacity", run.max_capacity);
  r.String("WorkerType", run.worker_type);
  r.Int("NumberOfWorkers", run.number_of_workers);
  r.Double("DPUSeconds", run.dpu_seconds);
  r.String("GlueVersion", run.glue_version);
  r.String("ExecutionClass", run.execution_class);
  r.String("SecurityConfiguration", run.security_configuration);
  r.String("LogGroupName", run.log_group_name);
  return run;
}

GlueConnection ReadConnection(Reader& r) {
  GlueConnection c;
  if (!r.Require("Name")) return c;
  r.String("Name", c.name);
  r.String("Description", c.description);
  r.String("ConnectionType", c.connection_type);
  r.StringMap("ConnectionProperties", c.connection_properties);
  Reader physical = r.Child("PhysicalConnectionRequirements");
  physical.String("SubnetId", c.subnet_id);
  physical.StringList("SecurityGroupIdList", c.security_group_ids);
  physical.String("AvailabilityZone", c.availability_zone);
  r.Timestamp("CreationTime", c.creation_time);
  r.Timestamp("LastUpdatedTime", c.last_updated_time);
  return c;
}

// The wrapper object `key` of a Get* reply, which must be present.
template <typename T, typename Read>
T ReadWrapped(Reader& root, const char* key, Read&& read) {
  if (!root.Require(key)) return T{};
  Reader inner = root.Child(key);
  if (!root.ok()) return T{};
  return read(inner);
}

Result<std::string> ParseIdReply(std::string_view operation, std::string_view text) {
  return ParseReply<std::string>(operation, text, [](Reader& r) {
    std::string id;
    r.String("Id", id);
    return id;
  });
}

Status RequireName(std::string_view operation, std::string_view what, const std::string& value) {
  if (value.empty()) return Status::InvalidArgument(fmt::format("Glue {}: {} is empty", operation, what));
  return Status::Ok();
}

Status CheckMaxResults(std::string_view operation, int max_results) {
  if (max_results != 0 && (max_results < 1 || max_results > 1000)) {
    return Status::InvalidArgument(
        fmt::format("Glue {}: MaxResults {} is outside 1..1000", operation, max_results));
  }
  return Status::Ok();
}

// Calls `operation` with `body` and parses a 2xx reply with `parse`.
template <typename T>
Result<T> Call(AwsClient& aws, std::string_view operation, const Json& body,
               Result<T> (*parse)(std::string_view)) {
  Result<AwsResponse> reply = aws.Json(kGlueService, operation, Dump(body));
  if (!reply.ok()) return reply.status();
  return parse(reply->body);
}

// Follows NextToken through `fetch(token) -> Result<Page>`, appending `items(page)` to the result.
template <typename Item, typename Fetch, typename Items>
Result<std::vector<Item>> FollowPages(std::string_view operation, std::string first_token, Fetch&& fetch,
                                      Items&& items) {
  std::vector<Item> all;
  std::set<std::string> seen;
  std::string token = std::move(first_token);
  while (true) {
    auto page = fetch(token);
    if (!page.ok()) return page.status();
    for (auto& item : items(*page)) all.push_back(std::move(item));
    if (page->next_token.empty()) return all;
    if (!seen.insert(page->next_token).second) {
      return Status::Internal(fmt::format("Glue {}: NextToken repeated; pagination loop stopped", operation));
    }
    token = std::move(page->next_token);
  }
}

}  // namespace

Result<Session> ParseGetSessionResponse(std::string_view json) {
  return ParseReply<Session>("GetSession", json,
                             [](Reader& root) { return ReadWrapped<Session>(root, "Session", ReadSession); });
}

Result<SessionPage> ParseListSessionsResponse(std::string_view json) {
  return ParseReply<SessionPage>("ListSessions", json, [](Reader& root) {
    SessionPage page;
    root.StringList("Ids", page.ids);
    root.Objects("Sessions", [&](Reader& r) { page.sessions.push_back(ReadSession(r)); });
    root.String("NextToken", page.next_token);
    return page;
  });
}

Result<std::string> ParseStopSessionResponse(std::string_view json) {
  return ParseIdReply("StopSession", json);
}

Result<std::string> ParseDeleteSessionResponse(std::string_view json) {
  return ParseIdReply("DeleteSession", json);
}

Result<Job> ParseGetJobResponse(std::string_view json) {
  return ParseReply<Job>("GetJob", json, [](Reader& root) { return ReadWrapped<Job>(root, "Job", ReadJob); });
}

Result<std::string> ParseStartJobRunResponse(std::string_view json) {
  return ParseReply<std::string>("StartJobRun", json, [](Reader& root) {
    std::string id;
    if (root.Require("JobRunId")) root.String("JobRunId", id);
    return id;
  });
}

Result<JobRun> ParseGetJobRunResponse(std::string_view json) {
  return ParseReply<JobRun>("GetJobRun", json,
                            [](Reader& root) { return ReadWrapped<JobRun>(root, "JobRun", ReadJobRun); });
}

Result<JobRunPage> ParseGetJobRunsResponse(std::string_view json) {
  return ParseReply<JobRunPage>("GetJobRuns", json, [](Reader& root) {
    JobRunPage page;
    root.Objects("JobRuns", [&](Reader& r) { page.job_runs.push_back(ReadJobRun(r)); });
    root.String("NextToken", page.next_token);
    return page;
  });
}

Result<BatchStopJobRunResult> ParseBatchStopJobRunResponse(std::string_view json) {
  return ParseReply<BatchStopJobRunResult>("BatchStopJobRun", json, [](Reader& root) {
    BatchStopJobRunResult result;
    root.Objects("SuccessfulSubmissions", [&](Reader& r) {
      StoppedJobRun stopped;
      r.String("JobName", stopped.job_name);
      r.String("JobRunId", stopped.job_run_id);
      result.successful_submissions.push_back(std::move(stopped));
    });
    root.Objects("Errors", [&](Reader& r) {
      JobRunStopError error;
      r.String("JobName", error.job_name);
      r.String("JobRunId", error.job_run_id);
      Reader detail = r.Child("ErrorDetail");
      detail.String("ErrorCode", error.error_code);
      detail.String("ErrorMessage", error.error_message);
      result.errors.push_back(std::move(error));
    });
    return result;
  });
}

Result<GlueConnection> ParseGetConnectionResponse(std::string_view json) {
  return ParseReply<GlueConnection>("GetConnection", json, [](Reader& root) {
    return ReadWrapped<GlueConnection>(root, "Connection", ReadConnection);
  });
}

Result<Session> GlueClient::GetSession(const std::string& id) {
  GG_RETURN_IF_ERROR(RequireName("GetSession", "the session id", id));
  Json body = Json::object();
  body["Id"] = id;
  return Call(aws_, "GetSession", body, &ParseGetSessionResponse);
}

Result<SessionPage> GlueClient::ListSessions(const ListSessionsRequest& request) {
  GG_RETURN_IF_ERROR(CheckMaxResults("ListSessions", request.max_results));
  Json body = Json::object();
  if (!request.next_token.empty()) body["NextToken"] = request.next_token;
  if (request.max_results != 0) body["MaxResults"] = request.max_results;
  if (!request.tags.empty()) body["Tags"] = request.tags;
  return Call(aws_, "ListSessions", body, &ParseListSessionsResponse);
}

Status GlueClient::StopSession(const std::string& id) {
  GG_RETURN_IF_ERROR(RequireName("StopSession", "the session id", id));
  Json body = Json::object();
  body["Id"] = id;
  return Call(aws_, "StopSession", body, &ParseStopSessionResponse).status();
}

Status GlueClient::DeleteSession(const std::string& id) {
  GG_RETURN_IF_ERROR(RequireName("DeleteSession", "the session id", id));
  Json body = Json::object();
  body["Id"] = id;
  return Call(aws_, "DeleteSession", body, &ParseDeleteSessionResponse).status();
}

Result<Job> GlueClient::GetJob(const std::string& job_name) {
  GG_RETURN_IF_ERROR(RequireName("GetJob", "the job name", job_name));
  Json body = Json::object();
  body["JobName"] = job_name;
  return Call(aws_, "GetJob", body, &ParseGetJobResponse);
}

Result<std::string> GlueClient::StartJobRun(const StartJobRunRequest& request) {
  GG_RETURN_IF_ERROR(RequireName("StartJobRun", "the job name", request.job_name));
  Json body = Json::object();
  body["JobName"] = request.job_name;
  if (!request.job_run_id.empty()) body["JobRunId"] = request.job_run_id;
  if (!request.arguments.empty()) body["Arguments"] = request.arguments;
  if (request.worker_type) body["WorkerType"] = *request.worker_type;
  if (request.number_of_workers) body["NumberOfWorkers"] = *request.number_of_workers;
  if (request.timeout) body["Timeout"] = *request.timeout;
  if (request.max_capacity) body["MaxCapacity"] = *request.max_capacity;
  if (!request.security_configuration.empty()) body["SecurityConfiguration"] = request.security_configuration;
  if (!request.execution_class.empty()) body["ExecutionClass"] = request.execution_class;
  return Call(aws_, "StartJobRun", body, &ParseStartJobRunResponse);
}

Result<JobRun> GlueClient::GetJobRun(const std::string& job_name, const std::string& run_id) {
  GG_RETURN_IF_ERROR(RequireName("GetJobRun", "the job name", job_name));
  GG_RETURN_IF_ERROR(RequireName("GetJobRun", "the run id", run_id));
  Json body = Json::object();
  body["JobName"] = job_name;
  body["RunId"] = run_id;
  return Call(aws_, "GetJobRun", body, &ParseGetJobRunResponse);
}

Result<JobRunPage> GlueClient::GetJobRuns(const GetJobRunsRequest& request) {
  GG_RETURN_IF_ERROR(RequireName("GetJobRuns", "the job name", request.job_name));
  GG_RETURN_IF_ERROR(CheckMaxResults("GetJobRuns", request.max_results));
  Json body = Json::object();
  body["JobName"] = request.job_name;
  if (!request.next_token.empty()) body["NextToken"] = request.next_token;
  if (request.max_results != 0) body["MaxResults"] = request.max_results;
  return Call(aws_, "GetJobRuns", body, &ParseGetJobRunsResponse);
}

Result<BatchStopJobRunResult> GlueClient::BatchStopJobRun(const std::string& job_name,
                                                          const std::vector<std::string>& run_ids) {
  GG_RETURN_IF_ERROR(RequireName("BatchStopJobRun", "the job name", job_name));
  if (run_ids.empty()) return Status::InvalidArgument("Glue BatchStopJobRun: no job run ids");
  Json body = Json::object();
  body["JobName"] = job_name;
  body["JobRunIds"] = run_ids;
  return Call(aws_, "BatchStopJobRun", body, &ParseBatchStopJobRunResponse);
}

Result<GlueConnection> GlueClient::GetConnection(const std::string& name) {
  GG_RETURN_IF_ERROR(RequireName("GetConnection", "the connection name", name));
  Json body = Json::object();
  body["Name"] = name;
  body["HidePassword"] = true;
  return Call(aws_, "GetConnection", body, &ParseGetConnectionResponse);
}

Result<std::vector<Session>> ListAllSessions(GlueApi& glue, ListSessionsRequest request) {
  return FollowPages<Session>(
      "ListSessions", request.next_token,
      [&](const std::string& token) {
        request.next_token = token;
        return glue.ListSessions(request);
      },
      [](SessionPage& page) -> std::vector<Session>& { return page.sessions; });
}

Result<std::vector<JobRun>> GetAllJobRuns(GlueApi& glue, GetJobRunsRequest request) {
  return FollowPages<JobRun>(
      "GetJobRuns", request.next_token,
      [&](const std::string& token) {
        request.next_token = token;
        return glue.GetJobRuns(request);
      },
      [](JobRunPage& page) -> std::vector<JobRun>& { return page.job_runs; });
}

}  // namespace glueguard
