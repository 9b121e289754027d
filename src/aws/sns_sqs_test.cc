#include <gtest/gtest.h>

#include <memory>

#include "aws/aws_client.h"
#include "net/fake_transport.h"
#include "aws/sns.h"
#include "aws/sqs.h"
#include "net/url.h"

namespace glueguard {
namespace {

using std::chrono::seconds;

constexpr std::string_view kQueueUrl = "http://127.0.0.1:18080/123456789012/q";

constexpr std::string_view kPublishReply =
    R"(<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>)"
    R"(<MessageId>567910cd-659e-55d4-8ccb-5aaf14679dc0</MessageId></PublishResult>)"
    R"(<ResponseMetadata><RequestId>d74b8436-ae13-5ab4-a9ff-ce54dfea72a0</RequestId></ResponseMetadata>)"
    R"(</PublishResponse>)";

constexpr std::string_view kReceiveReply =
    R"(<?xml version="1.0"?><ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">)"
    R"(<ReceiveMessageResult>)"
    R"(<Message><MessageId>5fea7756-0ea4-451a-a703-a558b933e274</MessageId>)"
    R"(<ReceiptHandle>AQEB+abc/def==</ReceiptHandle><MD5OfBody>fafb00f5732ab283681e124bf8747ed1</MD5OfBody>)"
    R"(<Body>{"detail-type":"AWS API Call via CloudTrail"}</Body>)"
    R"(<Attribute><Name>SenderId</Name><Value>AIDAEXAMPLE</Value></Attribute>)"
    R"(<Attribute><Name>ApproximateReceiveCount</Name><Value>2</Value></Attribute>)"
    R"(<MessageAttribute><Name>k</Name><Value><StringValue>v</StringValue><DataType>String</DataType></Value>)"
    R"(</MessageAttribute>)"
    R"(<MessageAttribute><Name>blob</Name><Value><BinaryValue>AAEC</BinaryValue><DataType>Binary</DataType>)"
    R"(</Value></MessageAttribute></Message>)"
    R"(<Message><MessageId>m-2</MessageId><ReceiptHandle>rh-2</ReceiptHandle><MD5OfBody>x</MD5OfBody>)"
    R"(<Body>second &amp; last</Body></Message>)"
    R"(</ReceiveMessageResult><ResponseMetadata><RequestId>b6633655-283d-45b4-aee4-4e84e0ae6afa</RequestId>)"
    R"(</ResponseMetadata></ReceiveMessageResponse>)";

std::string QueryError(const std::string& code, const std::string& message) {
  return "<ErrorResponse "
         "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><Error><Type>Sender</Type><Code>" +
         code + "</Code><Message>" + message +
         "</Message><Detail/></Error><RequestId>42d59b56-example</RequestId>" + "</ErrorResponse>";
}

class QueryFixture : public ::testing::Test {
 protected:
  QueryFixture()
      : environment_(*AwsEnvironment::FromConfig(
            FixedEnv({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", "http://127.0.0.1:1"}}),
            SharedConfig{})) {}

  QueryParams Sent(size_t i) const { return FormDecode(transport_.requests().at(i).body); }

  FakeTransport transport_;
  StaticCredentialsProvider credentials_{Credentials{"AKIDEXAMPLE", "secret", "", {}, "test"}};
  FakeClock clock_;
  FakeSleeper sleeper_{clock_};
  SeededRandom random_{11};
  AwsEnvironment environment_;
  AwsClient aws_{transport_, credentials_, environment_, clock_, random_, sleeper_};
  SnsClient sns_{aws_};
  SqsClient sqs_{aws_};
};

using SnsPublish = QueryFixture;
using SqsReceiveMessage = QueryFixture;
using SqsDeleteMessage = QueryFixture;
using SqsSendMessage = QueryFixture;
using SqsChangeMessageVisibility = QueryFixture;
using SqsGetQueueAttributes = QueryFixture;

// ---------------------------------------------------------------------------------------------- SNS Publish

TEST_F(SnsPublish, SendsTopicMessageSubjectAndAttributesAsEntries) {
  transport_.Push(200, std::string(kPublishReply));
  SnsPublishRequest request;
  request.topic_arn = "arn:aws:sns:us-east-1:123456789012:t";
  request.message = "hello world & more";
  request.subject = "Subj";
  request.message_attributes = {{"severity", "high"}, {"k", "v"}};
  Result<std::string> id = sns_.Publish(request);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "567910cd-659e-55d4-8ccb-5aaf14679dc0");
  EXPECT_EQ(Sent(0), (QueryParams{{"Action", "Publish"},
                                  {"Version", "2010-03-31"},
                                  {"TopicArn", "arn:aws:sns:us-east-1:123456789012:t"},
                                  {"Message", "hello world & more"},
                                  {"Subject", "Subj"},
                                  {"MessageAttributes.entry.1.Name", "k"},
                                  {"MessageAttributes.entry.1.Value.DataType", "String"},
                                  {"MessageAttributes.entry.1.Value.StringValue", "v"},
                                  {"MessageAttributes.entry.2.Name", "severity"},
                                  {"MessageAttributes.entry.2.Value.DataType", "String"},
                                  {"MessageAttributes.entry.2.Value.StringValue", "high"}}));
  const HttpRequest sent = transport_.requests().at(0);
  EXPECT_EQ(sent.url, "http://127.0.0.1:1/");
  EXPECT_NE(FindHeader(sent.headers, "Authorization")->find("/us-east-1/sns/aws4_request"),
            std::string::npos);
}

TEST_F(SnsPublish, OmitsSubjectAndAttributesWhenAbsent) {
  transport_.Push(200, std::string(kPublishReply));
  ASSERT_TRUE(sns_.Publish({"arn:aws:sns:us-east-1:1:t", "m", std::nullopt, {}}).ok());
  EXPECT_EQ(Sent(0), (QueryParams{{"Action", "Publish"},
                                  {"Version", "2010-03-31"},
                                  {"TopicArn", "arn:aws:sns:us-east-1:1:t"},
                                  {"Message", "m"}}));
}

TEST_F(SnsPublish, QueryErrorShapeGivesNotFoundWithTheCodeAsReason) {
  transport_.Push(404, QueryError("NotFound", "Topic does not exist"));
  Result<std::string> id = sns_.Publish({"arn:aws:sns:us-east-1:1:gone", "m", std::nullopt, {}});
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(id.status().reason(), "NotFound");
  EXPECT_NE(id.status().message().find("Topic does not exist"), std::string::npos) << id.status().message();
  EXPECT_NE(id.status().message().find("42d59b56-example"), std::string::npos) << id.status().message();
}

TEST_F(SnsPublish, ThrottlingIsRetriedThenSucceeds) {
  transport_.Push(400, QueryError("Throttling", "Rate exceeded"));
  transport_.Push(200, std::string(kPublishReply));
  Result<std::string> id = sns_.Publish({"arn:aws:sns:us-east-1:1:t", "m", std::nullopt, {}});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(sleeper_.waits().size(), 1u);
}

TEST_F(SnsPublish, EmptyTopicOrMessageIsRefusedBeforeSending) {
  EXPECT_EQ(sns_.Publish({"", "m", std::nullopt, {}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(sns_.Publish({"arn:aws:sns:us-east-1:1:t", "", std::nullopt, {}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(SnsPublish, MalformedRepliesAreErrorsWithAMessage) {
  const std::string_view xml = kPublishReply;
  for (size_t n = 0; n < xml.size(); ++n) {
    Result<std::string> id = ParsePublishResponse(xml.substr(0, n));
    ASSERT_FALSE(id.ok()) << "prefix of " << n << " bytes parsed";
    EXPECT_EQ(id.status().code(), StatusCode::kInternal);
    EXPECT_FALSE(id.status().message().empty());
  }
  EXPECT_FALSE(
      ParsePublishResponse("<SendMessageResponse><PublishResult><MessageId>x</MessageId></PublishResult>"
                           "</SendMessageResponse>")
          .ok());
  Result<std::string> no_id = ParsePublishResponse("<PublishResponse><PublishResult/></PublishResponse>");
  ASSERT_FALSE(no_id.ok());
  EXPECT_NE(no_id.status().message().find("MessageId"), std::string::npos);
}

// -------------------------------------------------------------------------------------------- SQS
// ReceiveMessage

TEST_F(SqsReceiveMessage, PostsToTheEndpointWithTheQueueUrlAsAParameter) {
  transport_.Push(200, std::string(kReceiveReply));
  ReceiveMessageRequest request{std::string(kQueueUrl), 10, 20, std::nullopt};
  ASSERT_TRUE(sqs_.ReceiveMessage(request).ok());
  const HttpRequest sent = transport_.requests().at(0);
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, "http://127.0.0.1:1/");
  // aws-protocol-facts.md 2.6, byte for byte.
  EXPECT_EQ(
      sent.body,
      "Action=ReceiveMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2F127.0.0.1%3A18080%2F123456789012%2Fq"
      "&AttributeName.1=All&MessageAttributeName.1=All&MaxNumberOfMessages=10&WaitTimeSeconds=20");
  EXPECT_NE(FindHeader(sent.headers, "Authorization")->find("/us-east-1/sqs/aws4_request"),
            std::string::npos);
}

TEST_F(SqsReceiveMessage, SendsTheVisibilityTimeoutWhenGiven) {
  transport_.Push(200, std::string(kReceiveReply));
  ASSERT_TRUE(sqs_.ReceiveMessage({std::string(kQueueUrl), 1, 0, 45}).ok());
  EXPECT_EQ(Sent(0), (QueryParams{{"Action", "ReceiveMessage"},
                                  {"Version", "2012-11-05"},
                                  {"QueueUrl", std::string(kQueueUrl)},
                                  {"AttributeName.1", "All"},
                                  {"MessageAttributeName.1", "All"},
                                  {"MaxNumberOfMessages", "1"},
                                  {"VisibilityTimeout", "45"},
                                  {"WaitTimeSeconds", "0"}}));
}

TEST_F(SqsReceiveMessage, TheHttpTimeoutOfALongPollExceedsTheWait) {
  transport_.Push(200, std::string(kReceiveReply));
  transport_.Push(200, std::string(kReceiveReply));
  ASSERT_TRUE(sqs_.ReceiveMessage({std::string(kQueueUrl), 10, 20, std::nullopt}).ok());
  ASSERT_TRUE(sqs_.ReceiveMessage({std::string(kQueueUrl), 10, 0, std::nullopt}).ok());
  EXPECT_GT(transport_.requests().at(0).timeout, Duration(seconds(20)));
  EXPECT_GE(transport_.requests().at(1).timeout, Duration(seconds(10)));  // a short poll keeps a sane timeout
}

TEST_F(SqsReceiveMessage, ParsesEveryFieldOfEachMessage) {
  transport_.Push(200, std::string(kReceiveReply));
  Result<std::vector<SqsMessage>> messages =
      sqs_.ReceiveMessage({std::string(kQueueUrl), 10, 20, std::nullopt});
  ASSERT_TRUE(messages.ok()) << messages.status().ToString();
  ASSERT_EQ(messages->size(), 2u);
  const SqsMessage& m = (*messages)[0];
  EXPECT_EQ(m.message_id, "5fea7756-0ea4-451a-a703-a558b933e274");
  EXPECT_EQ(m.receipt_handle, "AQEB+abc/def==");
  EXPECT_EQ(m.md5_of_body, "fafb00f5732ab283681e124bf8747ed1");
  EXPECT_EQ(m.body, R"({"detail-type":"AWS API Call via CloudTrail"})");
  EXPECT_EQ(m.attributes, (std::map<std::string, std::string>{{"SenderId", "AIDAEXAMPLE"},
                                                              {"ApproximateReceiveCount", "2"}}));
  ASSERT_EQ(m.message_attributes.size(), 2u);
  EXPECT_EQ(m.message_attributes.at("k").data_type, "String");
  EXPECT_EQ(m.message_attributes.at("k").string_value, "v");
  EXPECT_EQ(m.message_attributes.at("blob").data_type, "Binary");
  EXPECT_EQ(m.message_attributes.at("blob").binary_value, "AAEC");
  EXPECT_EQ((*messages)[1].body, "second & last");
  EXPECT_TRUE((*messages)[1].attributes.empty());
}

TEST_F(SqsReceiveMessage, AnEmptyResultIsNoMessages) {
  transport_.Push(200,
                  "<ReceiveMessageResponse><ReceiveMessageResult/><ResponseMetadata><RequestId>r</RequestId>"
                  "</ResponseMetadata></ReceiveMessageResponse>");
  Result<std::vector<SqsMessage>> messages =
      sqs_.ReceiveMessage({std::string(kQueueUrl), 10, 20, std::nullopt});
  ASSERT_TRUE(messages.ok()) << messages.status().ToString();
  EXPECT_TRUE(messages->empty());
}

TEST_F(SqsReceiveMessage, OutOfRangeArgumentsAreRefusedBeforeSending) {
  for (const ReceiveMessageRequest& r : std::vector<ReceiveMessageRequest>{
           {"", 1, 0, std::nullopt},
           {std::string(kQueueUrl), 0, 0, std::nullopt},
           {std::string(kQueueUrl), 11, 0, std::nullopt},
           {std::string(kQueueUrl), 1, 21, std::nullopt},
           {std::string(kQueueUrl), 1, -1, std::nullopt},
           {std::string(kQueueUrl), 1, 0, 43201},
       }) {
    EXPECT_EQ(sqs_.ReceiveMessage(r).status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(SqsReceiveMessage, ANonExistentQueueIsNotFound) {
  transport_.Push(
      400, QueryError("AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist"));
  Result<std::vector<SqsMessage>> messages =
      sqs_.ReceiveMessage({std::string(kQueueUrl), 1, 0, std::nullopt});
  ASSERT_FALSE(messages.ok());
  EXPECT_EQ(messages.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(messages.status().reason(), "AWS.SimpleQueueService.NonExistentQueue");
}

TEST_F(SqsReceiveMessage, RequestThrottledIsRetriedThenSucceeds) {
  transport_.Push(403, QueryError("RequestThrottled", "Request is throttled."));
  transport_.Push(200, std::string(kReceiveReply));
  Result<std::vector<SqsMessage>> messages =
      sqs_.ReceiveMessage({std::string(kQueueUrl), 10, 20, std::nullopt});
  ASSERT_TRUE(messages.ok()) << messages.status().ToString();
  EXPECT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(sleeper_.waits().size(), 1u);
}

TEST_F(SqsReceiveMessage, EveryTruncationOfTheReplyIsAnErrorWithAMessage) {
  const std::string_view xml = kReceiveReply;
  for (size_t n = 0; n < xml.size(); ++n) {
    Result<std::vector<SqsMessage>> messages = ParseReceiveMessageResponse(xml.substr(0, n));
    ASSERT_FALSE(messages.ok()) << "prefix of " << n << " bytes parsed";
    EXPECT_EQ(messages.status().code(), StatusCode::kInternal);
    EXPECT_FALSE(messages.status().message().empty());
  }
}

TEST_F(SqsReceiveMessage, TheWrongRootOrAMessageWithoutItsHandleIsAnError) {
  Result<std::vector<SqsMessage>> wrong_root = ParseReceiveMessageResponse(kPublishReply);
  ASSERT_FALSE(wrong_root.ok());
  EXPECT_NE(wrong_root.status().message().find("<PublishResponse>"), std::string::npos);
  Result<std::vector<SqsMessage>> no_handle = ParseReceiveMessageResponse(
      "<ReceiveMessageResponse><ReceiveMessageResult><Message><MessageId>m</MessageId><Body>b</Body></"
      "Message>"
      "</ReceiveMessageResult></ReceiveMessageResponse>");
  ASSERT_FALSE(no_handle.ok());
  EXPECT_NE(no_handle.status().message().find("ReceiptHandle"), std::string::npos);
}

// ---------------------------------------------------------------------------------- the other SQS operations

TEST_F(SqsDeleteMessage, SendsQueueUrlAndReceiptHandle) {
  transport_.Push(200,
                  "<DeleteMessageResponse><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>"
                  "</DeleteMessageResponse>");
  const Status s = sqs_.DeleteMessage(std::string(kQueueUrl), "AQEB+abc/def==");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(
      transport_.requests().at(0).body,
      "Action=DeleteMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2F127.0.0.1%3A18080%2F123456789012%2Fq"
      "&ReceiptHandle=AQEB%2Babc%2Fdef%3D%3D");
}

TEST_F(SqsDeleteMessage, AnInvalidReceiptHandleComesBackAsTheReason) {
  transport_.Push(400, QueryError("ReceiptHandleIsInvalid", "The input receipt handle is invalid."));
  const Status s = sqs_.DeleteMessage(std::string(kQueueUrl), "bogus");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.reason(), "ReceiptHandleIsInvalid");
  EXPECT_EQ(sqs_.DeleteMessage(std::string(kQueueUrl), "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(transport_.requests().size(), 1u);
}

TEST_F(SqsDeleteMessage, AReplyThatIsNotADeleteMessageResponseIsAnError) {
  EXPECT_TRUE(ParseDeleteMessageResponse("<DeleteMessageResponse/>").ok());
  EXPECT_EQ(ParseDeleteMessageResponse("<DeleteMessageResponse><ResponseMetadata>").code(),
            StatusCode::kInternal);
  EXPECT_EQ(ParseDeleteMessageResponse("<html>gateway</html>").code(), StatusCode::kInternal);
}

TEST_F(SqsSendMessage, SendsBodyDelayAndFlattenedAttributesAndReturnsTheMessageId) {
  transport_.Push(200,
                  "<SendMessageResponse><SendMessageResult><MD5OfMessageBody>x</MD5OfMessageBody>"
                  "<MessageId>5fea7756-0ea4-451a-a703-a558b933e274</MessageId></SendMessageResult>"
                  "<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></SendMessageResponse>");
  SendMessageRequest request{std::string(kQueueUrl), R"({"a":1})", 5, {{"k", "v"}, {"kind", "retry"}}};
  Result<std::string> id = sqs_.SendMessage(request);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "5fea7756-0ea4-451a-a703-a558b933e274");
  EXPECT_EQ(Sent(0), (QueryParams{{"Action", "SendMessage"},
                                  {"Version", "2012-11-05"},
                                  {"QueueUrl", std::string(kQueueUrl)},
                                  {"MessageBody", R"({"a":1})"},
                                  {"DelaySeconds", "5"},
                                  {"MessageAttribute.1.Name", "k"},
                                  {"MessageAttribute.1.Value.DataType", "String"},
                                  {"MessageAttribute.1.Value.StringValue", "v"},
                                  {"MessageAttribute.2.Name", "kind"},
                                  {"MessageAttribute.2.Value.DataType", "String"},
                                  {"MessageAttribute.2.Value.StringValue", "retry"}}));
}

TEST_F(SqsSendMessage, MatchesTheAwscliCaptureWithoutADelay) {
  transport_.Push(200,
                  "<SendMessageResponse><SendMessageResult><MessageId>m</MessageId></SendMessageResult>"
                  "</SendMessageResponse>");
  ASSERT_TRUE(sqs_.SendMessage({std::string(kQueueUrl), R"({"a":1})", std::nullopt, {{"k", "v"}}}).ok());
  EXPECT_EQ(
      transport_.requests().at(0).body,
      "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2F127.0.0.1%3A18080%2F123456789012%2Fq"
      "&MessageBody=%7B%22a%22%3A1%7D&MessageAttribute.1.Name=k&MessageAttribute.1.Value.DataType=String"
      "&MessageAttribute.1.Value.StringValue=v");
}

TEST_F(SqsSendMessage, AReplyWithoutAMessageIdIsAnError) {
  EXPECT_EQ(ParseSendMessageResponse("<SendMessageResponse><SendMessageResult/></SendMessageResponse>")
                .status()
                .code(),
            StatusCode::kInternal);
  EXPECT_EQ(ParseSendMessageResponse("<SendMessageResponse><SendMessageResult><MessageId>m").status().code(),
            StatusCode::kInternal);
}

TEST_F(SqsSendMessage, AnEmptyBodyOrAnOutOfRangeDelayIsRefusedBeforeSending) {
  EXPECT_EQ(sqs_.SendMessage({std::string(kQueueUrl), "", std::nullopt, {}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(sqs_.SendMessage({std::string(kQueueUrl), "b", 901, {}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(SqsChangeMessageVisibility, SendsQueueUrlHandleAndTimeout) {
  transport_.Push(200,
                  "<ChangeMessageVisibilityResponse><ResponseMetadata><RequestId>r</RequestId>"
                  "</ResponseMetadata></ChangeMessageVisibilityResponse>");
  const Status s = sqs_.ChangeMessageVisibility(std::string(kQueueUrl), "rh-1", 300);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Sent(0), (QueryParams{{"Action", "ChangeMessageVisibility"},
                                  {"Version", "2012-11-05"},
                                  {"QueueUrl", std::string(kQueueUrl)},
                                  {"ReceiptHandle", "rh-1"},
                                  {"VisibilityTimeout", "300"}}));
  EXPECT_EQ(sqs_.ChangeMessageVisibility(std::string(kQueueUrl), "rh-1", 43201).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(transport_.requests().size(), 1u);
}

TEST_F(SqsGetQueueAttributes, SendsTheNamesAndParsesTheMap) {
  transport_.Push(200,
                  "<GetQueueAttributesResponse><GetQueueAttributesResult>"
                  "<Attribute><Name>ApproximateNumberOfMessages</Name><Value>12</Value></Attribute>"
                  "<Attribute><Name>VisibilityTimeout</Name><Value>30</Value></Attribute>"
                  "</GetQueueAttributesResult></GetQueueAttributesResponse>");
  Result<std::map<std::string, std::string>> attributes =
      sqs_.GetQueueAttributes(std::string(kQueueUrl), {"ApproximateNumberOfMessages", "VisibilityTimeout"});
  ASSERT_TRUE(attributes.ok()) << attributes.status().ToString();
  EXPECT_EQ(*attributes, (std::map<std::string, std::string>{{"ApproximateNumberOfMessages", "12"},
                                                             {"VisibilityTimeout", "30"}}));
  EXPECT_EQ(Sent(0), (QueryParams{{"Action", "GetQueueAttributes"},
                                  {"Version", "2012-11-05"},
                                  {"QueueUrl", std::string(kQueueUrl)},
                                  {"AttributeName.1", "ApproximateNumberOfMessages"},
                                  {"AttributeName.2", "VisibilityTimeout"}}));
}

TEST_F(SqsGetQueueAttributes, NoNamesAsksForAll) {
  transport_.Push(200,
                  "<GetQueueAttributesResponse><GetQueueAttributesResult/></GetQueueAttributesResponse>");
  Result<std::map<std::string, std::string>> attributes = sqs_.GetQueueAttributes(std::string(kQueueUrl), {});
  ASSERT_TRUE(attributes.ok()) << attributes.status().ToString();
  EXPECT_TRUE(attributes->empty());
  EXPECT_EQ(Sent(0), (QueryParams{{"Action", "GetQueueAttributes"},
                                  {"Version", "2012-11-05"},
                                  {"QueueUrl", std::string(kQueueUrl)},
                                  {"AttributeName.1", "All"}}));
}

TEST_F(SqsGetQueueAttributes, MalformedRepliesAreErrors) {
  for (std::string_view xml : {std::string_view(""), std::string_view("<GetQueueAttributesResponse>"),
                               std::string_view("<ErrorResponse/>"), std::string_view("\xef\xbb\xbf<x")}) {
    Result<std::map<std::string, std::string>> attributes = ParseGetQueueAttributesResponse(xml);
    ASSERT_FALSE(attributes.ok()) << xml;
    EXPECT_FALSE(attributes.status().message().empty());
  }
}

}  // namespace
}  // namespace glueguard
