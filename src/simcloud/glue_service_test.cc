// One file over 500 lines: every Glue operation simcloud serves is checked here through the same front and
// client set-up, so the operations' shared state (sessions, job runs, paging tokens) is tested as one.
// GlueService through the repo's own Glue client and the whole simcloud front (SigV4 verification included),
// over a transport that hands each request to Front::Serve, plus one test over real HTTP; raw JSON bodies for
// the error cases. The simulated world follows a FakeClock at speed 1, so a test moves Glue's world by
// advancing the clock.
#include "simcloud/glue_service.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "aws/aws_client.h"
#include "net/curl_transport.h"
#include "net/fake_transport.h"
#include "aws/glue.h"
#include "aws/service.h"
#include "net/url.h"
#include "base/env.h"
#include "simcloud/front.h"

namespace glueguard {
namespace {

using nlohmann::json;
using std::chrono::minutes;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

// A /27 (27 usable IPs, 2 taken by other services), one category pinned to it, one job; fixed delays so
// every transition time is known: provisioning 1m, runs 30m.
Workload TestWorkload(double stuck_stopping_rate = 0, double sessions_per_day = 0) {
  Result<Workload> w = ParseWorkload(fmt::format(R"(
start: 2026-11-23T00:00:00Z
enis:
  provision_delay: 1m
  detach_delay: 30s
  cleanup_tail: 20m
  day_factor: 1
  stuck_stopping_rate: {}
subnets:
  - {{id: subnet-a, cidr: 10.0.0.0/27, other_enis: 2}}
categories:
  - {{name: batch, subnet: subnet-a}}
jobs:
  - {{name: etl, category: batch, schedule: "0 7 * * *", workers: 10, duration: 30m}}
sessions:
  - {{name: notebook, category: batch, per_day: {}, workers: 2, active: 10m}}
)",
                                                 stuck_stopping_rate, sessions_per_day),
                                     "test.yaml");
  EXPECT_TRUE(w.ok()) << w.status().message();
  return *w;
}

SimWorldOptions WorldOptions(bool run_arrivals) {
  SimWorldOptions options;
  options.speed = 1;
  options.run_arrivals = run_arrivals;
  options.days = 2;
  return options;
}

// The request as the front receives it.
Result<HttpResponse> Deliver(Front& front, const HttpRequest& request) {
  Result<Url> url = ParseUrl(request.url);
  if (!url.ok()) return url.status();
  const ServerResponse r =
      front.Serve(ServerRequest{request.method, url->path, url->query, FormDecode(url->query),
                                request.headers, request.body, "127.0.0.1"});
  HttpHeaders headers = r.headers;
  if (!r.content_type.empty()) headers.push_back({"Content-Type", r.content_type});
  return HttpResponse{r.status, headers, r.body};
}

class GlueServiceTest : public ::testing::Test {
 protected:
  explicit GlueServiceTest(Workload workload = TestWorkload(), bool run_arrivals = false)
      : workload_(std::move(workload)), sim_(workload_, clock_, WorldOptions(run_arrivals)) {
    Result<std::unique_ptr<CloudTrailEmitter>> emitter =
        CloudTrailEmitter::Create(sqs_, post_transport_, random_, CloudTrailEmitterOptions{});
    EXPECT_TRUE(emitter.ok()) << emitter.status().ToString();
    cloudtrail_ = std::move(*emitter);
    glue_ = std::make_unique<GlueService>(sim_, *cloudtrail_);
    EXPECT_TRUE(front_.Register("glue", *glue_).ok());
    transport_.set_handler([this](const HttpRequest& r) { return Deliver(front_, r); });
    environment_ = std::make_unique<AwsEnvironment>(*AwsEnvironment::FromConfig(
        FixedEnv({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", "http://127.0.0.1:4566"}}),
        SharedConfig{}));
    aws_ = std::make_unique<AwsClient>(transport_, credentials_, *environment_, clock_, client_random_,
                                       sleeper_);
    client_ = std::make_unique<GlueClient>(*aws_);
  }

  // A call straight to the service, as the front hands it over after verifying the signature.
  ServerResponse Raw(std::string operation, std::string body) {
    AwsCall call;
    call.service = "glue";
    call.protocol = WireProtocol::kJson;
    call.operation = std::move(operation);
    call.json_body = std::move(body);
    call.request_id = "rid";
    call.caller =
        Caller{"AKIDEXAMPLE", "123456789012", "arn:aws:iam::123456789012:user/simcloud", "us-east-1"};
    return glue_->Handle(call);
  }

  // CreateSession through the signed client (GlueClient has no CreateSession: glueguard never creates one).
  Result<AwsResponse> Create(const json& body) {
    return aws_->Json(kGlueService, "CreateSession", body.dump());
  }
  Result<AwsResponse> CreateSimple(const std::string& id,
                                   const std::map<std::string, std::string>& tags = {}) {
    json body = {
        {"Id", id}, {"Role", "arn:aws:iam::123456789012:role/GlueRole"}, {"Command", {{"Name", "glueetl"}}}};
    if (!tags.empty()) body["Tags"] = tags;
    return Create(body);
  }

  StartJobRunRequest RunOf(int workers) {
    StartJobRunRequest request;
    request.job_name = "etl";
    request.number_of_workers = workers;
    return request;
  }

  Workload workload_;
  FakeClock clock_;
  FakeSleeper sleeper_{clock_};
  SeededRandom random_{1};
  SimWorld sim_;
  SqsService sqs_{clock_, random_};
  FakeTransport post_transport_;
  std::unique_ptr<CloudTrailEmitter> cloudtrail_;
  std::unique_ptr<GlueService> glue_;
  Front front_{FrontOptions{}, clock_, random_, sleeper_};

  FakeTransport transport_;
  StaticCredentialsProvider credentials_{Credentials{"AKIDEXAMPLE", kSecret, "", {}, "test"}};
  SeededRandom client_random_{2};
  std::unique_ptr<AwsEnvironment> environment_;
  std::unique_ptr<AwsClient> aws_;
  std::unique_ptr<GlueClient> client_;
};

TEST_F(GlueServiceTest, CreateSessionAnswersTheSessionAndGetSessionFollowsItToReady) {
  // aws-protocol-facts §2.3's sample body, on the workload's connection.
  Result<AwsResponse> created =
      Create(json::parse(R"({"Id": "sess-1", "Role": "arn:aws:iam::123456789012:role/GlueRole",
      "Command": {"Name": "glueetl", "PythonVersion": "3"}, "Timeout": 60, "IdleTimeout": 30,
      "DefaultArguments": {"--enable-glue-datacatalog": "true"}, "Connections": {"Connections": ["batch-connection"]},
      "NumberOfWorkers": 2, "WorkerType": "G.1X", "GlueVersion": "4.0", "Tags": {"k": "v"}, "RequestOrigin": "origin"})"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const json reply = json::parse(created->body);
  const json& s = reply.at("Session");
  EXPECT_EQ(s.at("Id"), "sess-1");
  EXPECT_EQ(s.at("Status"), "PROVISIONING");
  EXPECT_EQ(s.at("CreatedOn").get<double>(), static_cast<double>(ToUnixMillis(workload_.start)) / 1000);
  EXPECT_EQ(s.at("Command"), json({{"Name", "glueetl"}, {"PythonVersion", "3"}}));
  EXPECT_EQ(s.at("Connections"), json({{"Connections", {"batch-connection"}}}));
  EXPECT_EQ(s.at("DefaultArguments"), json({{"--enable-glue-datacatalog", "true"}}));
  EXPECT_EQ(s.at("MaxCapacity"), 2.0);
  EXPECT_EQ(s.at("IdleTimeout"), 30);
  EXPECT_FALSE(s.contains("Timeout"));  // Session has no Timeout member
  EXPECT_FALSE(s.contains("CompletedOn"));

  Result<Session> got = client_->GetSession("sess-1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->status, "PROVISIONING");
  EXPECT_EQ(got->role, "arn:aws:iam::123456789012:role/GlueRole");
  EXPECT_EQ(got->number_of_workers, 2);
  EXPECT_EQ(got->worker_type, "G.1X");
  EXPECT_EQ(got->glue_version, "4.0");
  EXPECT_EQ(got->progress, 0.0);
  clock_.Advance(minutes(1));
  EXPECT_EQ(client_->GetSession("sess-1")->status, "READY");

  // Recorded in CloudTrail under the call's request id.
  ASSERT_EQ(cloudtrail_->stats().delivered_to_queue, 1);
  const json event = json::parse(cloudtrail_->Recent().at(0).event_json);
  EXPECT_EQ(event.at("detail").at("requestID"), created->request_id);
  EXPECT_EQ(event.at("detail").at("userIdentity").at("arn"), "arn:aws:iam::123456789012:user/simcloud");
  EXPECT_EQ(event.at("detail").at("requestParameters").at("idleTimeout"), 30);
}

TEST_F(GlueServiceTest, CreateSessionErrorsComeFromTheWorldAndEmitNothing) {
  ASSERT_TRUE(CreateSimple("s").ok());
  Result<AwsResponse> again = CreateSimple("s");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().reason(), "AlreadyExistsException");
  json unknown_connection = {{"Id", "t"},
                             {"Role", "arn:aws:iam::123456789012:role/GlueRole"},
                             {"Command", {{"Name", "glueetl"}}},
                             {"Connections", {{"Connections", {"nope"}}}}};
  Result<AwsResponse> missing = Create(unknown_connection);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().reason(), "EntityNotFoundException");
  EXPECT_EQ(cloudtrail_->stats().emitted, 1);
}

TEST_F(GlueServiceTest, ListSessionsPagesThroughEverySessionInAStableOrder) {
  std::vector<std::string> ids;
  for (int i = 6; i >= 0; --i) {  // created out of order: pages follow the ids
    ids.push_back(fmt::format("s{}", i));
    ASSERT_TRUE(CreateSimple(ids.back(), {{"team", i % 2 == 0 ? "even" : "odd"}}).ok());
  }
  std::sort(ids.begin(), ids.end());
  ListSessionsRequest request;
  request.max_results = 3;
  std::vector<std::string> seen;
  std::vector<size_t> page_sizes;
  while (true) {
    Result<SessionPage> page = client_->ListSessions(request);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    page_sizes.push_back(page->sessions.size());
    EXPECT_EQ(page->ids.size(), page->sessions.size());
    for (const Session& s : page->sessions) seen.push_back(s.id);
    if (page->next_token.empty()) break;
    request.next_token = page->next_token;
  }
  EXPECT_EQ(page_sizes, (std::vector<size_t>{3, 3, 1}));
  EXPECT_EQ(seen, ids);

  ListSessionsRequest odd;
  odd.tags = {{"team", "odd"}};
  Result<std::vector<Session>> tagged = ListAllSessions(*client_, odd);
  ASSERT_TRUE(tagged.ok());
  std::vector<std::string> tagged_ids;
  for (const Session& s : *tagged) tagged_ids.push_back(s.id);
  EXPECT_EQ(tagged_ids, (std::vector<std::string>{"s1", "s3", "s5"}));
}

TEST_F(GlueServiceTest, StopSessionGoesThroughStoppingAndDeleteSessionForgetsIt) {
  ASSERT_TRUE(CreateSimple("s").ok());
  clock_.Advance(minutes(1));
  ASSERT_TRUE(client_->StopSession("s").ok());
  EXPECT_EQ(client_->GetSession("s")->status, "STOPPING");
  clock_.Advance(minutes(1));
  Result<Session> stopped = client_->GetSession("s");
  EXPECT_EQ(stopped->status, "STOPPED");
  EXPECT_TRUE(stopped->completed_on.has_value());
  Status again = client_->StopSession("s");
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.reason(), "IllegalSessionStateException");

  EXPECT_EQ(json::parse(Raw("DeleteSession", R"({"Id":"s"})").body), json({{"Id", "s"}}));
  EXPECT_EQ(client_->GetSession("s").status().reason(), "EntityNotFoundException");
  EXPECT_EQ(client_->DeleteSession("s").reason(), "EntityNotFoundException");
  EXPECT_EQ(client_->StopSession("s").reason(), "EntityNotFoundException");
}

TEST_F(GlueServiceTest, GetJobDescribesTheWorkloadsJob) {
  Result<Job> job = client_->GetJob("etl");
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  EXPECT_EQ(job->name, "etl");
  EXPECT_EQ(job->role, "arn:aws:iam::123456789012:role/GlueJobRole");
  EXPECT_EQ(job->command_name, "glueetl");
  EXPECT_EQ(job->script_location, "s3://aws-glue-assets-123456789012-us-east-1/scripts/etl.py");
  EXPECT_EQ(job->python_version, "3");
  EXPECT_EQ(job->created_on, workload_.start);
  EXPECT_EQ(job->connections, (std::vector<std::string>{"batch-connection"}));
  EXPECT_EQ(job->worker_type, "G.1X");
  EXPECT_EQ(job->number_of_workers, 10);
  EXPECT_EQ(job->glue_version, "4.0");
  EXPECT_EQ(job->max_retries, 0);
  EXPECT_EQ(job->timeout, 2880);
  EXPECT_EQ(client_->GetJob("nope").status().reason(), "EntityNotFoundException");
}

TEST_F(GlueServiceTest, JobRunGoesFromStartingThroughRunningToSucceededAsTheClockMoves) {
  StartJobRunRequest request = RunOf(2);
  request.arguments = {{"--day", "2026-11-23"}};
  request.worker_type = "G.2X";
  Result<std::string> id = client_->StartJobRun(request);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_TRUE(id->starts_with("jr_"));

  Result<JobRun> run = client_->GetJobRun("etl", *id);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->job_run_state, "STARTING");
  EXPECT_EQ(run->started_on, workload_.start);
  EXPECT_FALSE(run->completed_on.has_value());
  EXPECT_EQ(run->arguments, request.arguments);
  EXPECT_EQ(run->number_of_workers, 2);
  EXPECT_EQ(run->worker_type, "G.2X");
  EXPECT_EQ(run->glue_version, "4.0");
  EXPECT_EQ(run->timeout, 2880);

  clock_.Advance(minutes(1));
  EXPECT_EQ(client_->GetJobRun("etl", *id)->job_run_state, "RUNNING");
  clock_.Advance(minutes(30));
  run = client_->GetJobRun("etl", *id);
  EXPECT_EQ(run->job_run_state, "SUCCEEDED");
  EXPECT_EQ(run->completed_on, workload_.start + minutes(31));
  EXPECT_EQ(run->execution_time, 31 * 60);
  EXPECT_TRUE(run->error_message.empty());
}

TEST_F(GlueServiceTest, RunFailsWithTheSubnetExhaustionErrorWhenTheSubnetIsFull) {
  Result<std::string> big = client_->StartJobRun(RunOf(20));
  Result<std::string> late = client_->StartJobRun(RunOf(10));  // 25 free IPs: the second does not fit
  ASSERT_TRUE(big.ok() && late.ok());
  clock_.Advance(minutes(2));
  EXPECT_EQ(client_->GetJobRun("etl", *big)->job_run_state, "RUNNING");
  Result<JobRun> failed = client_->GetJobRun("etl", *late);
  EXPECT_EQ(failed->job_run_state, "FAILED");
  EXPECT_EQ(failed->error_message, kSubnetExhaustedMessage);
  EXPECT_EQ(failed->execution_time, 0);
}

TEST_F(GlueServiceTest, GetJobRunsPagesNewestFirst) {
  std::vector<std::string> started;
  for (int i = 0; i < 5; ++i) {
    started.insert(started.begin(), *client_->StartJobRun(RunOf(1)));
    clock_.Advance(std::chrono::seconds(1));
  }
  GetJobRunsRequest request;
  request.job_name = "etl";
  request.max_results = 2;
  Result<JobRunPage> first = client_->GetJobRuns(request);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->job_runs.size(), 2u);
  EXPECT_FALSE(first->next_token.empty());
  Result<std::vector<JobRun>> all = GetAllJobRuns(*client_, request);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> ids;
  for (const JobRun& r : *all) ids.push_back(r.id);
  EXPECT_EQ(ids, started);
  request.job_name = "nope";
  EXPECT_EQ(client_->GetJobRuns(request).status().reason(), "EntityNotFoundException");
}

class GlueServiceStuckRunTest : public GlueServiceTest {
 protected:
  GlueServiceStuckRunTest() : GlueServiceTest(TestWorkload(/*stuck_stopping_rate=*/1)) {}
};

TEST_F(GlueServiceStuckRunTest, BatchStopJobRunTwiceForcesAStuckRun) {
  const std::string id = *client_->StartJobRun(RunOf(2));
  clock_.Advance(minutes(2));
  Result<BatchStopJobRunResult> first = client_->BatchStopJobRun("etl", {id, "jr_nope"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->successful_submissions.size(), 1u);
  EXPECT_EQ(first->successful_submissions[0].job_run_id, id);
  ASSERT_EQ(first->errors.size(), 1u);
  EXPECT_EQ(first->errors[0].job_run_id, "jr_nope");
  EXPECT_EQ(first->errors[0].error_code, "EntityNotFoundException");

  clock_.Advance(minutes(10));
  EXPECT_EQ(client_->GetJobRun("etl", id)->job_run_state, "STOPPING");  // stuck
  ASSERT_EQ(client_->BatchStopJobRun("etl", {id})->successful_submissions.size(), 1u);
  EXPECT_EQ(client_->GetJobRun("etl", id)->job_run_state, "STOPPED");

  Result<BatchStopJobRunResult> finished = client_->BatchStopJobRun("etl", {id});
  ASSERT_EQ(finished->errors.size(), 1u);
  EXPECT_EQ(finished->errors[0].error_code, "InvalidInputException");
  EXPECT_NE(finished->errors[0].error_message.find("already finished"), std::string::npos);
}

TEST_F(GlueServiceTest, GetConnectionDescribesWhereTheEnisGo) {
  Result<GlueConnection> c = client_->GetConnection("batch-connection");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->connection_type, "NETWORK");
  EXPECT_EQ(c->subnet_id, "subnet-a");
  EXPECT_EQ(c->security_group_ids, (std::vector<std::string>{"sg-0simbatch"}));
  EXPECT_EQ(c->availability_zone, "us-east-1a");
  EXPECT_TRUE(c->connection_properties.empty());
  EXPECT_EQ(c->creation_time, workload_.start);
  EXPECT_EQ(client_->GetConnection("nope").status().reason(), "EntityNotFoundException");
}

TEST_F(GlueServiceTest, UnknownEntitiesAreEntityNotFoundInGluesErrorShape) {
  const ServerResponse r = Raw("GetSession", R"({"Id":"nope"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/x-amz-json-1.1");
  EXPECT_EQ(r.body, R"({"__type":"EntityNotFoundException","message":"Session nope not found"})");
  for (const auto& [op, body] :
       std::vector<std::pair<std::string, std::string>>{{"GetJobRun", R"({"JobName":"etl","RunId":"jr_x"})"},
                                                        {"GetJobRun", R"({"JobName":"nope","RunId":"jr_x"})"},
                                                        {"StartJobRun", R"({"JobName":"nope"})"},
                                                        {"GetJob", R"({"JobName":"nope"})"},
                                                        {"GetConnection", R"({"Name":"nope"})"},
                                                        {"StopSession", R"({"Id":"nope"})"}}) {
    const ServerResponse e = Raw(op, body);
    EXPECT_EQ(e.status, 400) << op << " " << body;
    EXPECT_EQ(json::parse(e.body).value("__type", ""), "EntityNotFoundException") << op << " " << body;
  }
}

TEST_F(GlueServiceTest, MalformedRequestsAreInvalidInputNamingTheProblem) {
  struct Case {
    std::string operation;
    std::string body;
    std::string message_part;
  };
  const std::string token_of_another_job = [&] {
    for (int i = 0; i < 3; ++i) (void)client_->StartJobRun(RunOf(1));
    return json::parse(Raw("GetJobRuns", R"({"JobName":"etl","MaxResults":1})").body)
        .at("NextToken")
        .get<std::string>();
  }();
  const std::vector<Case> cases = {
      {"GetSession", "not json", "not valid JSON"},
      {"GetSession", "[1]", "must be a JSON object"},
      {"GetSession", "{}", "Value null at 'id'"},
      {"GetSession", R"({"Id":5})", "'id': expected a string, got number"},
      {"GetSession", R"({"Id":""})", "length between 1 and 255"},
      {"ListSessions", R"({"MaxResults":0})", "greater than or equal to 1"},
      {"ListSessions", R"({"MaxResults":1001})", "less than or equal to 1000"},
      {"ListSessions", R"({"MaxResults":"10"})", "'maxResults': expected an integer"},
      {"ListSessions", R"({"MaxResults":2.5})", "with a fraction"},
      {"ListSessions", R"({"NextToken":"zz"})", "Invalid NextToken"},
      {"ListSessions", R"({"Tags":{"k":1}})", "'tags.k': expected a string"},
      {"GetJobRuns", R"({"JobName":"other","NextToken":")" + token_of_another_job + "\"}",
       "Invalid NextToken"},
      {"CreateSession", R"({"Id":"s","Role":"arn:aws:iam::123456789012:role/R"})", "Value null at 'command'"},
      {"CreateSession", R"({"Id":"s","Role":"arn:aws:iam::123456789012:role/R","Command":"glueetl"})",
       "'command': expected a structure"},
      {"CreateSession", R"({"Id":"s","Role":"short","Command":{}})", "'role'"},
      {"CreateSession",
       R"({"Id":"s","Role":"arn:aws:iam::123456789012:role/R","Command":{},"Connections":{"Connections":[1]}})",
       "'connections.connections[0]': expected a string"},
      {"CreateSession",
       R"({"Id":"s","Role":"arn:aws:iam::123456789012:role/R","Command":{},"WorkerType":"G.3X"})",
       "enum value set"},
      {"CreateSession",
       R"({"Id":"s","Role":"arn:aws:iam::123456789012:role/R","Command":{},"NumberOfWorkers":0})",
       "'numberOfWorkers' failed"},
      {"StartJobRun", R"({"JobName":null})", "Value null at 'jobName'"},
      {"StartJobRun", R"({"JobName":"etl","Arguments":["--k"]})", "'arguments': expected a map"},
      {"GetJobRun", R"({"JobName":"etl"})", "Value null at 'runId'"},
      {"BatchStopJobRun", R"({"JobName":"etl","JobRunIds":[]})", "length between 1 and 25"},
      {"GetConnection", R"({"Name":"batch-connection","HidePassword":"yes"})", "expected a boolean"},
  };
  for (const Case& c : cases) {
    const ServerResponse r = Raw(c.operation, c.body);
    EXPECT_EQ(r.status, 400) << c.operation << " " << c.body;
    const json body = json::parse(r.body);
    EXPECT_EQ(body.value("__type", ""), "InvalidInputException") << c.operation << " " << c.body;
    EXPECT_NE(body.value("message", "").find(c.message_part), std::string::npos)
        << c.operation << " " << c.body << " -> " << r.body;
  }
  EXPECT_TRUE(cloudtrail_->Recent().empty());
}

TEST_F(GlueServiceTest, NeverCrashesOnMutatedBodies) {
  const std::vector<std::string> seeds = {
      R"({"Id":"s","Role":"arn:aws:iam::123456789012:role/R","Command":{"Name":"glueetl"},"Tags":{"a":"b"}})",
      R"({"JobName":"etl","RunId":"jr_1","MaxResults":3,"JobRunIds":["a"],"Arguments":{"--k":"v"}})",
      R"({"Name":"batch-connection","NextToken":"00","Connections":{"Connections":["batch-connection"]}})"};
  const std::string replacements = "{}[]\":,0-9.enx\\\x01\xff";
  SeededRandom random(7);
  for (const char* op :
       {"CreateSession", "GetSession", "ListSessions", "StopSession", "DeleteSession", "GetJob",
        "StartJobRun", "GetJobRun", "GetJobRuns", "BatchStopJobRun", "GetConnection"}) {
    for (int i = 0; i < 200; ++i) {
      std::string body = seeds[static_cast<size_t>(i) % seeds.size()];
      const int edits = static_cast<int>(random.UniformInt(1, 4));
      for (int e = 0; e < edits; ++e) {
        const size_t at = static_cast<size_t>(random.UniformInt(0, static_cast<int64_t>(body.size()) - 1));
        body[at] = replacements[static_cast<size_t>(
            random.UniformInt(0, static_cast<int64_t>(replacements.size()) - 1))];
      }
      const ServerResponse r = Raw(op, body);
      EXPECT_TRUE(r.status == 200 || r.status == 400) << op << " " << body << " -> " << r.status;
      EXPECT_FALSE(json::parse(r.body, nullptr, false).is_discarded()) << r.body;
    }
  }
}

class GlueServiceWorkloadSessionsTest : public GlueServiceTest {
 protected:
  GlueServiceWorkloadSessionsTest()
      : GlueServiceTest(TestWorkload(0, /*sessions_per_day=*/48), /*run_arrivals=*/true) {}
};

TEST_F(GlueServiceWorkloadSessionsTest, SessionsTheWorkloadCreatesAreRecordedAsDataEngineersCreatingThem) {
  clock_.Advance(std::chrono::hours(24));
  const int64_t sessions = sim_.With([](World& w) { return static_cast<int64_t>(w.Sessions().size()); });
  ASSERT_GT(sessions, 10);
  EXPECT_EQ(cloudtrail_->stats().delivered_to_queue, sessions);
  for (const RecentCloudTrailEvent& e : cloudtrail_->Recent()) {
    const json event = json::parse(e.event_json);
    const json& detail = event.at("detail");
    const std::string owner = detail.at("requestParameters").at("tags").at("owner");
    EXPECT_TRUE(owner.ends_with("@example.com"));
    EXPECT_EQ(detail.at("userIdentity").at("type"), "AssumedRole");
    EXPECT_TRUE(detail.at("userIdentity").at("principalId").get<std::string>().ends_with(":" + owner));
    EXPECT_EQ(detail.at("requestParameters").at("connections").at("connections"), json({"batch-connection"}));
    EXPECT_EQ(detail.at("requestParameters").at("numberOfWorkers"), 2);
    EXPECT_EQ(detail.at("responseElements").at("session").at("status"), "PROVISIONING");
    EXPECT_EQ(detail.at("requestParameters").at("id"), detail.at("responseElements").at("session").at("id"));
  }
}

TEST(GlueServiceOverHttp, TheRepoClientTalksToItThroughARealFront) {
  const Workload workload = TestWorkload();
  FakeClock clock;
  FakeSleeper sleeper(clock);
  SeededRandom random(1);
  SimWorld sim(workload, clock, WorldOptions(false));
  SqsService sqs(clock, random);
  FakeTransport unused;
  std::unique_ptr<CloudTrailEmitter> cloudtrail = *CloudTrailEmitter::Create(sqs, unused, random, {});
  GlueService glue(sim, *cloudtrail);
  Front front({}, clock, random, sleeper);
  ASSERT_TRUE(front.Register("glue", glue).ok());
  ASSERT_TRUE(front.Start().ok());
  AwsEnvironment environment = *AwsEnvironment::FromConfig(
      FixedEnv({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", front.endpoint()}}), SharedConfig{});
  CurlTransport transport;
  StaticCredentialsProvider credentials(Credentials{"AKIDEXAMPLE", kSecret, "", {}, "test"});
  AwsClient aws(transport, credentials, environment, clock, random, sleeper);
  GlueClient client(aws);
  StartJobRunRequest request;
  request.job_name = "etl";
  Result<std::string> id = client.StartJobRun(request);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  Result<JobRun> run = client.GetJobRun("etl", *id);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->number_of_workers, 10);  // the job's default
  EXPECT_EQ(client.GetSession("nope").status().reason(), "EntityNotFoundException");
  front.Stop();
}

}  // namespace
}  // namespace glueguard
