// Dead letters on an SQS queue, against simcloud's SQS: a replay ends even when letters still fail.
#include "sessions/sqs_dead_letters.h"

#include <gtest/gtest.h>

#include "net/curl_transport.h"
#include "simcloud/simcloud.h"
#include "testing/session_fakes.h"
#include "testing/simcloud_aws.h"

namespace glueguard {
namespace {

using std::chrono::seconds;

class SqsDeadLettersAgainstSimcloud : public ::testing::Test {
 protected:
  SqsDeadLettersAgainstSimcloud() {
    workload_ = *LoadWorkloadFile(std::string(GLUEGUARD_SOURCE_DIR) + "/examples/workloads/seed-after.yaml");
    SimCloudOptions options;
    options.world.run_arrivals = false;
    cloud_ =
        std::move(*SimCloud::Create(workload_, options, wall_, cloud_random_, cloud_sleeper_, transport_));
    EXPECT_TRUE(cloud_->Start().ok());
    EXPECT_TRUE(cloud_->sqs().CreateQueue("glueguard-dead-letters").ok());
    dlq_ = cloud_->endpoint() + "/123456789012/glueguard-dead-letters";
    aws_ = std::make_unique<testing::SimcloudAws>(cloud_->endpoint(), transport_, wall_, aws_sleeper_);
    sqs_ = std::make_unique<SqsClient>(aws_->client);
    store_ = NewSqsDeadLetterStore(*sqs_, dlq_);

    config_.configured = true;
    config_.policy.action = SessionAction::kEnforce;
    config_.policy.defaults.max_workers = 10;
    config_.max_attempts = 2;
    config_.initial_backoff = seconds(1);
    config_.max_backoff = seconds(1);
    handler_ = std::make_unique<SessionEventHandler>(SessionHandlerDeps{
        config_, glue_, notifier_, *local_, *store_, clock_, sleeper_, random_, nullptr, {}});
  }

  void ParkLetter(const std::string& event_id, const std::string& body) {
    DeadLetter d;
    d.event_id = event_id;
    d.source = "sqs";
    d.body = body;
    d.error = "parked by the test";
    d.attempts = 2;
    ASSERT_TRUE(store_->Park(d).ok());
  }
  SqsQueueSnapshot Queue() {
    for (const SqsQueueSnapshot& q : cloud_->sqs().Snapshot()) {
      if (q.name == "glueguard-dead-letters") return q;
    }
    return {};
  }

  Workload workload_;
  SystemClock wall_;  // requests are signed with it; simcloud checks the skew
  FakeClock cloud_sleeper_clock_;
  FakeSleeper cloud_sleeper_{cloud_sleeper_clock_};
  FakeClock aws_sleeper_clock_;
  FakeSleeper aws_sleeper_{aws_sleeper_clock_};
  SeededRandom cloud_random_{31};
  CurlTransport transport_;
  std::unique_ptr<SimCloud> cloud_;
  std::string dlq_;
  std::unique_ptr<testing::SimcloudAws> aws_;
  std::unique_ptr<SqsClient> sqs_;
  std::unique_ptr<SessionStore> local_ = NewMemorySessionStore();
  std::unique_ptr<DeadLetterStore> store_;
  testing::FakeGlue glue_;
  RecordingNotifier notifier_;
  FakeClock clock_;
  FakeSleeper sleeper_{clock_};
  SeededRandom random_{32};
  SessionsConfig config_;
  std::unique_ptr<SessionEventHandler> handler_;
};

// The bug: a letter that failed again was parked as a new, visible message, which the same run received and
// replayed again, until max_messages (a million from the command line).
TEST_F(SqsDeadLettersAgainstSimcloud, ReplayHandlesEachLetterOnceEvenWhenItStillFails) {
  ParkLetter("", "{\"detail\": ");
  ParkLetter("", "not an event");
  ParkLetter("e-big", testing::CreateSessionEvent("e-big", "notebook-big", 12));
  ParkLetter("e-small", testing::CreateSessionEvent("e-small", "notebook-small", 4));
  glue_.FailNext(1000, Status::Unavailable("Glue is down").WithReason("InternalServiceException"));

  Result<SqsReplayStats> stats = ReplaySqsDeadLetters(*sqs_, dlq_, *handler_, 100);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->received, 4);
  EXPECT_EQ(stats->handled, 1);  // e-small is within the limits
  EXPECT_EQ(stats->still_failing, 3);
  ASSERT_EQ(stats->failures.size(), 3u);
  int unreadable = 0;
  for (const SqsReplayFailure& f : stats->failures) {
    if (f.event_id.empty()) {
      ++unreadable;
    } else {
      EXPECT_EQ(f.event_id, "e-big");
      EXPECT_NE(f.error.find("Glue is down"), std::string::npos) << f.error;
    }
  }
  EXPECT_EQ(unreadable, 2);
  EXPECT_EQ(stats->still_hidden, 0);

  // The three still failing are back on the queue once each, visible at once for `dlq list`.
  const SqsQueueSnapshot queue = Queue();
  EXPECT_EQ(queue.visible, 3);
  EXPECT_EQ(queue.in_flight, 0);
  ASSERT_EQ(queue.messages.size(), 3u);

  // A second run replays the same three once more, and again ends.
  stats = ReplaySqsDeadLetters(*sqs_, dlq_, *handler_, 100);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->received, 3);
  EXPECT_EQ(stats->still_failing, 3);
  EXPECT_EQ(Queue().visible, 3);
}

TEST_F(SqsDeadLettersAgainstSimcloud, ReplayOfLettersThatNowSucceedEmptiesTheQueue) {
  ParkLetter("e-big", testing::CreateSessionEvent("e-big", "notebook-big", 12));
  glue_.Add("notebook-big", "READY");

  Result<SqsReplayStats> stats = ReplaySqsDeadLetters(*sqs_, dlq_, *handler_, 100);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->received, 1);
  EXPECT_EQ(stats->handled, 1);
  EXPECT_TRUE(stats->failures.empty());
  EXPECT_FALSE(glue_.Exists("notebook-big"));
  EXPECT_TRUE(Queue().messages.empty());
}

}  // namespace
}  // namespace glueguard
