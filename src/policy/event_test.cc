#include "policy/event.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "simcloud/cloudtrail.h"

namespace glueguard {
namespace {

using json = nlohmann::json;

// aws-protocol-facts §4.2, trimmed to what matters here.
json RepresentativeEvent() {
  return json::parse(R"({
    "version": "0", "id": "7e1a3c9b-3f7e-4b1a-9d9b-2f0c1c2d3e4f", "detail-type": "AWS API Call via CloudTrail",
    "source": "aws.glue", "account": "123456789012", "time": "2026-11-23T08:20:35Z", "region": "us-east-1",
    "resources": [],
    "detail": {
      "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLEROLEID:jane.doe@example.com",
                       "arn": "arn:aws:sts::123456789012:assumed-role/DataEngineer/jane.doe@example.com"},
      "eventTime": "2026-11-23T08:20:36Z", "eventSource": "glue.amazonaws.com", "eventName": "CreateSession",
      "awsRegion": "us-east-1",
      "requestParameters": {"id": "sess-1", "role": "arn:aws:iam::123456789012:role/GlueRole",
        "command": {"name": "glueetl", "pythonVersion": "3"}, "timeout": 60, "idleTimeout": 30,
        "connections": {"connections": ["my-vpc-conn"]}, "maxCapacity": 2.0, "numberOfWorkers": 2,
        "workerType": "G.1X", "glueVersion": "4.0", "tags": {"owner": "jane.doe@example.com"}},
      "responseElements": {"session": {"id": "sess-1", "createdOn": "Nov 23, 2026, 8:20:35 AM",
        "status": "PROVISIONING", "numberOfWorkers": 2, "workerType": "G.1X", "idleTimeout": 30}},
      "eventID": "c6a1f0de-EXAMPLE", "recipientAccountId": "123456789012"
    }
  })");
}

Result<ParsedEvent> Parse(const json& event) { return ParseSessionEvent(event.dump()); }

TEST(ParseSessionEvent, ReadsTheRepresentativeEvent) {
  Result<ParsedEvent> parsed = Parse(RepresentativeEvent());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_TRUE(parsed->event) << parsed->ignored;
  const SessionEvent& e = *parsed->event;
  EXPECT_EQ(e.event_id, "c6a1f0de-EXAMPLE");
  EXPECT_EQ(e.account, "123456789012");
  EXPECT_EQ(e.region, "us-east-1");
  EXPECT_EQ(FormatTime(e.event_time), "2026-11-23T08:20:36.000Z");  // detail.eventTime over the envelope's
  EXPECT_EQ(e.creator, "jane.doe@example.com");
  EXPECT_EQ(e.creator_arn, "arn:aws:sts::123456789012:assumed-role/DataEngineer/jane.doe@example.com");
  const SessionRequest& r = e.request;
  EXPECT_EQ(r.id, "sess-1");
  EXPECT_EQ(r.role, "arn:aws:iam::123456789012:role/GlueRole");
  EXPECT_EQ(r.number_of_workers, 2);
  EXPECT_EQ(r.worker_type, "G.1X");
  EXPECT_EQ(r.max_capacity, 2.0);
  EXPECT_EQ(r.idle_timeout_minutes, 30);
  EXPECT_EQ(r.timeout_minutes, 60);
  EXPECT_EQ(r.connections, std::vector<std::string>{"my-vpc-conn"});
  EXPECT_EQ(r.glue_version, "4.0");
  EXPECT_EQ(r.tags.at("owner"), "jane.doe@example.com");
  EXPECT_TRUE(r.tags_known);
  EXPECT_TRUE(r.timeout_known);
}

TEST(ParseSessionEvent, AMemberTheRequestLeftOutIsTakenFromWhatGlueApplied) {
  json event = RepresentativeEvent();
  event["detail"]["requestParameters"].erase("numberOfWorkers");
  event["detail"]["requestParameters"].erase("idleTimeout");
  event["detail"]["responseElements"]["session"]["numberOfWorkers"] = 5;
  event["detail"]["responseElements"]["session"]["idleTimeout"] = 2880;
  Result<ParsedEvent> parsed = Parse(event);
  ASSERT_TRUE(parsed.ok() && parsed->event);
  EXPECT_EQ(parsed->event->request.number_of_workers, 5);
  EXPECT_EQ(parsed->event->request.idle_timeout_minutes, 2880);
}

TEST(ParseSessionEvent, NullMembersCountAsAbsent) {
  json event = RepresentativeEvent();
  event["detail"]["requestParameters"]["numberOfWorkers"] = nullptr;
  event["detail"]["requestParameters"]["tags"] = nullptr;
  event["detail"]["responseElements"]["session"].erase("numberOfWorkers");
  Result<ParsedEvent> parsed = Parse(event);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_TRUE(parsed->event);
  EXPECT_FALSE(parsed->event->request.number_of_workers);
  EXPECT_TRUE(parsed->event->request.tags.empty());
}

TEST(ParseSessionEvent, TheCreatorFallsBackToTheOwnerTagThenTheUserNameThenTheArn) {
  json event = RepresentativeEvent();
  event["detail"]["userIdentity"] = {{"type", "IAMUser"},
                                     {"principalId", "AIDAEXAMPLE"},
                                     {"arn", "arn:aws:iam::123456789012:user/analyst"},
                                     {"userName", "analyst"}};
  EXPECT_EQ(Parse(event)->event->creator, "jane.doe@example.com");  // tags.owner
  event["detail"]["requestParameters"].erase("tags");
  EXPECT_EQ(Parse(event)->event->creator, "analyst");
  event["detail"]["userIdentity"].erase("userName");
  EXPECT_EQ(Parse(event)->event->creator, "arn:aws:iam::123456789012:user/analyst");
  event["detail"].erase("userIdentity");
  EXPECT_EQ(Parse(event)->event->creator, "an unknown caller");
}

TEST(ParseSessionEvent, TheEnvelopeFillsInWhatCloudTrailLeftOut) {
  json event = RepresentativeEvent();
  event["detail"].erase("eventID");
  event["detail"].erase("eventTime");
  event.erase("account");
  event.erase("region");
  event["detail"]["awsRegion"] = "eu-west-1";
  Result<ParsedEvent> parsed = Parse(event);
  ASSERT_TRUE(parsed.ok() && parsed->event);
  EXPECT_EQ(parsed->event->event_id, "7e1a3c9b-3f7e-4b1a-9d9b-2f0c1c2d3e4f");
  EXPECT_EQ(FormatTime(parsed->event->event_time), "2026-11-23T08:20:35.000Z");
  EXPECT_EQ(parsed->event->account, "123456789012");  // recipientAccountId
  EXPECT_EQ(parsed->event->region, "eu-west-1");
}

TEST(ParseSessionEvent, AnUnreadableTimeLeavesTheEpoch) {
  json event = RepresentativeEvent();
  event["detail"]["eventTime"] = "Nov 23, 2026, 8:20:35 AM";
  event.erase("time");
  Result<ParsedEvent> parsed = Parse(event);
  ASSERT_TRUE(parsed.ok() && parsed->event);
  EXPECT_EQ(ToUnixMillis(parsed->event->event_time), 0);
}

TEST(ParseSessionEvent, AFailedCallIsIgnoredWithItsErrorCodeAndMessage) {
  json event = RepresentativeEvent();
  event["detail"]["errorCode"] = "ValidationException";
  event["detail"]["errorMessage"] = "NumberOfWorkers is too large";
  event["detail"]["responseElements"] = nullptr;
  Result<ParsedEvent> parsed = Parse(event);
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->event);
  EXPECT_EQ(parsed->ignored, "CreateSession failed: ValidationException: NumberOfWorkers is too large");
}

TEST(ParseSessionEvent, OtherSourcesAndOperationsAreIgnoredWithTheReason) {
  json event = RepresentativeEvent();
  event["detail-type"] = "Glue Job State Change";
  EXPECT_EQ(Parse(event)->ignored, "not a CloudTrail API call (detail-type Glue Job State Change)");
  event = RepresentativeEvent();
  event["detail"]["eventName"] = "DeleteSession";
  EXPECT_EQ(Parse(event)->ignored, "not CreateSession (DeleteSession)");
  event["detail"].erase("eventName");
  EXPECT_EQ(Parse(event)->ignored, "not CreateSession (no eventName)");
  event = RepresentativeEvent();
  event.erase("source");
  event["detail"]["eventSource"] = "s3.amazonaws.com";
  EXPECT_EQ(Parse(event)->ignored, "not a Glue event (eventSource s3.amazonaws.com)");
}

TEST(ParseSessionEvent, ABareCloudTrailRecordIsReadLikeTheEnvelopesDetail) {
  const json record = RepresentativeEvent()["detail"];
  Result<ParsedEvent> parsed = Parse(record);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_TRUE(parsed->event);
  EXPECT_EQ(parsed->event->event_id, "c6a1f0de-EXAMPLE");
  EXPECT_EQ(parsed->event->request.number_of_workers, 2);
}

TEST(ParseSessionEvent, WrongTypesAreErrorsNamingTheMember) {
  struct Case {
    std::string pointer;
    json value;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"/detail/requestParameters/numberOfWorkers", "40",
       "detail.requestParameters.numberOfWorkers: expected a number, got a string"},
      {"/detail/requestParameters/numberOfWorkers", -1,
       "detail.requestParameters.numberOfWorkers: expected a whole number from 0 to 2147483647, got -1"},
      {"/detail/requestParameters/numberOfWorkers", 1e12,
       "detail.requestParameters.numberOfWorkers: expected a whole number"},
      {"/detail/requestParameters/workerType", 2, "detail.requestParameters.workerType: expected a string"},
      {"/detail/requestParameters/connections", json::array({"a"}),
       "detail.requestParameters.connections: expected an object, got an array"},
      {"/detail/requestParameters/connections/connections/0", 7,
       "detail.requestParameters.connections.connections[0]: expected a string, got a number"},
      {"/detail/requestParameters/tags", "owner=x", "detail.requestParameters.tags: expected an object"},
      {"/detail/responseElements/session/idleTimeout", true, ""},  // the request's value is used, not read
      {"/detail/responseElements", "ok", "detail.responseElements: expected an object, got a string"},
      {"/detail/userIdentity/principalId", 12, "detail.userIdentity.principalId: expected a string"},
      {"/detail/eventName", json::object(), "detail.eventName: expected a string, got an object"},
      {"/detail", "x", "detail: expected an object, got a string"},
  };
  for (const Case& c : cases) {
    json event = RepresentativeEvent();
    event[json::json_pointer(c.pointer)] = c.value;
    Result<ParsedEvent> parsed = Parse(event);
    if (c.message.empty()) {
      EXPECT_TRUE(parsed.ok()) << c.pointer;
      continue;
    }
    ASSERT_FALSE(parsed.ok()) << c.pointer;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(c.message), std::string::npos)
        << c.pointer << ": " << parsed.status().message();
  }
}

TEST(ParseSessionEvent, ASuccessfulCallWithoutASessionIdIsAnError) {
  json event = RepresentativeEvent();
  event["detail"]["requestParameters"].erase("id");
  event["detail"]["responseElements"]["session"].erase("id");
  Result<ParsedEvent> parsed = Parse(event);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("no session id"), std::string::npos);
}

TEST(ParseSessionEvent, TextThatIsNotAnEventObjectIsAnError) {
  for (const char* text : {"", "{", "null", "\"CreateSession\"", "[{}]", "{\"hello\": 1}", "\xff\xfe",
                           // Found by the fuzzer: numbers nlohmann::json cannot represent threw.
                           "1e11010", "{\"detail\": {\"eventName\": 1e999}}"}) {
    Result<ParsedEvent> parsed = ParseSessionEvent(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_FALSE(parsed.status().message().empty());
  }
}

// simcloud's CloudTrail emitter and this parser must agree on the event's shape.
TEST(ParseSessionEvent, ReadsTheEventSimcloudsEmitterBuilds) {
  CreateSessionRecord record;
  record.request_json = R"({"Id": "sess-sim", "Role": "arn:aws:iam::123456789012:role/GlueRole",
      "Command": {"Name": "glueetl", "PythonVersion": "3"}, "Timeout": 120, "IdleTimeout": 45,
      "Connections": {"Connections": ["vpc-private-a"]}, "NumberOfWorkers": 12, "WorkerType": "G.2X",
      "GlueVersion": "4.0", "Tags": {"owner": "li.wei@example.com", "team": "analytics"}})";
  record.response_json =
      R"({"Session": {"Id": "sess-sim", "Status": "PROVISIONING", "CreatedOn": 1795422035.0,
      "Role": "arn:aws:iam::123456789012:role/GlueRole", "NumberOfWorkers": 12, "WorkerType": "G.2X",
      "GlueVersion": "4.0", "IdleTimeout": 45, "Connections": {"Connections": ["vpc-private-a"]}}})";
  record.identity = DataEngineerIdentity("123456789012", "li.wei", FromUnixMillis(1'795'420'000'000));
  record.account_id = "123456789012";
  record.region = "eu-west-1";
  record.event_time = FromUnixMillis(1'795'422'035'000);
  SeededRandom random(7);
  Result<std::string> text = BuildCreateSessionEvent(record, random);
  ASSERT_TRUE(text.ok()) << text.status().message();

  Result<ParsedEvent> parsed = ParseSessionEvent(*text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_TRUE(parsed->event) << parsed->ignored;
  const SessionEvent& e = *parsed->event;
  EXPECT_EQ(e.event_id, json::parse(*text)["detail"]["eventID"].get<std::string>());
  EXPECT_EQ(e.account, "123456789012");
  EXPECT_EQ(e.region, "eu-west-1");
  EXPECT_EQ(e.event_time, FromUnixMillis(1'795'422'035'000));
  EXPECT_EQ(e.creator, "li.wei@example.com");
  EXPECT_EQ(e.creator_arn, "arn:aws:sts::123456789012:assumed-role/DataEngineer/li.wei@example.com");
  EXPECT_EQ(e.request.id, "sess-sim");
  EXPECT_EQ(e.request.number_of_workers, 12);
  EXPECT_EQ(e.request.worker_type, "G.2X");
  EXPECT_EQ(e.request.timeout_minutes, 120);
  EXPECT_EQ(e.request.idle_timeout_minutes, 45);
  EXPECT_EQ(e.request.connections, std::vector<std::string>{"vpc-private-a"});
  EXPECT_EQ(e.request.glue_version, "4.0");
  EXPECT_EQ(e.request.tags.at("team"), "analytics");
}

}  // namespace
}  // namespace glueguard
