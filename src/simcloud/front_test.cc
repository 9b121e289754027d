// The simcloud front: the pipeline on its own (Serve), the repo's AWS clients over real HTTP, and the Debian
// AWS CLI (/usr/bin/aws) as a subprocess, the proof that the wire formats are AWS's.
#include "simcloud/front.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "aws/aws_client.h"
#include "net/curl_transport.h"
#include "aws/sigv4.h"
#include "aws/sqs.h"
#include "aws/sts.h"
#include "net/url.h"
#include "simcloud/sns_service.h"
#include "simcloud/sqs_service.h"
#include "simcloud/sts_service.h"
#include "testing/aws_cli.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kTopic[] = "arn:aws:sns:us-east-1:123456789012:alerts";

// A request as a client signs it: POST / on 127.0.0.1:4566, a form body or (with a target) a JSON body.
ServerRequest Signed(std::string_view service, std::string body, Time now, std::string target = "",
                     std::string secret = kSecret) {
  SigningRequest request;
  request.method = "POST";
  request.host = "127.0.0.1:4566";
  request.path = "/";
  request.headers = {{"Host", request.host},
                     {"Content-Type", target.empty() ? "application/x-www-form-urlencoded; charset=utf-8"
                                                     : "application/x-amz-json-1.1"}};
  if (!target.empty()) request.headers.push_back({"X-Amz-Target", target});
  request.body = std::move(body);
  const SigningResult signature =
      SignV4(request, Credentials{"AKIDEXAMPLE", secret, "", {}, ""}, "us-east-1", service, now);
  ServerRequest r{"POST", "/", "", {}, request.headers, request.body, "127.0.0.1"};
  for (const HttpHeader& h : signature.headers_to_add) r.headers.push_back(h);
  return r;
}

ServerRequest Inspection(std::string method, std::string path, std::string body = "") {
  return ServerRequest{std::move(method), std::move(path), "", {}, {}, std::move(body), "127.0.0.1"};
}

int64_t CountOf(const Front& front, std::string_view service, std::string_view operation,
                std::string_view outcome) {
  for (const RequestCount& c : front.RequestCounts()) {
    if (c.service == service && c.operation == operation && c.outcome == outcome) return c.count;
  }
  return 0;
}

class FrontTest : public ::testing::Test {
 protected:
  explicit FrontTest(FrontOptions options = {}) : front_(std::move(options), clock_, random_, sleeper_) {
    EXPECT_TRUE(front_.Register("sqs", sqs_).ok());
    EXPECT_TRUE(front_.Register("sns", sns_).ok());
    EXPECT_TRUE(front_.Register("sts", sts_).ok());
    EXPECT_TRUE(sqs_.CreateQueue("q").ok());
  }

  FakeClock clock_;
  FakeSleeper sleeper_{clock_};
  SeededRandom random_{1};
  SqsService sqs_{clock_, random_};
  SnsService sns_{clock_, random_, SnsServiceOptions{"123456789012", "us-east-1", {kTopic}}};
  StsService sts_;
  Front front_;  // last: stopped first, before the services it calls
};

TEST_F(FrontTest, SignedCallReachesItsHandlerAsTheVerifiedCaller) {
  const ServerResponse r =
      front_.Serve(Signed("sts", "Action=GetCallerIdentity&Version=2011-06-15", clock_.Now()));
  ASSERT_EQ(r.status, 200) << r.body;
  Result<CallerIdentity> identity = ParseGetCallerIdentityResponse(r.body);
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_EQ(identity->account, "123456789012");
  EXPECT_EQ(identity->arn, "arn:aws:iam::123456789012:user/simcloud");
  EXPECT_EQ(identity->user_id, SimUserId("AKIDEXAMPLE"));
  EXPECT_EQ(CountOf(front_, "sts", "GetCallerIdentity", "ok"), 1);
}

TEST_F(FrontTest, AuthFailuresAreAnsweredInTheServicesShapeAndCounted) {
  const ServerResponse sqs =
      front_.Serve(Signed("sqs", "Action=ListQueues&Version=2012-11-05", clock_.Now(), "", "wrong-secret"));
  EXPECT_EQ(sqs.status, 403);
  EXPECT_NE(
      sqs.body.find("<ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><Error><Type>Sender"
                    "</Type><Code>SignatureDoesNotMatch</Code>"),
      std::string::npos)
      << sqs.body;
  const ServerResponse glue =
      front_.Serve(Signed("glue", "{}", clock_.Now(), "AWSGlue.GetSession", "wrong-secret"));
  EXPECT_EQ(glue.status, 400);
  EXPECT_NE(glue.body.find(R"("__type":"InvalidSignatureException")"), std::string::npos) << glue.body;
  ServerRequest expired = Signed("sts", "Action=GetCallerIdentity&Version=2011-06-15", clock_.Now());
  clock_.Advance(std::chrono::minutes(16));
  EXPECT_NE(front_.Serve(expired).body.find("Signature expired"), std::string::npos);
  EXPECT_EQ(CountOf(front_, "sqs", "ListQueues", "auth_failed"), 1);
  EXPECT_EQ(CountOf(front_, "glue", "GetSession", "auth_failed"), 1);
  EXPECT_EQ(CountOf(front_, "sts", "GetCallerIdentity", "auth_failed"), 1);
}

TEST_F(FrontTest, UnknownOperationsAreAnsweredAsAwsAnswersThem) {
  const ServerResponse query =
      front_.Serve(Signed("sqs", "Action=Frobnicate&Version=2012-11-05", clock_.Now()));
  EXPECT_EQ(query.status, 400);
  EXPECT_NE(
      query.body.find("<Code>InvalidAction</Code><Message>The action Frobnicate is not valid for this web "
                      "service.</Message>"),
      std::string::npos)
      << query.body;
  // No Glue handler is registered here: every Glue operation is unknown.
  const ServerResponse json = front_.Serve(Signed("glue", "{}", clock_.Now(), "AWSGlue.GetSession"));
  EXPECT_EQ(json.status, 400);
  EXPECT_EQ(json.body, R"({"__type":"UnknownOperationException"})");
  const ServerResponse no_action = front_.Serve(Signed("sqs", "Version=2012-11-05", clock_.Now()));
  EXPECT_NE(no_action.body.find("<Code>MissingAction</Code>"), std::string::npos);
  EXPECT_EQ(CountOf(front_, "sqs", "Frobnicate", "unknown_operation"), 1);
  EXPECT_EQ(CountOf(front_, "sqs", "", "bad_request"), 1);
}

TEST_F(FrontTest, HandlerErrorsAreCountedAsClientErrors) {
  const ServerResponse r = front_.Serve(Signed(
      "sns", "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3Anope&Message=m",
      clock_.Now()));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(CountOf(front_, "sns", "Publish", "client_error"), 1);
}

TEST_F(FrontTest, InspectionBypassesSigningAndIsRoutedByPath) {
  FakeClock clock;
  FakeSleeper sleeper(clock);
  SeededRandom random(2);
  Front front({}, clock, random, sleeper);
  ASSERT_TRUE(
      front
          .RegisterInspection("/_simcloud/sqs",
                              [](const ServerRequest& r) {
                                return ServerResponse{200, "application/json", {}, "[\"" + r.method + "\"]"};
                              })
          .ok());
  EXPECT_EQ(front.RegisterInspection("/_simcloud/sqs", nullptr).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(front.RegisterInspection("/sqs", nullptr).code(), StatusCode::kInvalidArgument);
  const ServerResponse r = front.Serve(Inspection("GET", "/_simcloud/sqs"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"(["GET"])");
  EXPECT_EQ(front.Serve(Inspection("GET", "/_simcloud/nothing")).status, 404);
  EXPECT_TRUE(front.RequestCounts().empty());  // inspection is not an AWS call
}

TEST_F(FrontTest, InjectedThrottlesAndServerErrorsNeverReachTheHandler) {
  ASSERT_TRUE(front_.faults().Set("sqs", {1, 0, 0, Duration(0)}).ok());
  const std::string send =
      "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Fh%2F1%2Fq&MessageBody=m";
  const ServerResponse throttled = front_.Serve(Signed("sqs", send, clock_.Now()));
  EXPECT_EQ(throttled.status, 403);
  EXPECT_NE(throttled.body.find("<Code>RequestThrottled</Code>"), std::string::npos);
  ASSERT_TRUE(front_.faults().Set("sqs", {0, 1, 0, Duration(0)}).ok());
  EXPECT_EQ(front_.Serve(Signed("sqs", send, clock_.Now())).status, 500);
  EXPECT_EQ(sqs_.Snapshot()[0].messages.size(), 0u);
  EXPECT_EQ(CountOf(front_, "sqs", "SendMessage", "throttled"), 1);
  EXPECT_EQ(CountOf(front_, "sqs", "SendMessage", "injected_server_error"), 1);
}

TEST_F(FrontTest, DroppedConnectionStillTakesEffect) {
  ASSERT_TRUE(front_.faults().Set("sqs", {0, 0, 1, Duration(0)}).ok());
  const ServerResponse r = front_.Serve(
      Signed("sqs", "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Fh%2F1%2Fq&MessageBody=m",
             clock_.Now()));
  EXPECT_TRUE(r.drop_connection);
  EXPECT_EQ(sqs_.Snapshot()[0].messages.size(), 1u);
  EXPECT_EQ(CountOf(front_, "sqs", "SendMessage", "dropped"), 1);
}

TEST_F(FrontTest, FaultsAreConfiguredAndReadThroughTheInspectionEndpoint) {
  const ServerResponse set =
      front_.Serve(Inspection("POST", "/_simcloud/faults", R"({"sts": {"throttle_rate": 1}})"));
  ASSERT_EQ(set.status, 200) << set.body;
  const ServerResponse r =
      front_.Serve(Signed("sts", "Action=GetCallerIdentity&Version=2011-06-15", clock_.Now()));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("<Code>Throttling</Code>"), std::string::npos);
  const nlohmann::json state =
      nlohmann::json::parse(front_.Serve(Inspection("GET", "/_simcloud/faults")).body);
  EXPECT_EQ(state["config"]["sts"]["throttle_rate"], 1.0);
  EXPECT_EQ(state["counters"]["sts"]["throttled"], 1);
  const ServerResponse bad =
      front_.Serve(Inspection("POST", "/_simcloud/faults", R"({"sts": {"throttle_rate": 2}})"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("throttle_rate must be between 0 and 1"), std::string::npos) << bad.body;
  EXPECT_EQ(front_.faults().RatesFor("sts").throttle_rate, 1);
  const nlohmann::json counts =
      nlohmann::json::parse(front_.Serve(Inspection("GET", "/_simcloud/requests")).body);
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts[0]["outcome"], "throttled");
  EXPECT_EQ(counts[0]["count"], 1);
}

TEST_F(FrontTest, RegistrationRefusesUnknownServicesDuplicatesAndLateCalls) {
  StsService other;
  EXPECT_EQ(front_.Register("dynamodb", other).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(front_.Register("sts", other).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(front_.Start().ok());
  EXPECT_EQ(front_.Register("ec2", other).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(front_.RegisterInspection("/_simcloud/late", nullptr).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(front_.Start().code(), StatusCode::kFailedPrecondition);
  front_.Stop();
  front_.Stop();
}

TEST(FrontStart, AListenErrorNamesTheAddress) {
  auto taken = HttpServer::Start({}, [](const ServerRequest&) { return ServerResponse{}; });
  ASSERT_TRUE(taken.ok());
  FrontOptions options;
  options.server.port = (*taken)->port();
  FakeClock clock;
  FakeSleeper sleeper(clock);
  SeededRandom random(9);
  Front front(options, clock, random, sleeper);
  const Status started = front.Start();
  EXPECT_EQ(started.code(), StatusCode::kUnavailable);
  EXPECT_NE(started.message().find("127.0.0.1:" + std::to_string(options.server.port)), std::string::npos)
      << started.message();
  EXPECT_EQ(front.port(), 0);
}

class UnverifiedFrontTest : public FrontTest {
 protected:
  static FrontOptions Unverified() {
    FrontOptions options;
    options.verify_signatures = false;
    return options;
  }
  UnverifiedFrontTest() : FrontTest(Unverified()) {}
};

TEST_F(UnverifiedFrontTest, UnsignedCallsAreServedAsTheFirstCredential) {
  ServerRequest unsigned_request = Inspection("POST", "/", "Action=GetCallerIdentity&Version=2011-06-15");
  const ServerResponse r = front_.Serve(unsigned_request);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<Account>123456789012</Account>"), std::string::npos);
}

// The repo's own clients against the front over real HTTP, sharing the front's fake clock.
class FrontOverHttpTest : public FrontTest {
 protected:
  FrontOverHttpTest() {
    EXPECT_TRUE(front_.Start().ok());
    environment_ = std::make_unique<AwsEnvironment>(*AwsEnvironment::FromConfig(
        FixedEnv({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", front_.endpoint()}}), SharedConfig{}));
    client_ = std::make_unique<AwsClient>(transport_, credentials_, *environment_, clock_, client_random_,
                                          sleeper_);
  }
  std::string QueueUrl() const { return front_.endpoint() + "/123456789012/q"; }

  CurlTransport transport_;
  StaticCredentialsProvider credentials_{Credentials{"AKIDEXAMPLE", kSecret, "", {}, "test"}};
  SeededRandom client_random_{3};
  std::unique_ptr<AwsEnvironment> environment_;
  std::unique_ptr<AwsClient> client_;
};

TEST_F(FrontOverHttpTest, RepoClientsTalkToTheFront) {
  StsClient sts(*client_);
  Result<CallerIdentity> identity = sts.GetCallerIdentity();
  ASSERT_TRUE(identity.ok()) << identity.status().ToString();
  EXPECT_EQ(identity->arn, "arn:aws:iam::123456789012:user/simcloud");

  SqsClient sqs(*client_);
  ASSERT_TRUE(sqs.SendMessage({QueueUrl(), "over http", std::nullopt, {{"k", "v"}}}).ok());
  ReceiveMessageRequest receive;
  receive.queue_url = QueueUrl();
  Result<std::vector<SqsMessage>> messages = sqs.ReceiveMessage(receive);
  ASSERT_TRUE(messages.ok()) << messages.status().ToString();
  ASSERT_EQ(messages->size(), 1u);
  EXPECT_EQ((*messages)[0].body, "over http");
  EXPECT_TRUE(sqs.DeleteMessage(QueueUrl(), (*messages)[0].receipt_handle).ok());
}

TEST_F(FrontOverHttpTest, InjectedThrottlingIsRetriedByTheClientThenReported) {
  ASSERT_TRUE(front_.faults().Set("sts", {1, 0, 0, Duration(0)}).ok());
  StsClient sts(*client_);
  Result<CallerIdentity> identity = sts.GetCallerIdentity();
  ASSERT_FALSE(identity.ok());
  EXPECT_EQ(identity.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(identity.status().reason(), "Throttling");
  EXPECT_EQ(CountOf(front_, "sts", "GetCallerIdentity", "throttled"), 3);  // the client's three attempts
}

TEST_F(FrontOverHttpTest, DroppedConnectionReachesTheClientAsAConnectionError) {
  ASSERT_TRUE(front_.faults().Set("sts", {0, 0, 1, Duration(0)}).ok());
  StsClient sts(*client_);
  Result<CallerIdentity> identity = sts.GetCallerIdentity();
  ASSERT_FALSE(identity.ok());
  EXPECT_EQ(identity.status().reason(), "ConnectionError") << identity.status().ToString();
}

TEST_F(FrontOverHttpTest, StopEndsALongPollInProgress) {
  std::thread poller([&] {
    SqsClient sqs(*client_);
    ReceiveMessageRequest receive;
    receive.queue_url = QueueUrl();
    receive.wait_time_seconds = 20;
    (void)sqs.ReceiveMessage(receive);  // empty, or an error if the server went first
  });
  // The fault injector counts a call just before its handler runs: wait for the poll to be under way.
  while (front_.faults().counters()["sqs"].calls == 0) std::this_thread::yield();
  front_.Stop();  // the fake clock never moves: only Stop can end the 20 s poll
  poller.join();
}

// ---- The Debian AWS CLI ----

using testing::CliRun;

// A front on the wall clock (the CLI signs with the real time), with SQS, SNS and STS.
class AwsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::HaveAwsCli())
      GTEST_SKIP() << testing::kAwsCli << " is not installed (apt-get install awscli)";
    ASSERT_TRUE(front_.Register("sqs", sqs_).ok());
    ASSERT_TRUE(front_.Register("sns", sns_).ok());
    ASSERT_TRUE(front_.Register("sts", sts_).ok());
    ASSERT_TRUE(front_.Start().ok());
  }

  CliRun Aws(const std::vector<std::string>& args, const std::string& secret = kSecret) {
    return testing::RunAwsCli(front_.endpoint(), dir_, args, secret);
  }

  testing::TempDir dir_;
  SystemClock clock_;
  FakeClock sleeper_clock_;
  FakeSleeper sleeper_{sleeper_clock_};
  SeededRandom random_{4};
  SqsService sqs_{clock_, random_};
  SnsService sns_{clock_, random_, SnsServiceOptions{"123456789012", "us-east-1", {kTopic}}};
  StsService sts_;
  Front front_{FrontOptions{}, clock_, random_, sleeper_};
};

TEST_F(AwsCliTest, StsSnsAndSqsCommandsWork) {
  CliRun r = Aws({"sts", "get-caller-identity"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json()["Account"], "123456789012") << r.out;
  EXPECT_EQ(r.json()["Arn"], "arn:aws:iam::123456789012:user/simcloud");
  EXPECT_EQ(r.json()["UserId"], SimUserId("AKIDEXAMPLE"));

  r = Aws({"sns", "publish", "--topic-arn", kTopic, "--subject", "Subj", "--message", "hello & <world>",
           "--message-attributes", R"({"k": {"DataType": "String", "StringValue": "v"}})"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<SnsPublished> published = sns_.Published();
  ASSERT_EQ(published.size(), 1u);
  EXPECT_EQ(r.json()["MessageId"], published[0].message_id);
  EXPECT_EQ(published[0].message, "hello & <world>");
  EXPECT_EQ(published[0].subject, "Subj");
  EXPECT_EQ(published[0].attributes.at("k").string_value, "v");

  r = Aws({"sqs", "create-queue", "--queue-name", "e2e"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string queue_url = r.json()["QueueUrl"];
  EXPECT_EQ(queue_url, front_.endpoint() + "/123456789012/e2e");

  r = Aws({"sqs", "send-message", "--queue-url", queue_url, "--message-body", "body & <xml>\r\nline two",
           "--message-attributes", R"({"k": {"DataType": "String", "StringValue": "v"}})"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json()["MD5OfMessageBody"], Md5Hex("body & <xml>\r\nline two"));
  const std::string message_id = r.json()["MessageId"];

  r = Aws({"sqs", "receive-message", "--queue-url", queue_url, "--attribute-names", "All",
           "--message-attribute-names", "All"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json message = r.json()["Messages"][0];
  EXPECT_EQ(message["MessageId"], message_id) << r.out;
  EXPECT_EQ(message["Body"], "body & <xml>\r\nline two");
  EXPECT_EQ(message["Attributes"]["ApproximateReceiveCount"], "1");
  EXPECT_EQ(message["Attributes"]["SenderId"], "AKIDEXAMPLE");
  EXPECT_EQ(message["MessageAttributes"]["k"]["StringValue"], "v");

  r = Aws({"sqs", "delete-message", "--queue-url", queue_url, "--receipt-handle", message["ReceiptHandle"]});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  r = Aws({"sqs", "get-queue-attributes", "--queue-url", queue_url, "--attribute-names", "All"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.json()["Attributes"]["ApproximateNumberOfMessages"], "0") << r.out;
  EXPECT_EQ(r.json()["Attributes"]["ApproximateNumberOfMessagesNotVisible"], "0");
  EXPECT_EQ(r.json()["Attributes"]["QueueArn"], "arn:aws:sqs:us-east-1:123456789012:e2e");
  EXPECT_EQ(CountOf(front_, "sqs", "DeleteMessage", "ok"), 1);
}

TEST_F(AwsCliTest, AWrongSecretIsRefusedWithSignatureDoesNotMatch) {
  const CliRun r = Aws({"sts", "get-caller-identity"}, "not-the-secret");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("SignatureDoesNotMatch"), std::string::npos) << r.err;
  EXPECT_EQ(CountOf(front_, "sts", "GetCallerIdentity", "auth_failed"), 1);
}

}  // namespace
}  // namespace glueguard
