// SnsService through the repo's own SNS client (over a FakeTransport that hands each request to the service)
// and through direct calls.
#include "simcloud/sns_service.h"

#include <gtest/gtest.h>

#include "aws/sns.h"
#include "net/url.h"
#include "testing/fake_aws.h"
#include "testing/service_delivery.h"

namespace glueguard {
namespace {

constexpr char kTopic[] = "arn:aws:sns:us-east-1:123456789012:alerts";

class SnsServiceTest : public ::testing::Test {
 protected:
  SnsServiceTest() {
    aws_.transport.set_handler(
        [this](const HttpRequest& r) { return testing::DeliverToService(sns_, r, "eu-west-1"); });
  }

  AwsCall Call(std::string operation, FormParams params) {
    AwsCall call;
    call.service = "sns";
    call.protocol = WireProtocol::kQuery;
    call.operation = std::move(operation);
    call.params = std::move(params);
    call.request_id = "rid";
    call.caller.region = "eu-west-1";
    return call;
  }

  testing::FakeAws aws_;
  SeededRandom random_{5};
  SnsService sns_{aws_.clock, random_, SnsServiceOptions{"123456789012", "us-east-1", {kTopic}}};
  SnsClient client_{aws_.client};
};

TEST_F(SnsServiceTest, PublishRecordsTopicSubjectBodyAttributesTimeAndId) {
  SnsPublishRequest request{kTopic, "hello world & more", "Subj", {{"k", "v"}}};
  Result<std::string> id = client_.Publish(request);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  const std::vector<SnsPublished> published = sns_.Published();
  ASSERT_EQ(published.size(), 1u);
  const SnsPublished& p = published[0];
  EXPECT_EQ(p.message_id, *id);
  EXPECT_EQ(p.topic_arn, kTopic);
  EXPECT_EQ(p.subject, "Subj");
  EXPECT_EQ(p.message, "hello world & more");
  EXPECT_EQ(p.attributes.at("k"), (MessageAttributeValue{"String", "v", ""}));
  EXPECT_EQ(p.published, aws_.clock.Now());
  EXPECT_EQ(p.publisher, "AKIDEXAMPLE");
}

TEST_F(SnsServiceTest, UnknownTopicIsNotFound) {
  Result<std::string> id =
      client_.Publish({"arn:aws:sns:us-east-1:123456789012:nope", "m", std::nullopt, {}});
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(id.status().reason(), "NotFound");
  EXPECT_NE(id.status().message().find("Topic does not exist"), std::string::npos) << id.status().message();
  const ServerResponse r =
      sns_.Handle(Call("Publish", {{"TopicArn", "arn:aws:sns:us-east-1:1:x"}, {"Message", "m"}}));
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find(
                "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type>"
                "<Code>NotFound</Code><Message>Topic does not exist</Message>"),
            std::string::npos)
      << r.body;
  EXPECT_TRUE(sns_.Published().empty());
}

TEST_F(SnsServiceTest, PublishRefusesAnEmptyMessageOrSubject) {
  EXPECT_NE(
      sns_.Handle(Call("Publish", {{"TopicArn", kTopic}})).body.find("Invalid parameter: Empty message"),
      std::string::npos);
  EXPECT_NE(sns_.Handle(Call("Publish",
                             {{"TopicArn", kTopic}, {"Message", "m"}, {"Subject", std::string(101, 's')}}))
                .body.find("<Code>InvalidParameter</Code>"),
            std::string::npos);
  EXPECT_NE(sns_.Handle(Call("Publish", {{"Message", "m"}})).body.find("<Code>InvalidParameter</Code>"),
            std::string::npos);
  EXPECT_TRUE(sns_.Published().empty());
}

TEST_F(SnsServiceTest, CreateTopicIsIdempotentAndListTopicsShowsEveryTopic) {
  const ServerResponse created = sns_.Handle(Call("CreateTopic", {{"Name", "events"}}));
  ASSERT_EQ(created.status, 200);
  EXPECT_NE(
      created.body.find("<CreateTopicResult><TopicArn>arn:aws:sns:eu-west-1:123456789012:events</TopicArn>"),
      std::string::npos)
      << created.body;
  EXPECT_EQ(sns_.Handle(Call("CreateTopic", {{"Name", "events"}})).body, created.body);
  EXPECT_EQ(sns_.Topics().size(), 2u);
  const ServerResponse listed = sns_.Handle(Call("ListTopics", {}));
  EXPECT_NE(
      listed.body.find("<ListTopicsResult><Topics><member><TopicArn>arn:aws:sns:eu-west-1:123456789012:events"
                       "</TopicArn></member><member><TopicArn>arn:aws:sns:us-east-1:123456789012:alerts"
                       "</TopicArn></member></Topics></ListTopicsResult>"),
      std::string::npos)
      << listed.body;
  EXPECT_NE(sns_.Handle(Call("CreateTopic", {{"Name", "bad name"}})).body.find("InvalidParameter"),
            std::string::npos);
}

TEST_F(SnsServiceTest, TopicsAreAddedByArn) {
  EXPECT_TRUE(sns_.AddTopic("arn:aws:sns:eu-west-1:123456789012:more").ok());
  EXPECT_EQ(sns_.AddTopic("arn:aws:sqs:eu-west-1:123456789012:q").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(sns_.AddTopic("alerts").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(client_.Publish({"arn:aws:sns:eu-west-1:123456789012:more", "m", std::nullopt, {}}).ok());
}

}  // namespace
}  // namespace glueguard
