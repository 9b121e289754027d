// simcloud's Glue: sessions, jobs, job runs and connections over the simulated world, on Glue's JSON wire
// form. One file over 500 lines because every operation validates its request with the same reader and
// maps the world's state to the same reply shapes.
#include "simcloud/glue_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "base/json_limits.h"

namespace glueguard {

namespace {

// Ordered: reply members come out in the model's order.
using Json = nlohmann::ordered_json;
using StringMap = std::map<std::string, std::string>;

constexpr bool kRequired = true;
constexpr size_t kNoLimit = std::numeric_limits<size_t>::max();
constexpr int kDefaultTimeoutMinutes = 2880;  // Glue's default for Spark ETL jobs and sessions
const std::vector<std::string> kWorkerTypes = {"Standard", "G.1X", "G.2X", "G.025X", "G.4X", "G.8X", "Z.2X"};

std::string Dump(const Json& json) { return json.dump(-1, ' ', false, Json::error_handler_t::replace); }
double Epoch(Time t) { return static_cast<double>(ToUnixMillis(t)) / 1000.0; }

AwsError InvalidInput(std::string message) {
  return {400, "InvalidInputException", std::move(message), true};
}
AwsError NotFound(std::string message) { return {400, "EntityNotFoundException", std::move(message), true}; }

// The Glue error for a World status: its reason when that is one of Glue's codes, else by status code, with
// `precondition_code` for FailedPrecondition (the state error differs between sessions and job runs).
AwsError GlueError(const Status& status, std::string_view precondition_code) {
  for (const char* code : {"EntityNotFoundException", "AlreadyExistsException", "InvalidInputException",
                           "IllegalSessionStateException"}) {
    if (status.reason() == code) return {400, code, status.message(), true};
  }
  const std::map<StatusCode, std::string_view> by_code = {
      {StatusCode::kNotFound, "EntityNotFoundException"},
      {StatusCode::kAlreadyExists, "AlreadyExistsException"},
      {StatusCode::kFailedPrecondition, precondition_code},
      {StatusCode::kInvalidArgument, "InvalidInputException"}};
  auto it = by_code.find(status.code());
  if (it == by_code.end()) return {500, "InternalServiceException", status.message(), false};
  return {400, std::string(it->second), status.message(), true};
}

// Reads and checks the members of one request object. Absent and null members are nullopt; the first problem
// is kept in the shared `error` (worded as Glue's validation errors, naming the member) and every later read
// returns nullopt.
class Members {
 public:
  Members(const Json& object, std::optional<AwsError>& error, std::string path = "")
      : object_(object), error_(error), path_(std::move(path)) {}

  std::optional<std::string> String(const char* key, bool required = false, size_t min = 0,
                                    size_t max = kNoLimit) {
    const Json* v = Typed(key, required, &Json::is_string, "a string");
    if (v == nullptr || !Length(key, v->get_ref<const std::string&>().size(), min, max)) return std::nullopt;
    return v->get<std::string>();
  }

  std::optional<std::string> Enum(const char* key, const std::vector<std::string>& values) {
    std::optional<std::string> s = String(key);
    if (!s || std::find(values.begin(), values.end(), *s) != values.end()) return s;
    return Fail(key, fmt::format("'{}' ", *s),
                fmt::format("satisfy enum value set: [{}]", fmt::join(values, ", ")));
  }

  std::optional<int> Int(const char* key, bool required = false, int min = std::numeric_limits<int>::min(),
                         int max = std::numeric_limits<int>::max()) {
    const Json* v = Typed(key, required, &Json::is_number_integer, "an integer");
    if (v == nullptr) return std::nullopt;
    const double n = v->get<double>();  // exact for every int; beyond, only the comparison matters
    if (n < min)
      return Fail(key, fmt::format("'{}' ", v->dump()),
                  fmt::format("have value greater than or equal to {}", min));
    if (n > max)
      return Fail(key, fmt::format("'{}' ", v->dump()),
                  fmt::format("have value less than or equal to {}", max));
    return static_cast<int>(n);
  }

  std::optional<double> Number(const char* key) {
    const Json* v = Typed(key, false, &Json::is_number, "a number");
    return v == nullptr ? std::nullopt : std::optional<double>(v->get<double>());
  }

  void Bool(const char* key) { Typed(key, false, &Json::is_boolean, "a boolean"); }

  std::optional<StringMap> Map(const char* key) {
    const Json* v = Typed(key, false, &Json::is_object, "a map of strings");
    if (v == nullptr) return std::nullopt;
    StringMap out;
    for (auto it = v->begin(); it != v->end(); ++it) {
      if (!it->is_string()) return Mismatch(fmt::format("{}.{}", key, it.key()), *it, "a string");
      out[it.key()] = it->get<std::string>();
    }
    return out;
  }

  std::optional<std::vector<std::string>> List(const char* key, bool required, size_t min, size_t max) {
    const Json* v = Typed(key, required, &Json::is_array, "a list of strings");
    if (v == nullptr || !Length(key, v->size(), min, max)) return std::nullopt;
    std::vector<std::string> out;
    for (const Json& e : *v) {
      if (!e.is_string()) return Mismatch(fmt::format("{}[{}]", key, out.size()), e, "a string");
      out.push_back(e.get<std::string>());
    }
    return out;
  }

  // The nested structure `key`.
  std::optional<Members> Object(const char* key, bool required = false) {
    const Json* v = Typed(key, required, &Json::is_object, "a structure");
    if (v == nullptr) return std::nullopt;
    return Members(*v, error_, Path(key));
  }

  const std::optional<AwsError>& error() const { return error_; }

 private:
  // The member `key` when it is present and `is` says it has the right type; nullptr otherwise (after
  // recording the error when it is of the wrong type, or absent and required).
  const Json* Typed(std::string_view key, bool required, bool (Json::*is)() const noexcept,
                    const char* expected) {
    if (error_) return nullptr;
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) {
      if (required) Fail(key, "null ", "not be null");
      return nullptr;
    }
    if (!((*it).*is)()) {
      Mismatch(key, *it, expected);
      return nullptr;
    }
    return &*it;
  }

  bool Length(std::string_view key, size_t size, size_t min, size_t max) {
    if (size >= min && size <= max) return true;
    Fail(key, "",
         max == kNoLimit ? fmt::format("have length greater than or equal to {}", min)
                         : fmt::format("have length between {} and {}", min, max));
    return false;
  }

  // Records "1 validation error detected: Value <value>at '<path>' failed to satisfy constraint: Member must
  // <constraint>" unless an error is already recorded; nullopt for the caller to return.
  std::nullopt_t Fail(std::string_view key, std::string_view value, std::string_view constraint) {
    if (!error_) {
      error_ = InvalidInput(fmt::format(
          "1 validation error detected: Value {}at '{}' failed to satisfy constraint: Member must {}", value,
          Path(key), constraint));
    }
    return std::nullopt;
  }
  std::nullopt_t Mismatch(std::string_view key, const Json& value, std::string_view expected) {
    if (!error_) {
      error_ =
          InvalidInput(fmt::format("Invalid type at '{}': expected {}, got {}", Path(key), expected,
                                   value.is_number_float() ? "a number with a fraction" : value.type_name()));
    }
    return std::nullopt;
  }

  // The member's path as Glue names it in validation errors: lowerCamelCase, dotted.
  std::string Path(std::string_view key) const {
    std::string name(key);
    if (!name.empty()) name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
    return path_.empty() ? name : fmt::format("{}.{}", path_, name);
  }

  const Json& object_;
  std::optional<AwsError>& error_;
  std::string path_;
};

// A call's body, parsed, with its top-level members: an empty body counts as {}; one that is not a JSON
// object is the first error.
struct ParsedBody {
  explicit ParsedBody(const AwsCall& call) {
    if (call.json_body.empty()) return;
    if (Status deep = CheckJsonDepth(call.json_body, "the request body"); !deep.ok()) {
      body_error = InvalidInput(deep.message());
      return;
    }
    json = Json::parse(call.json_body.begin(), call.json_body.end(), nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) {
      body_error = InvalidInput("The request body is not valid JSON");
    } else if (!json.is_object()) {
      body_error =
          InvalidInput(fmt::format("The request body must be a JSON object, not {}", json.type_name()));
    }
  }
  Json json = Json::object();
  std::optional<AwsError> body_error;
};
class Request : private ParsedBody, public Members {
 public:
  explicit Request(const AwsCall& call) : ParsedBody(call), Members(json, body_error) {}
};

// Pagination tokens: hex of "<scope>\n<last item returned>", checked against the scope when they come back.
std::string EncodeToken(std::string_view scope, std::string_view last) {
  std::string token;
  for (const char c : fmt::format("{}\n{}", scope, last))
    token += fmt::format("{:02x}", static_cast<unsigned char>(c));
  return token;
}

// The last item of a token minted for `scope`; nullopt for anything else.
std::optional<std::string> DecodeToken(std::string_view token, std::string_view scope) {
  if (token.size() % 2 != 0) return std::nullopt;
  std::string plain;
  for (size_t i = 0; i < token.size(); i += 2) {
    int byte = 0;
    for (const char c : token.substr(i, 2)) {
      const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) return std::nullopt;
      byte = byte * 16 + digit;
    }
    plain.push_back(static_cast<char>(byte));
  }
  const std::string prefix = fmt::format("{}\n", scope);
  if (!plain.starts_with(prefix)) return std::nullopt;
  return plain.substr(prefix.size());
}

AwsError BadToken() {
  return InvalidInput("Invalid NextToken: it was not handed out by this operation for this request");
}

double DpusPerWorker(std::string_view worker_type) {
  if (worker_type == "G.025X") return 0.25;
  if (worker_type == "G.2X" || worker_type == "Z.2X") return 2;
  if (worker_type == "G.4X") return 4;
  if (worker_type == "G.8X") return 8;
  return 1;  // Standard, G.1X
}

Json ConnectionsJson(const std::vector<std::string>& names) { return Json{{"Connections", names}}; }

Json SessionJson(const SimSession& s) {
  Json j = Json::object();
  j["Id"] = s.id;
  j["CreatedOn"] = Epoch(s.created_on);
  j["Status"] = SessionStateName(s.status);
  if (!s.error_message.empty()) j["ErrorMessage"] = s.error_message;
  if (!s.description.empty()) j["Description"] = s.description;
  j["Role"] = s.role;
  j["Command"] = Json{{"Name", s.command_name}, {"PythonVersion", s.python_version}};
  j["DefaultArguments"] = s.default_arguments;
  j["Connections"] = ConnectionsJson(s.connections);
  j["Progress"] = 0.0;
  j["MaxCapacity"] = s.workers * DpusPerWorker(s.worker_type);
  if (!s.security_configuration.empty()) j["SecurityConfiguration"] = s.security_configuration;
  j["GlueVersion"] = s.glue_version;
  j["NumberOfWorkers"] = s.workers;
  j["WorkerType"] = s.worker_type;
  j["IdleTimeout"] = s.idle_timeout_minutes.value_or(s.timeout_minutes.value_or(kDefaultTimeoutMinutes));
  if (s.completed_on) j["CompletedOn"] = Epoch(*s.completed_on);
  return j;
}

Json JobRunJson(const SimJobRun& run, const SimJob& job, Time now) {
  Json j = Json::object();
  j["Id"] = run.id;
  j["Attempt"] = run.attempt;
  j["JobName"] = run.job_name;
  j["StartedOn"] = Epoch(run.started_on);
  j["LastModifiedOn"] = Epoch(run.last_modified_on);
  if (run.completed_on) j["CompletedOn"] = Epoch(*run.completed_on);
  j["JobRunState"] = RunStateName(run.state);
  j["Arguments"] = run.arguments;
  if (!run.error_message.empty()) j["ErrorMessage"] = run.error_message;
  j["PredecessorRuns"] = Json::array();
  const Duration ran = run.exhaustion_failure ? Duration{0} : run.completed_on.value_or(now) - run.started_on;
  j["ExecutionTime"] = std::chrono::duration_cast<std::chrono::seconds>(ran).count();
  j["Timeout"] = kDefaultTimeoutMinutes;
  j["MaxCapacity"] = run.workers * DpusPerWorker(run.worker_type);
  j["WorkerType"] = run.worker_type;
  j["NumberOfWorkers"] = run.workers;
  j["LogGroupName"] = "/aws-glue/jobs";
  j["GlueVersion"] = job.glue_version;
  j["ExecutionClass"] = "STANDARD";
  return j;
}

// The CreateSession body a Glue Studio notebook sends for a session the workload created.
Json NotebookRequest(const SimSession& s, const std::string& owner) {
  Json j = Json::object();
  j["Id"] = s.id;
  if (!s.description.empty()) j["Description"] = s.description;
  j["Role"] = s.role;
  j["Command"] = Json{{"Name", s.command_name}, {"PythonVersion", s.python_version}};
  if (s.timeout_minutes) j["Timeout"] = *s.timeout_minutes;
  if (s.idle_timeout_minutes) j["IdleTimeout"] = *s.idle_timeout_minutes;
  if (!s.default_arguments.empty()) j["DefaultArguments"] = s.default_arguments;
  if (!s.connections.empty()) j["Connections"] = ConnectionsJson(s.connections);
  j["NumberOfWorkers"] = s.workers;
  j["WorkerType"] = s.worker_type;
  j["GlueVersion"] = s.glue_version;
  StringMap tags = s.tags;
  tags.emplace("owner", owner);
  j["Tags"] = tags;
  j["RequestOrigin"] = "GlueStudioNotebook";
  return j;
}

}  // namespace

GlueService::GlueService(SimWorld& sim, CloudTrailEmitter& cloudtrail, GlueServiceOptions options)
    : sim_(sim), cloudtrail_(cloudtrail), options_(std::move(options)) {
  sim_.OnSessionCreated(
      [this](World& world, const SimSession& session) { RecordWorkloadSession(world, session); });
}

const std::map<std::string, GlueService::Op, std::less<>>& GlueService::Operations() {
  static const std::map<std::string, Op, std::less<>> kOps = {
      {"CreateSession", &GlueService::CreateSession}, {"GetSession", &GlueService::GetSession},
      {"ListSessions", &GlueService::ListSessions},   {"StopSession", &GlueService::StopSession},
      {"DeleteSession", &GlueService::DeleteSession}, {"GetJob", &GlueService::GetJob},
      {"StartJobRun", &GlueService::StartJobRun},     {"GetJobRun", &GlueService::GetJobRun},
      {"GetJobRuns", &GlueService::GetJobRuns},       {"BatchStopJobRun", &GlueService::BatchStopJobRun},
      {"GetConnection", &GlueService::GetConnection}};
  return kOps;
}

bool GlueService::Handles(std::string_view operation) const { return Operations().contains(operation); }

ServerResponse GlueService::Handle(const AwsCall& call) {
  auto it = Operations().find(call.operation);
  if (it == Operations().end()) return ErrorResponse(call, UnknownOperationError(call));
  return (this->*(it->second))(call);
}

// ------------------------------------------------------------------------------------------------ sessions

ServerResponse GlueService::CreateSession(const AwsCall& call) {
  Request in(call);
  CreateSessionInput input;
  input.id = in.String("Id", kRequired, 1, 255).value_or("");
  input.description = in.String("Description", false, 0, 2048).value_or("");
  input.role = in.String("Role", kRequired, 20, 2048).value_or("");
  if (std::optional<Members> command = in.Object("Command", kRequired)) {
    input.command_name = command->String("Name", false, 0, 255).value_or("glueetl");
    input.python_version = command->String("PythonVersion").value_or("3");
  }
  input.timeout_minutes = in.Int("Timeout", false, 1);
  input.idle_timeout_minutes = in.Int("IdleTimeout", false, 1);
  input.default_arguments = in.Map("DefaultArguments").value_or(StringMap{});
  if (std::optional<Members> connections = in.Object("Connections")) {
    input.connections = connections->List("Connections", false, 0, 1000).value_or(std::vector<std::string>{});
  }
  in.Number("MaxCapacity");  // accepted; capacity comes from the workers
  input.workers = in.Int("NumberOfWorkers", false, 1);
  input.worker_type = in.Enum("WorkerType", kWorkerTypes);
  input.security_configuration = in.String("SecurityConfiguration", false, 1, 255).value_or("");
  input.glue_version = in.String("GlueVersion", false, 1, 255);
  input.tags = in.Map("Tags").value_or(StringMap{});
  in.String("RequestOrigin", false, 1, 128);
  if (in.error()) return ErrorResponse(call, *in.error());
  input.created_by = call.caller.principal_arn;

  std::string reply;
  Time created_on{};
  std::string account;
  std::string region;
  std::optional<AwsError> failed = sim_.With([&](World& world) -> std::optional<AwsError> {
    Result<const SimSession*> session = world.CreateSession(input);
    if (!session.ok()) return GlueError(session.status(), "IllegalSessionStateException");
    reply = Dump(Json{{"Session", SessionJson(**session)}});
    created_on = (*session)->created_on;
    account = world.workload().account_id;
    region = world.workload().region;
    return std::nullopt;
  });
  if (failed) return ErrorResponse(call, *failed);

  CreateSessionRecord record;
  record.request_json = call.json_body;
  record.response_json = reply;
  record.identity = IamUserIdentity(call.caller);
  record.account_id = call.caller.account_id.empty() ? account : call.caller.account_id;
  record.region = call.caller.region.empty() ? region : call.caller.region;
  record.event_time = created_on;
  record.request_id = call.request_id;
  record.source_ip_address = options_.source_ip_address;
  record.user_agent = options_.user_agent;
  // Cannot fail: both bodies are objects and the reply has a Session. Delivery problems are the emitter's.
  (void)cloudtrail_.Emit(record);
  return JsonResponse(call, std::move(reply));
}

void GlueService::RecordWorkloadSession(World& world, const SimSession& session) {
  const std::string engineer = DataEngineerFor(session.id);
  CreateSessionRecord record;
  record.request_json = Dump(NotebookRequest(session, engineer + "@example.com"));
  record.response_json = Dump(Json{{"Session", SessionJson(session)}});
  record.account_id = world.workload().account_id;
  record.identity =
      DataEngineerIdentity(record.account_id, engineer, session.created_on - std::chrono::minutes(30));
  record.region = world.workload().region;
  record.event_time = world.now();
  record.source_ip_address = options_.source_ip_address;
  record.user_agent = "GlueStudioNotebook/1.0 (interactive sessions kernel)";
  (void)cloudtrail_.Emit(record);  // request_id left empty: the emitter draws one
}

ServerResponse GlueService::GetSession(const AwsCall& call) {
  Request in(call);
  const std::string id = in.String("Id", kRequired, 1, 255).value_or("");
  in.String("RequestOrigin", false, 1, 128);
  if (in.error()) return ErrorResponse(call, *in.error());
  return sim_.With([&](World& world) {
    const SimSession* session = world.FindSession(id);
    if (session == nullptr) return ErrorResponse(call, NotFound(fmt::format("Session {} not found", id)));
    return JsonResponse(call, Dump(Json{{"Session", SessionJson(*session)}}));
  });
}

ServerResponse GlueService::ListSessions(const AwsCall& call) {
  Request in(call);
  const std::optional<std::string> token = in.String("NextToken", false, 0, 400000);
  const int max_results = in.Int("MaxResults", false, 1, 1000).value_or(options_.default_page_size);
  const StringMap tags = in.Map("Tags").value_or(StringMap{});
  in.String("RequestOrigin", false, 1, 128);
  if (in.error()) return ErrorResponse(call, *in.error());
  std::optional<std::string> after;
  if (token && !token->empty()) {
    after = DecodeToken(*token, "sessions");
    if (!after) return ErrorResponse(call, BadToken());
  }
  return sim_.With([&](World& world) {
    Json ids = Json::array();
    Json sessions = Json::array();
    std::string last;
    bool more = false;
    for (const SimSession* s : world.Sessions()) {  // by id: a stable order that survives deletions
      if (after && s->id <= *after) continue;
      const bool tagged = std::all_of(tags.begin(), tags.end(), [&](const auto& tag) {
        auto it = s->tags.find(tag.first);
        return it != s->tags.end() && it->second == tag.second;
      });
      if (!tagged) continue;
      if (static_cast<int>(ids.size()) == max_results) {
        more = true;
        break;
      }
      ids.push_back(s->id);
      sessions.push_back(SessionJson(*s));
      last = s->id;
    }
    Json reply{{"Ids", std::move(ids)}, {"Sessions", std::move(sessions)}};
    if (more) reply["NextToken"] = EncodeToken("sessions", last);
    return JsonResponse(call, Dump(reply));
  });
}

ServerResponse GlueService::StopSession(const AwsCall& call) {
  Request in(call);
  const std::string id = in.String("Id", kRequired, 1, 255).value_or("");
  in.String("RequestOrigin", false, 1, 128);
  if (in.error()) return ErrorResponse(call, *in.error());
  const Status stopped = sim_.With([&](World& world) { return world.StopSession(id); });
  if (!stopped.ok()) return ErrorResponse(call, GlueError(stopped, "IllegalSessionStateException"));
  return JsonResponse(call, Dump(Json{{"Id", id}}));
}

ServerResponse GlueService::DeleteSession(const AwsCall& call) {
  Request in(call);
  const std::string id = in.String("Id", kRequired, 1, 255).value_or("");
  in.String("RequestOrigin", false, 1, 128);
  if (in.error()) return ErrorResponse(call, *in.error());
  const Status deleted = sim_.With([&](World& world) { return world.DeleteSession(id); });
  if (!deleted.ok()) return ErrorResponse(call, GlueError(deleted, "IllegalSessionStateException"));
  return JsonResponse(call, Dump(Json{{"Id", id}}));
}

// ------------------------------------------------------------------------------------------ jobs and runs

ServerResponse GlueService::GetJob(const AwsCall& call) {
  Request in(call);
  const std::string name = in.String("JobName", kRequired, 1, 255).value_or("");
  if (in.error()) return ErrorResponse(call, *in.error());
  return sim_.With([&](World& world) {
    auto it = world.jobs().find(name);
    if (it == world.jobs().end()) return ErrorResponse(call, NotFound(fmt::format("Job {} not found", name)));
    const SimJob& job = it->second;
    const Workload& w = world.workload();
    Json j = Json::object();
    j["Name"] = job.name;
    j["Role"] = job.role;
    j["CreatedOn"] = Epoch(job.created_on);
    j["LastModifiedOn"] = Epoch(job.created_on);
    j["Command"] = Json{{"Name", "glueetl"},
                        {"ScriptLocation", fmt::format("s3://aws-glue-assets-{}-{}/scripts/{}.py",
                                                       w.account_id, w.region, job.name)},
                        {"PythonVersion", "3"}};
    j["Connections"] = ConnectionsJson(job.connection.empty() ? std::vector<std::string>{}
                                                              : std::vector<std::string>{job.connection});
    j["MaxRetries"] = 0;
    j["Timeout"] = kDefaultTimeoutMinutes;
    j["MaxCapacity"] = job.workers * DpusPerWorker(job.worker_type);
    j["WorkerType"] = job.worker_type;
    j["NumberOfWorkers"] = job.workers;
    j["GlueVersion"] = job.glue_version;
    j["ExecutionClass"] = "STANDARD";
    return JsonResponse(call, Dump(Json{{"Job", std::move(j)}}));
  });
}

ServerResponse GlueService::StartJobRun(const AwsCall& call) {
  Request in(call);
  StartRunInput input;
  input.job_name = in.String("JobName", kRequired, 1, 255).value_or("");
  in.String("JobRunId", false, 1, 255);
  input.arguments = in.Map("Arguments").value_or(StringMap{});
  in.Int("AllocatedCapacity");
  in.Int("Timeout", false, 1);
  in.Number("MaxCapacity");
  in.String("SecurityConfiguration", false, 1, 255);
  if (std::optional<Members> notify = in.Object("NotificationProperty"))
    notify->Int("NotifyDelayAfter", false, 1);
  input.worker_type = in.Enum("WorkerType", kWorkerTypes);
  input.workers = in.Int("NumberOfWorkers", false, 1);
  in.Enum("ExecutionClass", {"FLEX", "STANDARD"});
  in.Bool("JobRunQueuingEnabled");
  if (in.error()) return ErrorResponse(call, *in.error());
  Result<std::string> id = sim_.With([&](World& world) { return world.StartJobRun(input); });
  if (!id.ok()) return ErrorResponse(call, GlueError(id.status(), "InvalidInputException"));
  return JsonResponse(call, Dump(Json{{"JobRunId", *id}}));
}

ServerResponse GlueService::GetJobRun(const AwsCall& call) {
  Request in(call);
  const std::string job_name = in.String("JobName", kRequired, 1, 255).value_or("");
  const std::string run_id = in.String("RunId", kRequired, 1, 255).value_or("");
  in.Bool("PredecessorsIncluded");
  if (in.error()) return ErrorResponse(call, *in.error());
  return sim_.With([&](World& world) {
    auto job = world.jobs().find(job_name);
    const SimJobRun* run = world.FindRun(run_id);
    if (job == world.jobs().end() || run == nullptr || run->job_name != job_name) {
      return ErrorResponse(call, NotFound(fmt::format("Job run {} of job {} not found", run_id, job_name)));
    }
    return JsonResponse(call, Dump(Json{{"JobRun", JobRunJson(*run, job->second, world.now())}}));
  });
}

ServerResponse GlueService::GetJobRuns(const AwsCall& call) {
  Request in(call);
  const std::string job_name = in.String("JobName", kRequired, 1, 255).value_or("");
  const std::optional<std::string> token = in.String("NextToken");
  const int max_results = in.Int("MaxResults", false, 1, 1000).value_or(options_.default_page_size);
  if (in.error()) return ErrorResponse(call, *in.error());
  const std::string scope = "runs:" + job_name;
  std::optional<std::string> after;
  if (token && !token->empty()) {
    after = DecodeToken(*token, scope);
    if (!after) return ErrorResponse(call, BadToken());
  }
  return sim_.With([&](World& world) {
    Result<std::vector<const SimJobRun*>> runs =
        world.JobRuns(job_name);  // newest first; runs are never removed
    if (!runs.ok()) return ErrorResponse(call, GlueError(runs.status(), "InvalidInputException"));
    auto begin = runs->begin();
    if (after) {
      begin = std::find_if(runs->begin(), runs->end(), [&](const SimJobRun* r) { return r->id == *after; });
      if (begin == runs->end()) return ErrorResponse(call, BadToken());
      ++begin;
    }
    const SimJob& job = world.jobs().at(job_name);
    Json page = Json::array();
    for (auto it = begin; it != runs->end() && static_cast<int>(page.size()) < max_results; ++it) {
      page.push_back(JobRunJson(**it, job, world.now()));
    }
    Json reply{{"JobRuns", page}};
    const auto end = begin + static_cast<std::ptrdiff_t>(page.size());
    if (end != runs->end()) reply["NextToken"] = EncodeToken(scope, (*(end - 1))->id);
    return JsonResponse(call, Dump(reply));
  });
}

ServerResponse GlueService::BatchStopJobRun(const AwsCall& call) {
  Request in(call);
  const std::string job_name = in.String("JobName", kRequired, 1, 255).value_or("");
  const std::vector<std::string> run_ids =
      in.List("JobRunIds", kRequired, 1, 25).value_or(std::vector<std::string>{});
  if (in.error()) return ErrorResponse(call, *in.error());
  Json stopped = Json::array();
  Json errors = Json::array();
  sim_.With([&](World& world) {
    for (const std::string& id : run_ids) {
      const Status s = world.StopJobRun(job_name, id);
      if (s.ok()) {
        stopped.push_back(Json{{"JobName", job_name}, {"JobRunId", id}});
        continue;
      }
      const AwsError e = GlueError(s, "InvalidInputException");
      errors.push_back(Json{{"JobName", job_name},
                            {"JobRunId", id},
                            {"ErrorDetail", Json{{"ErrorCode", e.code}, {"ErrorMessage", e.message}}}});
    }
  });
  return JsonResponse(
      call, Dump(Json{{"SuccessfulSubmissions", std::move(stopped)}, {"Errors", std::move(errors)}}));
}

// ------------------------------------------------------------------------------------------- connections

ServerResponse GlueService::GetConnection(const AwsCall& call) {
  Request in(call);
  const std::string name = in.String("Name", kRequired, 1, 255).value_or("");
  in.String("CatalogId", false, 1, 255);
  in.Bool("HidePassword");
  in.Bool("ApplyOverrideForComputeEnvironment");
  if (in.error()) return ErrorResponse(call, *in.error());
  return sim_.With([&](World& world) {
    auto it = world.connections().find(name);
    if (it == world.connections().end()) {
      return ErrorResponse(call, NotFound(fmt::format("Connection {} not found", name)));
    }
    const SimConnection& c = it->second;
    const double created = Epoch(world.workload().start);
    Json j = Json::object();
    j["Name"] = c.name;
    j["ConnectionType"] = "NETWORK";
    j["ConnectionProperties"] = Json::object();
    j["PhysicalConnectionRequirements"] = Json{{"SubnetId", c.subnet_id},
                                               {"SecurityGroupIdList", c.security_groups},
                                               {"AvailabilityZone", c.availability_zone}};
    j["CreationTime"] = created;
    j["LastUpdatedTime"] = created;
    return JsonResponse(call, Dump(Json{{"Connection", std::move(j)}}));
  });
}

}  // namespace glueguard
