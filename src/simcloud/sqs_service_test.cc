// SqsService through the repo's own SQS client (over a FakeTransport that hands each request to the service)
// and through direct calls, with a FakeClock for visibility timeouts and long polls.
#include "simcloud/sqs_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <pugixml.hpp>
#include <thread>

#include "aws/sqs.h"
#include "net/url.h"
#include "testing/fake_aws.h"
#include "testing/service_delivery.h"

namespace glueguard {
namespace {

using std::chrono::seconds;

constexpr char kQueueUrl[] = "http://127.0.0.1:1/123456789012/q";

class SqsServiceTest : public ::testing::Test {
 protected:
  SqsServiceTest() {
    aws_.transport.set_handler(
        [this](const HttpRequest& r) { return testing::DeliverToService(sqs_, r, "us-east-1"); });
    EXPECT_TRUE(sqs_.CreateQueue("q").ok());
  }

  AwsCall Call(std::string operation, FormParams params) {
    AwsCall call;
    call.service = "sqs";
    call.protocol = WireProtocol::kQuery;
    call.operation = std::move(operation);
    call.params = std::move(params);
    call.request_id = "rid";
    call.host = "127.0.0.1:1";
    call.path = "/";
    call.caller.access_key_id = "AKIDEXAMPLE";
    return call;
  }

  // Receives with a visibility timeout through the client.
  std::vector<SqsMessage> Receive(int visibility_timeout, int max = 10) {
    ReceiveMessageRequest request;
    request.queue_url = kQueueUrl;
    request.max_number_of_messages = max;
    request.visibility_timeout = visibility_timeout;
    Result<std::vector<SqsMessage>> messages = client_.ReceiveMessage(request);
    EXPECT_TRUE(messages.ok()) << messages.status().ToString();
    return messages.ok() ? *messages : std::vector<SqsMessage>{};
  }

  std::string Send(std::string body) {
    Result<std::string> id = client_.SendMessage({kQueueUrl, std::move(body), std::nullopt, {}});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : "";
  }

  testing::FakeAws aws_;
  SeededRandom random_{11};
  SqsService sqs_{aws_.clock, random_};
  SqsClient client_{aws_.client};
};

TEST_F(SqsServiceTest, SendReceiveDeleteThroughTheRepoClient) {
  SendMessageRequest send{kQueueUrl, "body & <xml>", std::nullopt, {{"k", "v"}}};
  Result<std::string> id = client_.SendMessage(send);
  ASSERT_TRUE(id.ok()) << id.status().ToString();

  const std::vector<SqsMessage> messages = Receive(30);
  ASSERT_EQ(messages.size(), 1u);
  const SqsMessage& m = messages[0];
  EXPECT_EQ(m.message_id, *id);
  EXPECT_EQ(m.body, "body & <xml>");
  EXPECT_EQ(m.md5_of_body, "983a5d577e2f24f8ae645f5b70f98576");
  EXPECT_EQ(m.attributes.at("SenderId"), "AKIDEXAMPLE");
  EXPECT_EQ(m.attributes.at("SentTimestamp"), std::to_string(ToUnixMillis(aws_.clock.Now())));
  EXPECT_EQ(m.attributes.at("ApproximateReceiveCount"), "1");
  EXPECT_EQ(m.attributes.at("ApproximateFirstReceiveTimestamp"),
            std::to_string(ToUnixMillis(aws_.clock.Now())));
  EXPECT_EQ(m.message_attributes.at("k").data_type, "String");
  EXPECT_EQ(m.message_attributes.at("k").string_value, "v");

  ASSERT_TRUE(client_.DeleteMessage(kQueueUrl, m.receipt_handle).ok());
  Result<std::map<std::string, std::string>> attributes = client_.GetQueueAttributes(kQueueUrl, {});
  ASSERT_TRUE(attributes.ok());
  EXPECT_EQ(attributes->at("ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(attributes->at("ApproximateNumberOfMessagesNotVisible"), "0");
  // Deleting a message that is already gone succeeds, as on SQS.
  EXPECT_TRUE(client_.DeleteMessage(kQueueUrl, m.receipt_handle).ok());
}

TEST_F(SqsServiceTest, SendMessageAnswersTheMd5sOfBodyAndAttributes) {
  const ServerResponse r = sqs_.Handle(Call("SendMessage", {{"QueueUrl", kQueueUrl},
                                                            {"MessageBody", "body & <xml>"},
                                                            {"MessageAttribute.1.Name", "k"},
                                                            {"MessageAttribute.1.Value.DataType", "String"},
                                                            {"MessageAttribute.1.Value.StringValue", "v"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<MD5OfMessageBody>983a5d577e2f24f8ae645f5b70f98576</MD5OfMessageBody>"),
            std::string::npos);
  EXPECT_NE(r.body.find("<MD5OfMessageAttributes>0a77b0642718c3d9dd47090567d11e0d</MD5OfMessageAttributes>"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5OfMessageAttributes(
                {{"k", {"String", "v", ""}}, {"b", {"Binary", "", "AAEC"}}, {"n", {"Number", "42", ""}}}),
            "de8a40ad098362daf3f78fb54a6a0da4");
}

TEST_F(SqsServiceTest, VisibilityTimeoutHidesAMessageUntilItRunsOutOnTheClock) {
  Send("m");
  const std::vector<SqsMessage> first = Receive(30);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(Receive(30).empty());
  aws_.clock.Advance(seconds(29));
  EXPECT_TRUE(Receive(30).empty());
  aws_.clock.Advance(seconds(1));
  const std::vector<SqsMessage> second = Receive(30);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].attributes.at("ApproximateReceiveCount"), "2");
  EXPECT_NE(second[0].receipt_handle, first[0].receipt_handle);

  // Only the latest receipt handle acts on the message.
  const Status stale = client_.DeleteMessage(kQueueUrl, first[0].receipt_handle);
  EXPECT_EQ(stale.reason(), "ReceiptHandleIsInvalid") << stale.ToString();
  EXPECT_EQ(client_.DeleteMessage(kQueueUrl, "garbage").reason(), "ReceiptHandleIsInvalid");
  EXPECT_TRUE(client_.DeleteMessage(kQueueUrl, second[0].receipt_handle).ok());
  aws_.clock.Advance(seconds(60));
  EXPECT_TRUE(Receive(30).empty());
}

TEST_F(SqsServiceTest, ChangeMessageVisibilityAppliesOnlyToMessagesInFlight) {
  Send("m");
  const std::vector<SqsMessage> received = Receive(300);
  ASSERT_EQ(received.size(), 1u);
  ASSERT_TRUE(client_.ChangeMessageVisibility(kQueueUrl, received[0].receipt_handle, 0).ok());
  const std::vector<SqsMessage> again = Receive(300);
  ASSERT_EQ(again.size(), 1u);
  ASSERT_TRUE(client_.ChangeMessageVisibility(kQueueUrl, again[0].receipt_handle, 10).ok());
  aws_.clock.Advance(seconds(10));
  EXPECT_EQ(client_.ChangeMessageVisibility(kQueueUrl, again[0].receipt_handle, 10).reason(),
            "MessageNotInflight");
}

TEST_F(SqsServiceTest, AnUnknownQueueIsNonExistentQueue) {
  Result<std::string> sent =
      client_.SendMessage({"http://127.0.0.1:1/123456789012/nope", "m", std::nullopt, {}});
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(sent.status().reason(), "AWS.SimpleQueueService.NonExistentQueue");
  const ServerResponse r = sqs_.Handle(Call("GetQueueUrl", {{"QueueName", "nope"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("<Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code>"),
            std::string::npos);
}

TEST_F(SqsServiceTest, ReceiveRefusesParametersOutOfRange) {
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"MaxNumberOfMessages", "11"},
                                                        {"MaxNumberOfMessages", "0"},
                                                        {"WaitTimeSeconds", "21"},
                                                        {"VisibilityTimeout", "43201"},
                                                        {"MaxNumberOfMessages", "ten"}}) {
    const ServerResponse r = sqs_.Handle(Call("ReceiveMessage", {{"QueueUrl", kQueueUrl}, {name, value}}));
    EXPECT_EQ(r.status, 400) << name;
    EXPECT_NE(
        r.body.find("<Code>InvalidParameterValue</Code><Message>Value " + value + " for parameter " + name),
        std::string::npos)
        << r.body;
  }
}

TEST_F(SqsServiceTest, ReceiveAnswersAtMostMaxNumberOfMessagesInSendOrder) {
  for (int i = 0; i < 12; ++i) Send("m" + std::to_string(i));
  const std::vector<SqsMessage> batch = Receive(30, 10);
  ASSERT_EQ(batch.size(), 10u);
  EXPECT_EQ(batch[0].body, "m0");
  EXPECT_EQ(batch[9].body, "m9");
  EXPECT_EQ(Receive(30, 10).size(), 2u);
}

TEST_F(SqsServiceTest, LongPollReturnsWhenAMessageArrives) {
  std::vector<SqsMessage> received;
  std::thread poller([&] {
    ReceiveMessageRequest request;
    request.queue_url = kQueueUrl;
    request.wait_time_seconds = 20;
    Result<std::vector<SqsMessage>> r = client_.ReceiveMessage(request);
    if (r.ok()) received = *r;
  });
  // The fake clock never moves here: the poll can only end because the message woke it.
  ASSERT_TRUE(sqs_.Send("q", "wake up").ok());
  poller.join();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].body, "wake up");
}

TEST_F(SqsServiceTest, LongPollEndsEmptyWhenItsWaitRunsOutOnTheClock) {
  std::atomic<bool> done{false};
  size_t count = 99;
  std::thread poller([&] {
    ReceiveMessageRequest request;
    request.queue_url = kQueueUrl;
    request.wait_time_seconds = 5;
    Result<std::vector<SqsMessage>> r = client_.ReceiveMessage(request);
    count = r.ok() ? r->size() : 100;
    done = true;
  });
  while (!done) {
    aws_.clock.Advance(seconds(1));
    std::this_thread::yield();
  }
  poller.join();
  EXPECT_EQ(count, 0u);
}

TEST_F(SqsServiceTest, ShutdownEndsLongPollsAndLaterOnesDoNotWait) {
  std::atomic<int> polls_done{0};
  auto poll = [&] {
    sqs_.Handle(Call("ReceiveMessage", {{"QueueUrl", kQueueUrl}, {"WaitTimeSeconds", "20"}}));
    ++polls_done;
  };
  std::thread poller(poll);
  sqs_.Shutdown();
  poller.join();
  poll();
  EXPECT_EQ(polls_done.load(), 2);
}

TEST_F(SqsServiceTest, QueueAttributesCountVisibleInFlightAndDelayedMessages) {
  Send("a");
  Send("b");
  ASSERT_TRUE(client_.SendMessage({kQueueUrl, "later", 60, {}}).ok());
  ASSERT_EQ(Receive(30, 1).size(), 1u);
  Result<std::map<std::string, std::string>> all = client_.GetQueueAttributes(kQueueUrl, {});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->at("ApproximateNumberOfMessages"), "1");
  EXPECT_EQ(all->at("ApproximateNumberOfMessagesNotVisible"), "1");
  EXPECT_EQ(all->at("ApproximateNumberOfMessagesDelayed"), "1");
  EXPECT_EQ(all->at("VisibilityTimeout"), "30");
  EXPECT_EQ(all->at("QueueArn"), "arn:aws:sqs:us-east-1:123456789012:q");
  EXPECT_EQ(all->at("CreatedTimestamp"), std::to_string(ToUnixMillis(aws_.clock.Now()) / 1000));
  Result<std::map<std::string, std::string>> one = client_.GetQueueAttributes(kQueueUrl, {"QueueArn"});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
  EXPECT_EQ(client_.GetQueueAttributes(kQueueUrl, {"Bogus"}).status().reason(), "InvalidAttributeName");
}

TEST_F(SqsServiceTest, CreateQueueAnswersAUrlOnTheCallersHostAndRefusesConflictingAttributes) {
  const ServerResponse created = sqs_.Handle(Call(
      "CreateQueue",
      {{"QueueName", "events"}, {"Attribute.1.Name", "VisibilityTimeout"}, {"Attribute.1.Value", "45"}}));
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_NE(created.body.find("<QueueUrl>http://127.0.0.1:1/123456789012/events</QueueUrl>"),
            std::string::npos);
  const ServerResponse same = sqs_.Handle(Call("CreateQueue", {{"QueueName", "events"}}));
  EXPECT_EQ(same.status, 200);
  const ServerResponse conflict = sqs_.Handle(
      Call("CreateQueue",
           {{"QueueName", "events"}, {"Attribute.1.Name", "VisibilityTimeout"}, {"Attribute.1.Value", "5"}}));
  EXPECT_NE(conflict.body.find("<Code>QueueAlreadyExists</Code>"), std::string::npos) << conflict.body;
  EXPECT_NE(sqs_.Handle(Call("CreateQueue", {{"QueueName", "bad name!"}})).body.find("InvalidParameterValue"),
            std::string::npos);
  const ServerResponse listed = sqs_.Handle(Call("ListQueues", {{"QueueNamePrefix", "ev"}}));
  EXPECT_NE(listed.body.find("<ListQueuesResult><QueueUrl>http://127.0.0.1:1/123456789012/events</QueueUrl>"
                             "</ListQueuesResult>"),
            std::string::npos)
      << listed.body;
}

TEST_F(SqsServiceTest, PurgeEmptiesAndAQueueCanBeAddressedByPath) {
  Send("a");
  AwsCall purge = Call("PurgeQueue", {});
  purge.path = "/123456789012/q";
  EXPECT_EQ(sqs_.Handle(purge).status, 200);
  EXPECT_TRUE(Receive(30).empty());
  EXPECT_NE(sqs_.Handle(Call("PurgeQueue", {})).body.find("<Code>MissingParameter</Code>"),
            std::string::npos);
}

TEST_F(SqsServiceTest, InProcessSendAndSnapshot) {
  Result<std::string> id = sqs_.Send("q", R"({"detail-type":"AWS API Call via CloudTrail"})");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(sqs_.Send("missing", "x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(sqs_.Send("q", std::string("bad\x01", 4)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(sqs_.Send("q", "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(sqs_.CreateQueue("no spaces").code(), StatusCode::kInvalidArgument);
  const std::vector<SqsQueueSnapshot> snapshot = sqs_.Snapshot();
  ASSERT_EQ(snapshot.size(), 1u);
  EXPECT_EQ(snapshot[0].name, "q");
  EXPECT_EQ(snapshot[0].visible, 1);
  ASSERT_EQ(snapshot[0].messages.size(), 1u);
  EXPECT_EQ(snapshot[0].messages[0].message_id, *id);
  const std::vector<SqsMessage> received = Receive(30);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].attributes.at("SenderId"), "simcloud");
  EXPECT_EQ(sqs_.Snapshot()[0].in_flight, 1);
}

TEST_F(SqsServiceTest, MessagesOlderThanTheRetentionPeriodAreDropped) {
  Send("old");
  aws_.clock.Advance(seconds(345600));
  EXPECT_TRUE(Receive(30).empty());
}

}  // namespace
}  // namespace glueguard
