#include "aws/glue.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "aws/aws_client.h"
#include "net/fake_transport.h"
#include "testing/fake_aws.h"

namespace glueguard {
namespace {

// A GetSession reply as Glue sends it (newer model: NumberOfWorkers, WorkerType, IdleTimeout present).
constexpr const char* kSessionReply =
    R"({"Session":{"Id":"sess-1","CreatedOn":1700000000.123,"Status":"READY",
  "Role":"arn:aws:iam::123456789012:role/GlueRole","Command":{"Name":"glueetl","PythonVersion":"3"},
  "DefaultArguments":{"--enable-glue-datacatalog":"true"},"Connections":{"Connections":["my-conn","other"]},
  "Progress":0.0,"MaxCapacity":5.0,"NumberOfWorkers":5,"WorkerType":"G.1X","IdleTimeout":30,
  "GlueVersion":"4.0","Description":"notebook","SomethingNew":{"x":[1,2]}}})";

// Glue's JSON error shape: a bare __type.
class GlueClientTest : public testing::JsonClientTest<GlueClient> {
 protected:
  GlueClientTest() : JsonClientTest("", "application/x-amz-json-1.1", "req-42") {}
  GlueClient& glue_ = client_;
};

TEST_F(GlueClientTest, GetSessionSendsIdWithGlueTargetAndParsesTheSession) {
  transport_.Push(200, kSessionReply);
  Result<Session> s = glue_.GetSession("sess-1");
  ASSERT_TRUE(s.ok()) << s.status().ToString();

  const HttpRequest sent = Sent(0);
  EXPECT_EQ(Target(sent), "AWSGlue.GetSession");
  EXPECT_EQ(*FindHeader(sent.headers, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_NE(FindHeader(sent.headers, "Authorization")->find("/us-east-1/glue/aws4_request"),
            std::string::npos);
  EXPECT_EQ(sent.url, "http://127.0.0.1:1/");
  EXPECT_EQ(sent.body, R"({"Id":"sess-1"})");

  EXPECT_EQ(s->id, "sess-1");
  EXPECT_EQ(s->status, "READY");
  EXPECT_EQ(s->role, "arn:aws:iam::123456789012:role/GlueRole");
  EXPECT_EQ(s->command_name, "glueetl");
  EXPECT_EQ(s->python_version, "3");
  EXPECT_EQ(ToUnixMillis(s->created_on), 1'700'000'000'123);
  EXPECT_FALSE(s->completed_on.has_value());
  EXPECT_EQ(s->connections, (std::vector<std::string>{"my-conn", "other"}));
  EXPECT_EQ(s->default_arguments.at("--enable-glue-datacatalog"), "true");
  EXPECT_EQ(s->max_capacity, 5.0);
  EXPECT_EQ(s->number_of_workers, 5);
  EXPECT_EQ(s->worker_type, "G.1X");
  EXPECT_EQ(s->idle_timeout, 30);
  EXPECT_EQ(s->progress, 0.0);
  EXPECT_EQ(s->glue_version, "4.0");
  EXPECT_EQ(s->description, "notebook");
}

TEST_F(GlueClientTest, GetSessionFromOlderModelLeavesNewerMembersUnset) {
  transport_.Push(200, R"({"Session":{"Id":"s","Status":"PROVISIONING","CreatedOn":1700000000}})");
  Result<Session> s = glue_.GetSession("s");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->status, "PROVISIONING");
  EXPECT_EQ(ToUnixMillis(s->created_on), 1'700'000'000'000);
  EXPECT_FALSE(s->number_of_workers.has_value());
  EXPECT_FALSE(s->worker_type.has_value());
  EXPECT_FALSE(s->idle_timeout.has_value());
  EXPECT_FALSE(s->max_capacity.has_value());
  EXPECT_TRUE(s->connections.empty());
}

TEST_F(GlueClientTest, GetSessionKeepsAnUnknownStatusAsSent) {
  transport_.Push(200, R"({"Session":{"Id":"s","Status":"HIBERNATING","WorkerType":"Z.9X"}})");
  Result<Session> s = glue_.GetSession("s");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->status, "HIBERNATING");
  EXPECT_EQ(s->worker_type, "Z.9X");
}

TEST_F(GlueClientTest, EntityNotFoundIsNotFoundWithReasonAndRequestId) {
  PushError(400, "com.amazonaws.glue#EntityNotFoundException", "Session sess-9 not found");
  Result<Session> s = glue_.GetSession("sess-9");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(s.status().reason(), "EntityNotFoundException");
  EXPECT_NE(s.status().message().find("Session sess-9 not found"), std::string::npos);
  EXPECT_NE(s.status().message().find("req-42"), std::string::npos);
  EXPECT_EQ(transport_.requests().size(), 1u);  // a client error is not retried
}

TEST_F(GlueClientTest, ThrottlingIsRetriedWithoutSleepingOnTheWallClockThenSucceeds) {
  PushError(400, "ThrottlingException", "Rate exceeded");
  transport_.Push(200, kSessionReply);
  Result<Session> s = glue_.GetSession("sess-1");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(sleeper_.waits().size(), 1u);
  EXPECT_EQ(Sent(1).body, R"({"Id":"sess-1"})");
}

TEST_F(GlueClientTest, ThrottlingOnEveryAttemptIsUnavailable) {
  for (int i = 0; i < 3; ++i) PushError(400, "ThrottlingException", "Rate exceeded");
  Result<Session> s = glue_.GetSession("sess-1");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.status().reason(), "ThrottlingException");
  EXPECT_EQ(transport_.requests().size(), 3u);
}

TEST_F(GlueClientTest, EmptyIdsAndOutOfRangeMaxResultsAreRefusedWithoutACall) {
  EXPECT_EQ(glue_.GetSession("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(glue_.StopSession("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(glue_.GetJobRun("job", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(glue_.BatchStopJobRun("job", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(glue_.ListSessions({.max_results = 1001}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(glue_.GetJobRuns({.job_name = "job", .max_results = -1}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(GlueClientTest, ListSessionsWithoutArgumentsSendsAnEmptyObject) {
  transport_.Push(200, R"({"Ids":[],"Sessions":[]})");
  Result<SessionPage> page = glue_.ListSessions({});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(Target(Sent(0)), "AWSGlue.ListSessions");
  EXPECT_EQ(Sent(0).body, "{}");
  EXPECT_TRUE(page->sessions.empty());
  EXPECT_TRUE(page->next_token.empty());
}

TEST_F(GlueClientTest, ListSessionsSendsTokenLimitAndTagsAndParsesThePage) {
  transport_.Push(200,
                  R"({"Ids":["a","b"],"Sessions":[{"Id":"a","Status":"READY"},{"Id":"b","Status":"STOPPED"}],
                           "NextToken":"tok-2"})");
  Result<SessionPage> page =
      glue_.ListSessions({.next_token = "tok-1", .max_results = 2, .tags = {{"team", "x"}}});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(Sent(0).body, R"({"MaxResults":2,"NextToken":"tok-1","Tags":{"team":"x"}})");
  EXPECT_EQ(page->ids, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(page->sessions.size(), 2u);
  EXPECT_EQ(page->sessions[1].status, "STOPPED");
  EXPECT_EQ(page->next_token, "tok-2");
}

TEST_F(GlueClientTest, ListAllSessionsFollowsNextTokenAcrossTwoPages) {
  transport_.Push(200, R"({"Ids":["a"],"Sessions":[{"Id":"a"}],"NextToken":"t2"})");
  transport_.Push(200, R"({"Ids":["b"],"Sessions":[{"Id":"b"}]})");
  Result<std::vector<Session>> all = ListAllSessions(glue_, {.max_results = 1});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "a");
  EXPECT_EQ((*all)[1].id, "b");
  ASSERT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(Sent(0).body, R"({"MaxResults":1})");
  EXPECT_EQ(Sent(1).body, R"({"MaxResults":1,"NextToken":"t2"})");
}

TEST_F(GlueClientTest, ListAllSessionsStopsWhenATokenRepeats) {
  transport_.set_handler([](const HttpRequest&) -> Result<HttpResponse> {
    return HttpResponse{200, {}, R"({"Sessions":[{"Id":"a"}],"NextToken":"same"})"};
  });
  Result<std::vector<Session>> all = ListAllSessions(glue_, {});
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), StatusCode::kInternal);
  EXPECT_NE(all.status().message().find("NextToken repeated"), std::string::npos);
  EXPECT_EQ(transport_.requests().size(), 2u);
}

TEST_F(GlueClientTest, ListAllSessionsReturnsTheErrorOfAFailingPage) {
  transport_.Push(200, R"({"Sessions":[{"Id":"a"}],"NextToken":"t2"})");
  PushError(400, "AccessDeniedException", "no");
  Result<std::vector<Session>> all = ListAllSessions(glue_, {});
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(all.status().reason(), "AccessDeniedException");
}

TEST_F(GlueClientTest, StopSessionSendsIdAndAnIllegalStateIsFailedPrecondition) {
  transport_.Push(200, R"({"Id":"sess-1"})");
  EXPECT_TRUE(glue_.StopSession("sess-1").ok());
  EXPECT_EQ(Target(Sent(0)), "AWSGlue.StopSession");
  EXPECT_EQ(Sent(0).body, R"({"Id":"sess-1"})");

  PushError(400, "IllegalSessionStateException", "Session is not in a stoppable state");
  const Status s = glue_.StopSession("sess-1");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.reason(), "IllegalSessionStateException");
}

TEST_F(GlueClientTest, DeleteSessionSendsIdAndRejectsAnUnreadableReply) {
  transport_.Push(200, R"({"Id":"sess-1"})");
  EXPECT_TRUE(glue_.DeleteSession("sess-1").ok());
  EXPECT_EQ(Target(Sent(0)), "AWSGlue.DeleteSession");
  EXPECT_EQ(Sent(0).body, R"({"Id":"sess-1"})");

  transport_.Push(200, R"({"Id":)");
  EXPECT_EQ(glue_.DeleteSession("sess-1").code(), StatusCode::kInternal);
}

TEST_F(GlueClientTest, GetJobSendsJobNameAndParsesTheJob) {
  transport_.Push(200, R"({"Job":{"Name":"etl","Role":"arn:aws:iam::1:role/R","WorkerType":"G.2X",
    "NumberOfWorkers":10,"GlueVersion":"4.0","Connections":{"Connections":["vpc-conn"]},"Timeout":2880,
    "Command":{"Name":"glueetl","ScriptLocation":"s3://b/k.py","PythonVersion":"3"},"MaxRetries":0,
    "CreatedOn":1700000000.5,"LastModifiedOn":1700000100,"ExecutionClass":"STANDARD"}})");
  Result<Job> job = glue_.GetJob("etl");
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(Target(Sent(0)), "AWSGlue.GetJob");
  EXPECT_EQ(Sent(0).body, R"({"JobName":"etl"})");
  EXPECT_EQ(job->name, "etl");
  EXPECT_EQ(job->role, "arn:aws:iam::1:role/R");
  EXPECT_EQ(job->worker_type, "G.2X");
  EXPECT_EQ(job->number_of_workers, 10);
  EXPECT_FALSE(job->max_capacity.has_value());
  EXPECT_EQ(job->glue_version, "4.0");
  EXPECT_EQ(job->connections, std::vector<std::string>{"vpc-conn"});
  EXPECT_EQ(job->timeout, 2880);
  EXPECT_EQ(job->script_location, "s3://b/k.py");
  EXPECT_EQ(job->max_retries, 0);
  EXPECT_EQ(ToUnixMillis(job->created_on), 1'700'000'000'500);
  EXPECT_EQ(job->execution_class, "STANDARD");
}

TEST_F(GlueClientTest, GetJobOfAMissingJobIsNotFound) {
  PushError(400, "EntityNotFoundException", "Job etl not found");
  Result<Job> job = glue_.GetJob("etl");
  EXPECT_EQ(job.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(job.status().reason(), "EntityNotFoundException");
}

TEST_F(GlueClientTest, StartJobRunSendsArgumentsAndCapacityAndReturnsTheRunId) {
  transport_.Push(200, R"({"JobRunId":"jr_abc"})");
  StartJobRunRequest request;
  request.job_name = "J";
  request.arguments = {{"--k", "v"}};
  request.worker_type = "G.1X";
  request.number_of_workers = 2;
  request.timeout = 60;
  Result<std::string> id = glue_.StartJobRun(request);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "jr_abc");
  EXPECT_EQ(Target(Sent(0)), "AWSGlue.StartJobRun");
  EXPECT_EQ(
      Sent(0).body,
      R"({"Arguments":{"--k":"v"},"JobName":"J","NumberOfWorkers":2,"Timeout":60,"WorkerType":"G.1X"})");
}

TEST_F(GlueClientTest, StartJobRunWithoutJobRunIdInTheReplyIsInternal) {
  transport_.Push(200, "{}");
  Result<std::string> id = glue_.StartJobRun({.job_name = "J"});
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kInternal);
  EXPECT_NE(id.status().message().find("JobRunId: missing"), std::string::npos);
  EXPECT_EQ(Sent(0).body, R"({"JobName":"J"})");
}

TEST_F(GlueClientTest, StartJobRunOverTheConcurrencyLimitKeepsTheReason) {
  PushError(400, "ConcurrentRunsExceededException", "Concurrent runs exceeded for J");
  Result<std::string> id = glue_.StartJobRun({.job_name = "J"});
  EXPECT_EQ(id.status().reason(), "ConcurrentRunsExceededException");
  EXPECT_EQ(id.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(GlueClientTest, GetJobRunSendsJobNameAndRunIdAndParsesARunningRun) {
  transport_.Push(200, R"({"JobRun":{"Id":"jr_1","Attempt":0,"JobName":"J","StartedOn":1700000000.25,
    "LastModifiedOn":1700000060,"JobRunState":"RUNNING","Arguments":{"--k":"v"},"Timeout":2880,
    "MaxCapacity":2.0,"WorkerType":"G.1X","NumberOfWorkers":2,"GlueVersion":"4.0","ExecutionTime":0}})");
  Result<JobRun> run = glue_.GetJobRun("J", "jr_1");
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(Target(Sent(0)), "AWSGlue.GetJobRun");
  EXPECT_EQ(Sent(0).body, R"({"JobName":"J","RunId":"jr_1"})");
  EXPECT_EQ(run->id, "jr_1");
  EXPECT_EQ(run->job_name, "J");
  EXPECT_EQ(run->job_run_state, "RUNNING");
  EXPECT_EQ(ToUnixMillis(run->started_on), 1'700'000'000'250);
  EXPECT_EQ(ToUnixMillis(run->last_modified_on), 1'700'000'060'000);
  EXPECT_FALSE(run->completed_on.has_value());
  EXPECT_EQ(run->arguments.at("--k"), "v");
  EXPECT_EQ(run->number_of_workers, 2);
  EXPECT_EQ(run->worker_type, "G.1X");
  EXPECT_EQ(run->max_capacity, 2.0);
  EXPECT_EQ(run->attempt, 0);
}

TEST_F(GlueClientTest, GetJobRunParsesAFailedRunWithCompletedOnAndErrorMessage) {
  transport_.Push(200, R"({"JobRun":{"Id":"jr_1","JobRunState":"FAILED","CompletedOn":1700000500.999,
    "ErrorMessage":"Subnet has no free IP addresses"}})");
  Result<JobRun> run = glue_.GetJobRun("J", "jr_1");
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ASSERT_TRUE(run->completed_on.has_value());
  EXPECT_EQ(ToUnixMillis(*run->completed_on), 1'700'000'500'999);
  EXPECT_EQ(run->error_message, "Subnet has no free IP addresses");
}

TEST_F(GlueClientTest, GetAllJobRunsFollowsNextTokenAcrossTwoPages) {
  transport_.Push(200,
                  R"({"JobRuns":[{"Id":"jr_3","JobRunState":"RUNNING"},{"Id":"jr_2"}],"NextToken":"n2"})");
  transport_.Push(200, R"({"JobRuns":[{"Id":"jr_1","JobRunState":"SUCCEEDED"}],"NextToken":""})");
  Result<std::vector<JobRun>> runs = GetAllJobRuns(glue_, {.job_name = "J", .max_results = 2});
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[2].job_run_state, "SUCCEEDED");
  EXPECT_EQ(Target(Sent(0)), "AWSGlue.GetJobRuns");
  EXPECT_EQ(Sent(0).body, R"({"JobName":"J","MaxResults":2})");
  EXPECT_EQ(Sent(1).body, R"({"JobName":"J","MaxResults":2,"NextToken":"n2"})");
}

TEST_F(GlueClientTest, BatchStopJobRunSendsIdsAndSplitsSubmissionsFromErrors) {
  transport_.Push(200, R"({"SuccessfulSubmissions":[{"JobName":"J","JobRunId":"jr_1"}],
    "Errors":[{"JobName":"J","JobRunId":"jr_2","ErrorDetail":{"ErrorCode":"EntityNotFoundException",
    "ErrorMessage":"no such run"}}]})");
  Result<BatchStopJobRunResult> r = glue_.BatchStopJobRun("J", {"jr_1", "jr_2"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Target(Sent(0)), "AWSGlue.BatchStopJobRun");
  EXPECT_EQ(Sent(0).body, R"({"JobName":"J","JobRunIds":["jr_1","jr_2"]})");
  ASSERT_EQ(r->successful_submissions.size(), 1u);
  EXPECT_EQ(r->successful_submissions[0].job_run_id, "jr_1");
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].job_run_id, "jr_2");
  EXPECT_EQ(r->errors[0].error_code, "EntityNotFoundException");
  EXPECT_EQ(r->errors[0].error_message, "no such run");
}

TEST_F(GlueClientTest, GetConnectionHidesThePasswordAndParsesPhysicalRequirements) {
  transport_.Push(200, R"({"Connection":{"Name":"my-conn","ConnectionType":"NETWORK",
    "ConnectionProperties":{},"PhysicalConnectionRequirements":{"SubnetId":"subnet-1",
    "SecurityGroupIdList":["sg-1","sg-2"],"AvailabilityZone":"us-east-1a"},"CreationTime":1700000000}})");
  Result<GlueConnection> c = glue_.GetConnection("my-conn");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(Target(Sent(0)), "AWSGlue.GetConnection");
  EXPECT_EQ(Sent(0).body, R"({"HidePassword":true,"Name":"my-conn"})");
  EXPECT_EQ(c->name, "my-conn");
  EXPECT_EQ(c->connection_type, "NETWORK");
  EXPECT_EQ(c->subnet_id, "subnet-1");
  EXPECT_EQ(c->security_group_ids, (std::vector<std::string>{"sg-1", "sg-2"}));
  EXPECT_EQ(c->availability_zone, "us-east-1a");
  EXPECT_EQ(ToUnixMillis(c->creation_time), 1'700'000'000'000);
}

TEST_F(GlueClientTest, AMalformedSuccessReplyIsInternalAndNotRetried) {
  transport_.Push(200, "<html>gateway</html>");
  Result<Session> s = glue_.GetSession("sess-1");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInternal);
  EXPECT_NE(s.status().message().find("Glue GetSession reply: not valid JSON"), std::string::npos);
  EXPECT_EQ(transport_.requests().size(), 1u);
}

// --- Parsers on their own ---

struct BadReply {
  const char* body;
  const char* message;  // a piece of the expected error message
};

TEST(GlueParseTest, WronglyTypedOrMissingMembersNameThePath) {
  const BadReply cases[] = {
      {R"({})", "Session: missing"},
      {R"({"Session":[]})", "Session: expected an object, got array"},
      {R"({"Session":{"Status":"READY"}})", "Session.Id: missing"},
      {R"({"Session":{"Id":7}})", "Session.Id: expected a string, got number"},
      {R"({"Session":{"Id":"s","CreatedOn":true}})", "Session.CreatedOn: expected a number (epoch seconds)"},
      {R"({"Session":{"Id":"s","CreatedOn":"soon"}})", "Session.CreatedOn: expected epoch seconds or an RFC"},
      {R"({"Session":{"Id":"s","CreatedOn":1e300}})", "Session.CreatedOn: epoch seconds out of range"},
      {R"({"Session":{"Id":"s","NumberOfWorkers":"2"}})",
       "Session.NumberOfWorkers: expected a 32-bit integer"},
      {R"({"Session":{"Id":"s","NumberOfWorkers":2.5}})",
       "Session.NumberOfWorkers: expected a 32-bit integer"},
      {R"({"Session":{"Id":"s","IdleTimeout":99999999999}})",
       "Session.IdleTimeout: expected a 32-bit integer"},
      {R"({"Session":{"Id":"s","MaxCapacity":"5"}})", "Session.MaxCapacity: expected a number, got string"},
      {R"({"Session":{"Id":"s","Command":"glueetl"}})", "Session.Command: expected an object, got string"},
      {R"({"Session":{"Id":"s","Connections":{"Connections":["a",3]}}})",
       "Session.Connections.Connections[1]: expected a string, got number"},
      {R"({"Session":{"Id":"s","Connections":{"Connections":"a"}}})",
       "Session.Connections.Connections: expected a list, got string"},
      {R"({"Session":{"Id":"s","DefaultArguments":{"--k":1}}})",
       "Session.DefaultArguments.--k: expected a string"},
      {R"([1,2])", "expected a JSON object, got array"},
      {R"("Session")", "expected a JSON object, got string"},
      {"", "not valid JSON"},
      {R"({"Session":{"Id":"s"})", "not valid JSON"},
  };
  for (const BadReply& c : cases) {
    Result<Session> s = ParseGetSessionResponse(c.body);
    ASSERT_FALSE(s.ok()) << c.body;
    EXPECT_EQ(s.status().code(), StatusCode::kInternal) << c.body;
    EXPECT_NE(s.status().message().find(c.message), std::string::npos)
        << c.body << " -> " << s.status().message();
    EXPECT_EQ(s.status().message().rfind("Glue GetSession reply: ", 0), 0u) << s.status().message();
  }
}

TEST(GlueParseTest, ListRepliesWithWrongShapesNameTheElement) {
  EXPECT_NE(
      ParseListSessionsResponse(R"({"Sessions":{}})").status().message().find("Sessions: expected a list"),
      std::string::npos);
  EXPECT_NE(ParseListSessionsResponse(R"({"Sessions":[{"Id":"a"},"b"]})")
                .status()
                .message()
                .find("Sessions[1]: expected an object, got string"),
            std::string::npos);
  EXPECT_NE(ParseListSessionsResponse(R"({"Sessions":[{"Id":"a"},{"Status":"READY"}]})")
                .status()
                .message()
                .find("Sessions[1].Id: missing"),
            std::string::npos);
  EXPECT_NE(ParseGetJobRunsResponse(R"({"JobRuns":[{"Id":"a","CompletedOn":[]}]})")
                .status()
                .message()
                .find("JobRuns[0].CompletedOn"),
            std::string::npos);
  EXPECT_NE(ParseBatchStopJobRunResponse(R"({"Errors":[{"ErrorDetail":{"ErrorCode":1}}]})")
                .status()
                .message()
                .find("Errors[0].ErrorDetail.ErrorCode: expected a string"),
            std::string::npos);
  EXPECT_NE(ParseGetConnectionResponse(R"({"Connection":{"Name":"c","PhysicalConnectionRequirements":
      {"SecurityGroupIdList":"sg-1"}}})")
                .status()
                .message()
                .find("Connection.PhysicalConnectionRequirements.SecurityGroupIdList: expected a list"),
            std::string::npos);
  EXPECT_FALSE(ParseListSessionsResponse(R"({"NextToken":5})").ok());
  EXPECT_FALSE(ParseGetJobResponse(R"({"Job":{"Name":"j","Timeout":"60"}})").ok());
}

TEST(GlueParseTest, EveryTruncationOfAValidReplyIsAnErrorWithAMessage) {
  const std::string full = kSessionReply;
  ASSERT_TRUE(ParseGetSessionResponse(full).ok());
  for (size_t n = 0; n < full.size(); ++n) {
    Result<Session> s = ParseGetSessionResponse(std::string_view(full).substr(0, n));
    ASSERT_FALSE(s.ok()) << n;
    EXPECT_FALSE(s.status().message().empty());
  }
}

TEST(GlueParseTest, NullMembersAreTreatedAsAbsent) {
  Result<Session> s = ParseGetSessionResponse(
      R"({"Session":{"Id":"s","WorkerType":null,"CreatedOn":null,"Connections":null}})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->worker_type.has_value());
  EXPECT_EQ(s->created_on, Time{});
}

TEST(GlueParseTest, TimestampsAlsoAcceptRfc3339TextAndRoundToTheMillisecond) {
  Result<JobRun> run = ParseGetJobRunResponse(
      R"({"JobRun":{"Id":"jr","StartedOn":"2026-11-23T07:03:00.250Z","LastModifiedOn":1700000000.0004}})");
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(FormatTime(run->started_on), "2026-11-23T07:03:00.250Z");
  EXPECT_EQ(ToUnixMillis(run->last_modified_on), 1'700'000'000'000);
}

TEST(GlueParseTest, StopAndDeleteRepliesGiveTheId) {
  EXPECT_EQ(*ParseStopSessionResponse(R"({"Id":"s1"})"), "s1");
  EXPECT_EQ(*ParseDeleteSessionResponse("{}"), "");
  EXPECT_FALSE(ParseStopSessionResponse(R"({"Id":["s1"]})").ok());
}

}  // namespace
}  // namespace glueguard
