// Glue: the operations glueguard needs on interactive sessions, jobs, job runs and connections. GlueApi is
// the seam (the simulator and test fakes implement it); GlueClient calls Glue (JSON 1.1) through AwsClient.
// The reply parsers are public free functions so fuzz targets and the simulator can reach them without HTTP.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace glueguard {

class AwsClient;

using GlueStringMap = std::map<std::string, std::string>;

// An interactive session (GetSession, ListSessions). Enums are kept as sent: Glue adds values over time.
// Timestamps arrive as epoch seconds, possibly fractional, and are kept to the millisecond.
struct Session {
  std::string id;
  std::string status;          // PROVISIONING | READY | FAILED | TIMEOUT | STOPPING | STOPPED | ...
  std::string role;            // the IAM role ARN
  std::string command_name;    // Command.Name: "glueetl", "gluestreaming"
  std::string python_version;  // Command.PythonVersion
  Time created_on{};           // the epoch when Glue did not say
  std::optional<Time> completed_on;
  std::vector<std::string> connections;  // Connections.Connections[]: connection names
  GlueStringMap default_arguments;
  std::optional<double> max_capacity;  // DPUs
  std::optional<int> number_of_workers;
  std::optional<std::string> worker_type;  // Standard | G.1X | G.2X | G.025X | G.4X | G.8X | Z.2X | ...
  std::optional<int> idle_timeout;         // minutes; only in newer Glue replies
  std::optional<double> progress;
  std::optional<double> execution_time;  // seconds
  std::optional<double> dpu_seconds;
  std::string glue_version;  // "4.0"
  std::string error_message;
  std::string description;
  std::string security_configuration;
  std::string profile_name;
};

// Every request member has an initialiser, so designated initialisers ({.job_name = "J"}) compile cleanly
// under -Wextra (GCC 12 -Wmissing-field-initializers).
struct ListSessionsRequest {
  std::string next_token{};  // empty on the first page
  int max_results = 0;       // 0 = not sent (Glue's default); else 1..1000
  GlueStringMap tags{};      // only sessions carrying all of these tags
};

struct SessionPage {
  std::vector<std::string> ids;  // Ids, as Glue sent them
  std::vector<Session> sessions;
  std::string next_token;  // empty on the last page
};

// A job definition (GetJob).
struct Job {
  std::string name;
  std::string description;
  std::string role;
  std::string command_name;  // "glueetl", "pythonshell", "gluestreaming", ...
  std::string script_location;
  std::string python_version;
  Time created_on{};
  Time last_modified_on{};
  GlueStringMap default_arguments;
  std::vector<std::string> connections;  // Connections.Connections[]
  std::optional<int> max_retries;
  std::optional<int> timeout;          // minutes
  std::optional<double> max_capacity;  // DPUs
  std::optional<std::string> worker_type;
  std::optional<int> number_of_workers;
  std::string glue_version;
  std::string security_configuration;
  std::string execution_class;  // FLEX | STANDARD | empty
};

// One run of a job (GetJobRun, GetJobRuns).
struct JobRun {
  std::string id;  // "jr_..."
  std::string job_name;
  std::string
      job_run_state;  // STARTING | RUNNING | STOPPING | STOPPED | SUCCEEDED | FAILED | TIMEOUT | ERROR | ...
  std::optional<int> attempt;
  std::string previous_run_id;
  std::string trigger_name;
  Time started_on{};
  Time last_modified_on{};
  std::optional<Time> completed_on;  // absent while the run is going
  GlueStringMap arguments;
  std::string error_message;
  std::optional<int> timeout;         // minutes
  std::optional<int> execution_time;  // seconds
  std::optional<double> max_capacity;
  std::optional<std::string> worker_type;
  std::optional<int> number_of_workers;
  std::optional<double> dpu_seconds;
  std::string glue_version;
  std::string execution_class;
  std::string security_configuration;
  std::string log_group_name;
};

struct StartJobRunRequest {
  std::string job_name{};     // required
  std::string job_run_id{};   // empty = not sent; set to retry a previous run
  GlueStringMap arguments{};  // "--key" -> value; replaces the job's defaults key by key
  std::optional<std::string> worker_type{};
  std::optional<int> number_of_workers{};
  std::optional<int> timeout{};          // minutes
  std::optional<double> max_capacity{};  // DPUs; not together with worker_type
  std::string security_configuration{};  // empty = not sent
  std::string execution_class{};         // FLEX | STANDARD; empty = not sent
};

struct GetJobRunsRequest {
  std::string job_name{};    // required
  std::string next_token{};  // empty on the first page
  int max_results = 0;       // 0 = not sent; else 1..1000
};

struct JobRunPage {
  std::vector<JobRun> job_runs;
  std::string next_token;  // empty on the last page
};

// BatchStopJobRun's answer: which runs Glue agreed to stop and which it refused, with why.
struct StoppedJobRun {
  std::string job_name;
  std::string job_run_id;
};
struct JobRunStopError {
  std::string job_name;
  std::string job_run_id;
  std::string error_code;  // ErrorDetail.ErrorCode, e.g. "EntityNotFoundException"
  std::string error_message;
};
struct BatchStopJobRunResult {
  std::vector<StoppedJobRun> successful_submissions;
  std::vector<JobRunStopError> errors;
};

// A Glue connection (GetConnection, asked with HidePassword=true). The PhysicalConnectionRequirements members
// are flattened: they say where Glue puts the ENIs of a job or session that uses the connection.
struct GlueConnection {
  std::string name;
  std::string description;
  std::string connection_type;  // JDBC | NETWORK | KAFKA | MONGODB | CUSTOM | ...
  GlueStringMap connection_properties;
  std::string subnet_id;                        // PhysicalConnectionRequirements.SubnetId
  std::vector<std::string> security_group_ids;  // PhysicalConnectionRequirements.SecurityGroupIdList
  std::string availability_zone;                // PhysicalConnectionRequirements.AvailabilityZone
  Time creation_time{};
  Time last_updated_time{};
};

// Errors from every method are AwsClient's: the AWS error code is reason() (EntityNotFoundException ->
// NotFound, IllegalSessionStateException and ConcurrentModificationException -> FailedPrecondition,
// AccessDeniedException -> PermissionDenied, ThrottlingException -> Unavailable after the retries), Internal
// for a reply that cannot be read, and InvalidArgument, without a call, for a request missing a required name
// or with max_results out of 1..1000. Implementations are thread-safe.
class GlueApi {
 public:
  virtual ~GlueApi() = default;

  virtual Result<Session> GetSession(const std::string& id) = 0;
  // One page of sessions.
  virtual Result<SessionPage> ListSessions(const ListSessionsRequest& request) = 0;
  // Asks Glue to stop a session; it goes through STOPPING to STOPPED. A session that cannot be stopped in its
  // state is FailedPrecondition (IllegalSessionStateException).
  virtual Status StopSession(const std::string& id) = 0;
  virtual Status DeleteSession(const std::string& id) = 0;
  virtual Result<Job> GetJob(const std::string& job_name) = 0;
  // Starts a run and returns its id ("jr_...").
  virtual Result<std::string> StartJobRun(const StartJobRunRequest& request) = 0;
  virtual Result<JobRun> GetJobRun(const std::string& job_name, const std::string& run_id) = 0;
  // One page of a job's runs, newest first.
  virtual Result<JobRunPage> GetJobRuns(const GetJobRunsRequest& request) = 0;
  // Asks Glue to stop runs of one job. Ok even when Glue refused some: those are in errors.
  virtual Result<BatchStopJobRunResult> BatchStopJobRun(const std::string& job_name,
                                                        const std::vector<std::string>& run_ids) = 0;
  virtual Result<GlueConnection> GetConnection(const std::string& name) = 0;
};

// GlueApi over the Glue JSON 1.1 protocol. Thread-safe when the AwsClient is.
class GlueClient final : public GlueApi {
 public:
  // `aws` must outlive the client.
  explicit GlueClient(AwsClient& aws) : aws_(aws) {}

  Result<Session> GetSession(const std::string& id) override;
  Result<SessionPage> ListSessions(const ListSessionsRequest& request) override;
  Status StopSession(const std::string& id) override;
  Status DeleteSession(const std::string& id) override;
  Result<Job> GetJob(const std::string& job_name) override;
  Result<std::string> StartJobRun(const StartJobRunRequest& request) override;
  Result<JobRun> GetJobRun(const std::string& job_name, const std::string& run_id) override;
  Result<JobRunPage> GetJobRuns(const GetJobRunsRequest& request) override;
  Result<BatchStopJobRunResult> BatchStopJobRun(const std::string& job_name,
                                                const std::vector<std::string>& run_ids) override;
  Result<GlueConnection> GetConnection(const std::string& name) override;

 private:
  AwsClient& aws_;
};

// Every session matching `request`, following NextToken from request.next_token until a page comes back
// without one. Errors: the first failing page's error; Internal when Glue hands back a token it has already
// given.
Result<std::vector<Session>> ListAllSessions(GlueApi& glue, ListSessionsRequest request);
// Every run of request.job_name, newest first, across pages; errors as ListAllSessions.
Result<std::vector<JobRun>> GetAllJobRuns(GlueApi& glue, GetJobRunsRequest request);

// Reply parsers: `json` is the body of a 2xx reply. Internal, with a message naming the field and what is
// wrong, for JSON that is malformed or truncated, a reply that is not an object, a missing required member
// (the Session/Job/JobRun/Connection wrapper and its Id or Name, StartJobRun's JobRunId), or a member of the
// wrong type. Absent optional members are fine; unknown members are ignored. Never throws.
Result<Session> ParseGetSessionResponse(std::string_view json);
Result<SessionPage> ParseListSessionsResponse(std::string_view json);
// StopSession and DeleteSession reply {"Id": ...}; the id, empty when Glue left it out.
Result<std::string> ParseStopSessionResponse(std::string_view json);
Result<std::string> ParseDeleteSessionResponse(std::string_view json);
Result<Job> ParseGetJobResponse(std::string_view json);
// The JobRunId.
Result<std::string> ParseStartJobRunResponse(std::string_view json);
Result<JobRun> ParseGetJobRunResponse(std::string_view json);
Result<JobRunPage> ParseGetJobRunsResponse(std::string_view json);
Result<BatchStopJobRunResult> ParseBatchStopJobRunResponse(std::string_view json);
Result<GlueConnection> ParseGetConnectionResponse(std::string_view json);

}  // namespace glueguard
