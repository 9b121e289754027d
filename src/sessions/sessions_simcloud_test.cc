// Session boundaries end to end against simcloud: sessions created with Debian's AWS CLI, their CloudTrail
// events read from simcloud's SQS queue, enforcement through simcloud's Glue, notifications on its SNS.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/environment.h"
#include "net/curl_transport.h"
#include "sessions/reconciler.h"
#include "sessions/sqs_dead_letters.h"
#include "sessions/sqs_intake.h"
#include "simcloud/simcloud.h"
#include "testing/aws_cli.h"
#include "testing/simcloud_aws.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

constexpr char kTopic[] = "arn:aws:sns:us-east-1:123456789012:glueguard-sessions";

class SessionsAgainstSimcloud : public ::testing::Test {
 protected:
  void Start(SessionAction action, double cloudtrail_drop_rate = 0) {
    if (!testing::HaveAwsCli()) GTEST_SKIP() << "/usr/bin/aws is not installed (apt-get install awscli)";
    workload_ = *LoadWorkloadFile(std::string(GLUEGUARD_SOURCE_DIR) + "/examples/workloads/seed-after.yaml");
    SimCloudOptions options;
    // Sessions leave PROVISIONING within a fraction of a real second (and idle out after 480 simulated
    // minutes, 48 real seconds: longer than any test).
    options.world.speed = 600;
    options.world.run_arrivals = false;
    options.sns_topics = {kTopic};
    options.cloudtrail.drop_rate = cloudtrail_drop_rate;
    cloud_ =
        std::move(*SimCloud::Create(workload_, options, wall_, cloud_random_, cloud_sleeper_, transport_));
    ASSERT_TRUE(cloud_->Start().ok());
    // Requests are signed with the wall clock (simcloud checks the skew); retries wait on the fake sleeper.
    aws_ = std::make_unique<testing::SimcloudAws>(cloud_->endpoint(), transport_, wall_, aws_sleeper_, 22);
    glue_ = std::make_unique<GlueClient>(aws_->client);
    sqs_ = std::make_unique<SqsClient>(aws_->client);
    sns_ = std::make_unique<SnsClient>(aws_->client);
    notifier_ = std::make_unique<SnsNotifier>(*sns_, kTopic);

    config_.configured = true;
    config_.policy.action = action;
    config_.policy.defaults.max_workers = 10;
    config_.policy.defaults.require_vpc_connection = true;
    config_.max_attempts = 3;
    // The handler's waits run on a fake clock: polling GetSession while the (fast) world provisions the
    // session costs no real sleep, only requests; an hour of fake time bounds it.
    config_.provisioning_wait = std::chrono::hours(1);
    config_.queue_url = cloud_->endpoint() + "/123456789012/glueguard-cloudtrail";
    handler_ = std::make_unique<SessionEventHandler>(SessionHandlerDeps{
        config_, *glue_, *notifier_, *store_, *store_, clock_, sleeper_, random_, nullptr, {}});
    SqsIntakeOptions intake;
    intake.queue_url = config_.queue_url;
    intake.wait_time_seconds = 0;
    intake_ = std::make_unique<SqsIntake>(*sqs_, *handler_, clock_, intake);
  }

  testing::CliRun Aws(const std::vector<std::string>& args) {
    return testing::RunAwsCli(cloud_->endpoint(), dir_, args);
  }
  void CreateSession(const std::string& id, int workers) {
    testing::CliRun created = Aws(
        {"glue", "create-session", "--id", id, "--role", "arn:aws:iam::123456789012:role/GlueSessionRole",
         "--command", "Name=glueetl,PythonVersion=3", "--number-of-workers", std::to_string(workers),
         "--worker-type", "G.1X", "--idle-timeout", "480", "--connections", "Connections=glue-vpc-adhoc"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
  }
  bool SessionExists(const std::string& id) {
    return Aws({"glue", "get-session", "--id", id}).exit_code == 0;
  }
  std::vector<SnsPublished> Published() { return cloud_->sns().Published(); }
  testing::TempDir dir_;
  Workload workload_;
  SystemClock wall_;
  FakeClock cloud_sleeper_clock_;
  FakeSleeper cloud_sleeper_{cloud_sleeper_clock_};
  FakeClock aws_sleeper_clock_;
  FakeSleeper aws_sleeper_{aws_sleeper_clock_};
  SeededRandom cloud_random_{21};
  SeededRandom random_{23};
  FakeClock clock_;
  FakeSleeper sleeper_{clock_};
  CurlTransport transport_;
  std::unique_ptr<SimCloud> cloud_;
  std::unique_ptr<testing::SimcloudAws> aws_;
  std::unique_ptr<GlueClient> glue_;
  std::unique_ptr<SqsClient> sqs_;
  std::unique_ptr<SnsClient> sns_;
  std::unique_ptr<SnsNotifier> notifier_;
  SessionsConfig config_;
  std::unique_ptr<SessionStore> store_ = NewMemorySessionStore();
  std::unique_ptr<SessionEventHandler> handler_;
  std::unique_ptr<SqsIntake> intake_;
};

TEST_F(SessionsAgainstSimcloud, ASessionOverTheLimitsIsStoppedDeletedAndReported) {
  Start(SessionAction::kEnforce);
  if (IsSkipped()) return;
  CreateSession("notebook-big", 12);  // over the limit of 10; the subnet has room, so it runs
  CreateSession("notebook-small", 4);
  Result<SqsIntake::PollStats> polled = intake_->PollOnce();
  ASSERT_TRUE(polled.ok()) << polled.status().ToString();
  EXPECT_EQ(polled->received, 2);
  EXPECT_EQ(polled->deleted, 2);
  EXPECT_FALSE(SessionExists("notebook-big"));
  EXPECT_TRUE(SessionExists("notebook-small"));
  const auto published = Published();
  ASSERT_EQ(published.size(), 1u);
  EXPECT_NE(published[0].message.find("notebook-big"), std::string::npos) << published[0].message;
  EXPECT_NE(published[0].message.find("12"), std::string::npos) << published[0].message;
  EXPECT_NE(published[0].message.find("10"), std::string::npos) << published[0].message;
  // Every message was deleted once handled.
  EXPECT_EQ(intake_->PollOnce()->received, 0);
}

TEST_F(SessionsAgainstSimcloud, ReportModeLeavesTheSessionAndStillNotifies) {
  Start(SessionAction::kReport);
  if (IsSkipped()) return;
  CreateSession("notebook-big", 40);
  ASSERT_EQ(intake_->PollOnce()->deleted, 1);
  EXPECT_TRUE(SessionExists("notebook-big"));
  ASSERT_EQ(Published().size(), 1u);
  EXPECT_NE(Published()[0].subject.find("notebook-big"), std::string::npos) << Published()[0].subject;
}

TEST_F(SessionsAgainstSimcloud, PersistentGlueErrorsDeadLetterTheEventWhichReplaysOnceTheyStop) {
  Start(SessionAction::kEnforce);
  if (IsSkipped()) return;
  CreateSession("notebook-big", 40);
  FaultRates failing;
  failing.server_error_rate = 1.0;
  ASSERT_TRUE(cloud_->front().faults().Set("glue", failing).ok());
  Result<SqsIntake::PollStats> polled = intake_->PollOnce();
  ASSERT_TRUE(polled.ok());
  EXPECT_EQ(polled->deleted, 1);  // parked, so safe to delete
  ASSERT_EQ(*store_->DeadLetterCount(), 1);
  const DeadLetter letter = (*store_->DeadLetters(1))[0];
  EXPECT_EQ(letter.attempts, 3);
  EXPECT_NE(letter.error.find("GetSession"), std::string::npos) << letter.error;
  EXPECT_TRUE(Published().empty());

  ASSERT_TRUE(cloud_->front().faults().Set("glue", FaultRates{}).ok());
  EXPECT_TRUE(SessionExists("notebook-big"));
  Result<HandleResult> replayed = handler_->Replay(letter.id, {});
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_EQ(replayed->outcome, EventOutcome::kViolation);
  EXPECT_FALSE(SessionExists("notebook-big"));
  EXPECT_EQ(*store_->DeadLetterCount(), 0);
  EXPECT_EQ(Published().size(), 1u);
}

TEST_F(SessionsAgainstSimcloud, ASessionWhoseEventWasDroppedIsCaughtByTheSweep) {
  Start(SessionAction::kEnforce, /*cloudtrail_drop_rate=*/1.0);
  if (IsSkipped()) return;
  CreateSession("notebook-silent", 12);  // over the limit of 10, and room for it in the subnet
  EXPECT_EQ(intake_->PollOnce()->received, 0);
  // The sweep judges age by the simulated clock that stamps CreatedOn: 11 minutes on, past the 10-minute
  // grace.
  FakeClock sim_clock(cloud_->sim().Now() + std::chrono::minutes(11));
  SessionReconciler reconciler(*glue_, *store_, *handler_, sim_clock, std::chrono::minutes(10));
  Result<SweepStats> swept = reconciler.Sweep({});
  ASSERT_TRUE(swept.ok()) << swept.status().ToString();
  EXPECT_EQ(swept->live, 1) << cloud_->StateJson();
  EXPECT_EQ(swept->too_young, 0);
  EXPECT_EQ(swept->unannounced, 1);
  EXPECT_EQ(swept->violations, 1);
  EXPECT_FALSE(SessionExists("notebook-silent"));
  ASSERT_EQ(Published().size(), 1u);
  EXPECT_NE(Published()[0].message.find("notebook-silent"), std::string::npos);
}

TEST_F(SessionsAgainstSimcloud, ADuplicateDeliveryActsOnce) {
  Start(SessionAction::kReport);
  if (IsSkipped()) return;
  CreateSession("notebook-big", 40);
  // Deliver the same event twice, as SQS's at-least-once delivery may.
  testing::CliRun received =
      Aws({"sqs", "receive-message", "--queue-url", config_.queue_url, "--visibility-timeout", "0"});
  ASSERT_EQ(received.exit_code, 0) << received.err;
  const std::string body = received.json()["Messages"][0]["Body"];
  ASSERT_EQ(Aws({"sqs", "send-message", "--queue-url", config_.queue_url, "--message-body", body}).exit_code,
            0);
  int received_total = 0;
  for (int i = 0; i < 3; ++i) received_total += intake_->PollOnce()->received;
  EXPECT_EQ(received_total, 2);
  EXPECT_EQ(Published().size(), 1u);
}

TEST_F(SessionsAgainstSimcloud, DeadLettersCanLiveOnAnSqsQueueAndReplayFromIt) {
  Start(SessionAction::kEnforce);
  if (IsSkipped()) return;
  ASSERT_TRUE(cloud_->sqs().CreateQueue("glueguard-dead-letters").ok());
  const std::string dlq = cloud_->endpoint() + "/123456789012/glueguard-dead-letters";
  auto store = NewSqsDeadLetterStore(*sqs_, dlq);
  SessionEventHandler handler(SessionHandlerDeps{
      config_, *glue_, *notifier_, *store_, *store, clock_, sleeper_, random_, nullptr, {}});
  SqsIntakeOptions intake_options;
  intake_options.queue_url = config_.queue_url;
  intake_options.wait_time_seconds = 0;
  SqsIntake intake(*sqs_, handler, clock_, intake_options);

  CreateSession("notebook-big", 12);
  FaultRates failing;
  failing.server_error_rate = 1.0;
  ASSERT_TRUE(cloud_->front().faults().Set("glue", failing).ok());
  ASSERT_EQ(intake.PollOnce()->deleted, 1);
  ASSERT_TRUE(cloud_->front().faults().Set("glue", FaultRates{}).ok());

  EXPECT_EQ(*store->DeadLetterCount(), 1);
  auto letters = store->DeadLetters(10);  // a peek: nothing is taken
  ASSERT_TRUE(letters.ok()) << letters.status().ToString();
  ASSERT_EQ(letters->size(), 1u);
  EXPECT_EQ((*letters)[0].source, "sqs");
  EXPECT_EQ((*letters)[0].attempts, 3);
  EXPECT_NE((*letters)[0].error.find("GetSession"), std::string::npos) << (*letters)[0].error;
  EXPECT_EQ(*store->DeadLetterCount(), 1);

  Result<SqsReplayStats> replayed = ReplaySqsDeadLetters(*sqs_, dlq, handler, 100);
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_EQ(replayed->received, 1);
  EXPECT_EQ(replayed->handled, 1);
  EXPECT_FALSE(SessionExists("notebook-big"));
  EXPECT_EQ(*store->DeadLetterCount(), 0);
  EXPECT_EQ(Published().size(), 1u);
}

}  // namespace
}  // namespace glueguard
