// The CloudTrail CreateSession event (aws-protocol-facts §4.2) and its delivery: onto an SQS queue received
// through SqsService's own protocol, POSTed to a loopback server, dropped at the configured rate.
#include "simcloud/cloudtrail.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>

#include "aws/sqs.h"
#include "net/curl_transport.h"
#include "net/fake_transport.h"
#include "simcloud/sts_service.h"
#include "testing/loopback_server.h"

namespace glueguard {
namespace {

using nlohmann::json;

// aws-protocol-facts §2.3's CreateSession body, as botocore sends it.
constexpr char kSampleRequest[] =
    R"({"Id": "sess-1", "Role": "arn:aws:iam::123456789012:role/GlueRole", "Command": {"Name": "glueetl", )"
    R"("PythonVersion": "3"}, "Timeout": 60, "IdleTimeout": 30, "DefaultArguments": {"--enable-glue-datacatalog": )"
    R"("true"}, "Connections": {"Connections": ["my-conn"]}, "NumberOfWorkers": 2, "WorkerType": "G.1X", )"
    R"("GlueVersion": "4.0", "Tags": {"k": "v"}, "RequestOrigin": "origin"})";

// Glue's reply to it, created at 2026-11-23T08:20:35.250Z.
constexpr char kSampleReply[] =
    R"({"Session":{"Id":"sess-1","CreatedOn":1795422035.25,"Status":"PROVISIONING",)"
    R"("Role":"arn:aws:iam::123456789012:role/GlueRole","Command":{"Name":"glueetl","PythonVersion":"3"},)"
    R"("DefaultArguments":{"--enable-glue-datacatalog":"true"},"Connections":{"Connections":["my-conn"]},)"
    R"("Progress":0.0,"MaxCapacity":2.0,"GlueVersion":"4.0","NumberOfWorkers":2,"WorkerType":"G.1X",)"
    R"("IdleTimeout":30}})";

const Time kEventTime = FromUnixMillis(1'795'422'035'250);

Caller SimcloudUser() {
  return Caller{"AKIDEXAMPLE", "123456789012", "arn:aws:iam::123456789012:user/simcloud", "us-east-1"};
}

CreateSessionRecord SampleRecord(std::string request_id = "0b4f2a51-1111-4222-8333-444455556666") {
  CreateSessionRecord record;
  record.request_json = kSampleRequest;
  record.response_json = kSampleReply;
  record.identity = IamUserIdentity(SimcloudUser());
  record.account_id = "123456789012";
  record.region = "us-east-1";
  record.event_time = kEventTime;
  record.request_id = std::move(request_id);
  return record;
}

bool IsUuid(const json& value) {
  static const std::regex kUuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  return value.is_string() && std::regex_match(value.get<std::string>(), kUuid);
}

TEST(CloudTrailEvent, SampleCreateSessionIsAnEventBridgeCloudTrailEvent) {
  SeededRandom random(1);
  Result<std::string> text = BuildCreateSessionEvent(SampleRecord(), random);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  const json event = json::parse(*text);
  EXPECT_EQ(event.at("version"), "0");
  EXPECT_TRUE(IsUuid(event.at("id"))) << event.at("id");
  EXPECT_EQ(event.at("detail-type"), "AWS API Call via CloudTrail");
  EXPECT_EQ(event.at("source"), "aws.glue");
  EXPECT_EQ(event.at("account"), "123456789012");
  EXPECT_EQ(event.at("time"), "2026-11-23T08:20:35Z");
  EXPECT_EQ(event.at("region"), "us-east-1");
  EXPECT_EQ(event.at("resources"), json::array());

  const json& detail = event.at("detail");
  EXPECT_EQ(detail.at("eventVersion"), "1.09");
  EXPECT_EQ(detail.at("userIdentity"), json({{"type", "IAMUser"},
                                             {"principalId", SimUserId("AKIDEXAMPLE")},
                                             {"arn", "arn:aws:iam::123456789012:user/simcloud"},
                                             {"accountId", "123456789012"},
                                             {"accessKeyId", "AKIDEXAMPLE"},
                                             {"userName", "simcloud"}}));
  EXPECT_EQ(detail.at("eventTime"), "2026-11-23T08:20:35Z");
  EXPECT_EQ(detail.at("eventSource"), "glue.amazonaws.com");
  EXPECT_EQ(detail.at("eventName"), "CreateSession");
  EXPECT_EQ(detail.at("awsRegion"), "us-east-1");
  EXPECT_EQ(detail.at("requestID"), "0b4f2a51-1111-4222-8333-444455556666");
  EXPECT_TRUE(IsUuid(detail.at("eventID")));
  EXPECT_NE(detail.at("eventID"), event.at("id"));
  EXPECT_EQ(detail.at("readOnly"), false);
  EXPECT_EQ(detail.at("eventType"), "AwsApiCall");
  EXPECT_EQ(detail.at("managementEvent"), true);
  EXPECT_EQ(detail.at("recipientAccountId"), "123456789012");
  EXPECT_EQ(detail.at("eventCategory"), "Management");

  // Exactly the members the request carried, in lowerCamelCase; Description, MaxCapacity... stay absent.
  EXPECT_EQ(detail.at("requestParameters"), json::parse(R"({"id": "sess-1",
      "role": "arn:aws:iam::123456789012:role/GlueRole", "command": {"name": "glueetl", "pythonVersion": "3"},
      "timeout": 60, "idleTimeout": 30, "defaultArguments": {"--enable-glue-datacatalog": "true"},
      "connections": {"connections": ["my-conn"]}, "numberOfWorkers": 2, "workerType": "G.1X",
      "glueVersion": "4.0", "tags": {"k": "v"}, "requestOrigin": "origin"})"));

  const json& session = detail.at("responseElements").at("session");
  EXPECT_EQ(session.at("id"), "sess-1");
  EXPECT_EQ(session.at("createdOn"), "Nov 23, 2026, 8:20:35 AM");
  EXPECT_EQ(session.at("status"), "PROVISIONING");
  EXPECT_EQ(session.at("command"), json({{"name", "glueetl"}, {"pythonVersion", "3"}}));
  EXPECT_EQ(session.at("connections"), json({{"connections", {"my-conn"}}}));
  EXPECT_EQ(session.at("progress"), 0.0);
  EXPECT_EQ(session.at("maxCapacity"), 2.0);
  EXPECT_EQ(session.at("idleTimeout"), 30);
  EXPECT_NE(text->find(R"("progress":0.0)"), std::string::npos);  // a double, as CloudTrail writes it
}

TEST(CloudTrailEvent, MapKeysStayAsSentAndMembersOutsideTheModelAreLeftOut) {
  Result<std::string> params = CreateSessionRequestParameters(
      R"({"Id":"s","DefaultArguments":{"--Conf":"A=B","Key":"v"},"Tags":{"Owner":"Jane"},"Unknown":1,)"
      R"("Command":{"Name":"glueetl"}})");
  ASSERT_TRUE(params.ok()) << params.status().ToString();
  EXPECT_EQ(json::parse(*params), json::parse(R"({"id":"s","defaultArguments":{"--Conf":"A=B","Key":"v"},)"
                                              R"("tags":{"Owner":"Jane"},"command":{"name":"glueetl"}})"));
  EXPECT_EQ(CreateSessionRequestParameters("[1]").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CreateSessionRequestParameters("{").status().code(), StatusCode::kInvalidArgument);
}

TEST(CloudTrailEvent, RecordsThatAreNotJsonObjectsAreRefused) {
  SeededRandom random(1);
  CreateSessionRecord record = SampleRecord();
  record.response_json = R"({"Id":"sess-1"})";
  EXPECT_EQ(BuildCreateSessionEvent(record, random).status().code(), StatusCode::kInvalidArgument);
  record = SampleRecord();
  record.request_json = "not json";
  EXPECT_EQ(BuildCreateSessionEvent(record, random).status().code(), StatusCode::kInvalidArgument);
}

TEST(CloudTrailEvent, DataEngineerIsAnAssumedRoleWithTheSessionNameInThePrincipalId) {
  const CloudTrailIdentity jane =
      DataEngineerIdentity("123456789012", "jane.doe", FromUnixMillis(1'795'420'500'000));
  EXPECT_EQ(jane.type, "AssumedRole");
  EXPECT_TRUE(jane.principal_id.starts_with("AROA")) << jane.principal_id;
  EXPECT_TRUE(jane.principal_id.ends_with(":jane.doe@example.com")) << jane.principal_id;
  EXPECT_EQ(jane.arn, "arn:aws:sts::123456789012:assumed-role/DataEngineer/jane.doe@example.com");
  EXPECT_TRUE(jane.access_key_id.starts_with("ASIA"));
  EXPECT_EQ(jane.access_key_id.size(), 20u);
  EXPECT_EQ(DataEngineerFor("notebook-0-1"), DataEngineerFor("notebook-0-1"));

  SeededRandom random(1);
  CreateSessionRecord record = SampleRecord();
  record.identity = jane;
  const json identity = json::parse(*BuildCreateSessionEvent(record, random)).at("detail").at("userIdentity");
  EXPECT_EQ(identity.at("principalId"), jane.principal_id);
  EXPECT_EQ(identity.at("sessionContext").at("sessionIssuer").at("arn"),
            "arn:aws:iam::123456789012:role/DataEngineer");
  EXPECT_EQ(identity.at("sessionContext").at("attributes").at("creationDate"), "2026-11-23T07:55:00Z");
  EXPECT_FALSE(identity.contains("userName"));
}

TEST(CloudTrailEvent, DisplayTimeIsTwelveHourWithoutLeadingZeros) {
  EXPECT_EQ(CloudTrailDisplayTime(*ParseTime("2026-11-23T00:05:09Z")), "Nov 23, 2026, 12:05:09 AM");
  EXPECT_EQ(CloudTrailDisplayTime(*ParseTime("2026-03-01T12:00:00Z")), "Mar 1, 2026, 12:00:00 PM");
  EXPECT_EQ(CloudTrailDisplayTime(*ParseTime("2024-03-20T23:16:09Z")), "Mar 20, 2024, 11:16:09 PM");
  EXPECT_EQ(CloudTrailTime(*ParseTime("2026-11-23T08:20:35.999Z")), "2026-11-23T08:20:35Z");
}

class CloudTrailEmitterTest : public ::testing::Test {
 protected:
  std::unique_ptr<CloudTrailEmitter> Emitter(CloudTrailEmitterOptions options, HttpTransport& transport) {
    options.log = [this](std::string_view line) {
      std::lock_guard lock(log_mu_);
      log_.emplace_back(line);
    };
    Result<std::unique_ptr<CloudTrailEmitter>> emitter =
        CloudTrailEmitter::Create(sqs_, transport, random_, std::move(options));
    EXPECT_TRUE(emitter.ok()) << emitter.status().ToString();
    return emitter.ok() ? std::move(*emitter) : nullptr;
  }

  // ReceiveMessage as a client would call it, through the service's query protocol.
  std::vector<SqsMessage> Receive(const std::string& queue) {
    AwsCall call;
    call.service = "sqs";
    call.protocol = WireProtocol::kQuery;
    call.operation = "ReceiveMessage";
    call.params = {{"Action", "ReceiveMessage"},
                   {"QueueUrl", "http://127.0.0.1:1/123456789012/" + queue},
                   {"MaxNumberOfMessages", "10"}};
    call.request_id = "rid";
    call.host = "127.0.0.1:1";
    call.caller = SimcloudUser();
    const ServerResponse r = sqs_.Handle(call);
    EXPECT_EQ(r.status, 200) << r.body;
    Result<std::vector<SqsMessage>> messages = ParseReceiveMessageResponse(r.body);
    EXPECT_TRUE(messages.ok()) << messages.status().ToString();
    return messages.ok() ? *messages : std::vector<SqsMessage>{};
  }

  size_t QueueLength(const std::string& queue) {
    for (const SqsQueueSnapshot& q : sqs_.Snapshot()) {
      if (q.name == queue) return q.messages.size();
    }
    return 0;
  }

  std::vector<std::string> LogLines() {
    std::lock_guard lock(log_mu_);
    return log_;
  }

  FakeClock clock_;
  SeededRandom random_{3};
  SqsService sqs_{clock_, random_};
  FakeTransport no_posts_;
  std::mutex log_mu_;
  std::vector<std::string> log_;  // GUARDED_BY(log_mu_)
};

TEST_F(CloudTrailEmitterTest, EventsArriveOnTheQueueAndAReceiveGetsThem) {
  CloudTrailEmitterOptions options;
  options.queue_name = "cloudtrail-events";
  std::unique_ptr<CloudTrailEmitter> emitter = Emitter(options, no_posts_);
  ASSERT_TRUE(emitter->Emit(SampleRecord()).ok());
  const std::vector<SqsMessage> messages = Receive("cloudtrail-events");
  ASSERT_EQ(messages.size(), 1u);
  const json event = json::parse(messages[0].body);
  EXPECT_EQ(event.at("detail").at("eventName"), "CreateSession");
  EXPECT_EQ(event.at("detail").at("responseElements").at("session").at("id"), "sess-1");
  EXPECT_EQ(messages[0].body, emitter->Recent().at(0).event_json);
  const CloudTrailStats stats = emitter->stats();
  EXPECT_EQ(stats.emitted, 1);
  EXPECT_EQ(stats.delivered_to_queue, 1);
  EXPECT_EQ(stats.dropped, 0);
  EXPECT_EQ(stats.posted, 0);
  EXPECT_TRUE(no_posts_.requests().empty());  // no URL: nothing POSTed
}

TEST_F(CloudTrailEmitterTest, DropRateOneDropsEveryEventAndZeroDropsNone) {
  CloudTrailEmitterOptions all;
  all.queue_name = "all-dropped";
  all.drop_rate = 1.0;
  CloudTrailEmitterOptions none;
  none.queue_name = "none-dropped";
  none.drop_rate = 0.0;
  std::unique_ptr<CloudTrailEmitter> dropping = Emitter(all, no_posts_);
  std::unique_ptr<CloudTrailEmitter> keeping = Emitter(none, no_posts_);
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(dropping->Emit(SampleRecord()).ok());
    ASSERT_TRUE(keeping->Emit(SampleRecord()).ok());
  }
  EXPECT_EQ(dropping->stats().emitted, 50);
  EXPECT_EQ(dropping->stats().dropped, 50);
  EXPECT_EQ(dropping->stats().delivered_to_queue, 0);
  EXPECT_EQ(QueueLength("all-dropped"), 0u);
  EXPECT_TRUE(dropping->Recent().back().dropped);
  EXPECT_EQ(keeping->stats().dropped, 0);
  EXPECT_EQ(keeping->stats().delivered_to_queue, 50);
  EXPECT_EQ(QueueLength("none-dropped"), 50u);
}

TEST_F(CloudTrailEmitterTest, EachEventIsPostedToTheConfiguredUrl) {
  testing::LoopbackServer server;
  std::mutex mu;
  std::vector<std::string> bodies;
  std::string content_type;
  server.server().Post("/events", [&](const httplib::Request& request, httplib::Response& response) {
    std::lock_guard lock(mu);
    bodies.push_back(request.body);
    content_type = request.get_header_value("Content-Type");
    response.status = 200;
  });
  CurlTransport transport;
  CloudTrailEmitterOptions options;
  options.post_url = server.Url("/events");
  std::unique_ptr<CloudTrailEmitter> emitter = Emitter(options, transport);
  ASSERT_TRUE(emitter->Emit(SampleRecord("r1")).ok());
  ASSERT_TRUE(emitter->Emit(SampleRecord("r2")).ok());
  emitter->Flush();
  EXPECT_EQ(emitter->stats().posted, 2);
  EXPECT_EQ(emitter->stats().post_failures, 0);
  std::lock_guard lock(mu);
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(content_type, "application/json");
  EXPECT_EQ(json::parse(bodies[0]).at("detail").at("requestID"), "r1");
  EXPECT_EQ(json::parse(bodies[1]).at("detail").at("requestID"), "r2");
}

TEST_F(CloudTrailEmitterTest, FailedPostsAreCountedAndLoggedAndTheQueueStillGetsTheEvent) {
  FakeTransport failing;
  failing.PushConnectionReset();
  failing.Push(503, "busy");
  CloudTrailEmitterOptions options;
  options.post_url = "http://127.0.0.1:1/events";
  options.post_timeout = std::chrono::milliseconds(300);
  std::unique_ptr<CloudTrailEmitter> emitter = Emitter(options, failing);
  ASSERT_TRUE(emitter->Emit(SampleRecord()).ok());
  ASSERT_TRUE(emitter->Emit(SampleRecord()).ok());
  emitter->Flush();
  const CloudTrailStats stats = emitter->stats();
  EXPECT_EQ(stats.post_failures, 2);
  EXPECT_EQ(stats.posted, 0);
  EXPECT_EQ(stats.delivered_to_queue, 2);
  ASSERT_EQ(failing.requests().size(), 2u);
  EXPECT_EQ(failing.requests()[0].timeout, std::chrono::milliseconds(300));
  const std::vector<std::string> log = LogLines();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_NE(log[1].find("HTTP 503"), std::string::npos) << log[1];
}

TEST_F(CloudTrailEmitterTest, RecentKeepsTheLastEventsOldestFirst) {
  CloudTrailEmitterOptions options;
  options.recent_capacity = 3;
  std::unique_ptr<CloudTrailEmitter> emitter = Emitter(options, no_posts_);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(emitter->Emit(SampleRecord(fmt::format("r{}", i))).ok());
  const std::vector<RecentCloudTrailEvent> recent = emitter->Recent();
  ASSERT_EQ(recent.size(), 3u);
  EXPECT_EQ(json::parse(recent[0].event_json).at("detail").at("requestID"), "r2");
  EXPECT_EQ(json::parse(recent[2].event_json).at("detail").at("requestID"), "r4");
  const json inspection = json::parse(emitter->InspectionJson());
  EXPECT_EQ(inspection.at("stats").at("emitted"), 5);
  EXPECT_EQ(inspection.at("events").size(), 3u);
  EXPECT_EQ(inspection.at("events").at(0).at("event").at("detail").at("requestID"), "r2");
}

TEST_F(CloudTrailEmitterTest, BadRecordsAndOptionsAreRefused) {
  std::unique_ptr<CloudTrailEmitter> emitter = Emitter({}, no_posts_);
  CreateSessionRecord bad = SampleRecord();
  bad.request_json = "[]";
  EXPECT_EQ(emitter->Emit(bad).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(emitter->stats().emitted, 0);

  CloudTrailEmitterOptions rate;
  rate.drop_rate = 1.5;
  EXPECT_EQ(CloudTrailEmitter::Create(sqs_, no_posts_, random_, rate).status().code(),
            StatusCode::kInvalidArgument);
  CloudTrailEmitterOptions name;
  name.queue_name = "no spaces allowed";
  EXPECT_EQ(CloudTrailEmitter::Create(sqs_, no_posts_, random_, name).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace glueguard
