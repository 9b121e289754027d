#include "sessions/session_service.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sessions/dynamodb_session_store.h"
#include "testing/dynalite.h"
#include "testing/session_fakes.h"

namespace glueguard {
namespace {

using testing::CreateSessionEvent;
using testing::FakeGlue;

class SessionServiceTest : public ::testing::Test, protected testing::SessionWorld {
 protected:
  SessionServiceTest() {
    config_.policy.action = SessionAction::kEnforce;
    config_.policy.defaults.max_workers = 10;
    glue_.Add("big", "READY");
  }
  void Start(SessionServiceOptions options = {}) {
    options.run_background = false;
    auto started = SessionService::Start(
        SessionServiceDeps{
            config_, glue_, nullptr, notifier_, *store_, clock_, sleeper_, random_, metrics_, {}},
        options);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    service_ = std::move(*started);
  }
  ServerResponse Post(const std::string& body) {
    ServerRequest r;
    r.method = "POST";
    r.path = "/v1/events";
    r.body = body;
    return service_->HandleHttp(r);
  }
  std::string Metrics() { return RenderPrometheusText(metrics_); }

  MetricsRegistry metrics_;
  std::unique_ptr<SessionService> service_;
};

TEST_F(SessionServiceTest, AnEventIsStoredAndAcknowledgedThenHandledFromTheInbox) {
  Start();
  ServerResponse r = Post(CreateSessionEvent("e1", "big", 40));
  EXPECT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["event_id"], "e1");
  EXPECT_TRUE(glue_.Exists("big"));  // not acted on before the answer
  EXPECT_EQ(store_->Pending(10)->size(), 1u);

  Result<int> drained = service_->DrainInbox();
  ASSERT_TRUE(drained.ok());
  EXPECT_EQ(*drained, 1);
  EXPECT_FALSE(glue_.Exists("big"));
  EXPECT_TRUE(store_->Pending(10)->empty());
  EXPECT_EQ(notifier_.notifications().size(), 1u);
  EXPECT_NE(Metrics().find("glueguard_session_events_total{source=\"http\",outcome=\"violation\"} 1"),
            std::string::npos)
      << Metrics();
  EXPECT_NE(Metrics().find("glueguard_sessions_ended_total 1"), std::string::npos);
}

TEST_F(SessionServiceTest, AnUnreadableBodyIsRefusedByNameAndStillKept) {
  Start();
  ServerResponse r = Post("{\"detail\": ");
  EXPECT_EQ(r.status, 400);
  const auto error = nlohmann::json::parse(r.body)["error"];
  EXPECT_EQ(error["code"], "invalid_event");
  EXPECT_NE(error["message"].get<std::string>().find("dead letter"), std::string::npos) << r.body;
  EXPECT_EQ(*store_->DeadLetterCount(), 1);
  EXPECT_EQ(*service_->DeadLetterCount(), 1);
  EXPECT_NE(Metrics().find("glueguard_session_dead_letters 1"), std::string::npos) << Metrics();
}

TEST_F(SessionServiceTest, AnEventThatIsNotACreateSessionIsAnsweredAsIgnored) {
  Start();
  nlohmann::json e = nlohmann::json::parse(CreateSessionEvent("e1", "big", 40));
  e["detail"]["eventName"] = "StopSession";
  ServerResponse r = Post(e.dump());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(nlohmann::json::parse(r.body)["outcome"], "ignored");
  EXPECT_TRUE(store_->Pending(10)->empty());
}

TEST_F(SessionServiceTest, TheDeadLetterGaugeStartsFromTheStoreAndAcceptedEventsSurviveARestart) {
  DeadLetter old;
  old.event_id = "old";
  old.body = "{}";
  ASSERT_TRUE(store_->Park(old).ok());
  ASSERT_TRUE(store_->Enqueue("http", CreateSessionEvent("e1", "big", 40), clock_.Now()).ok());
  Start();  // as after a restart: the inbox still holds the accepted event
  EXPECT_NE(Metrics().find("glueguard_session_dead_letters 1"), std::string::npos) << Metrics();
  ASSERT_EQ(*service_->DrainInbox(), 1);
  EXPECT_FALSE(glue_.Exists("big"));
}

// Every open dashboard asks for the dead-letter count every 10 s; on a shared store that is a Query of every
// dead letter. With dead_letter_count_every the service reads it at most that often.
TEST_F(SessionServiceTest, TheDeadLetterCountIsReadAtMostOncePerItsInterval) {
  SessionServiceOptions options;
  options.dead_letter_count_every = std::chrono::seconds(30);
  Start(options);
  EXPECT_EQ(service_->DeadLetterCount(), 0);
  DeadLetter letter;
  letter.event_id = "parked-by-another-replica";
  letter.body = "{}";
  ASSERT_TRUE(store_->Park(letter).ok());
  clock_.Advance(std::chrono::seconds(29));
  EXPECT_EQ(service_->DeadLetterCount(), 0);  // the count read 29 s ago
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(service_->DeadLetterCount(), 1);
}

TEST_F(SessionServiceTest, WithoutAnIntervalTheDeadLetterCountIsReadEveryTime) {
  Start();
  EXPECT_EQ(service_->DeadLetterCount(), 0);
  DeadLetter letter;
  letter.event_id = "parked";
  letter.body = "{}";
  ASSERT_TRUE(store_->Park(letter).ok());
  EXPECT_EQ(service_->DeadLetterCount(), 1);
}

// serve killed while handling an event left its claim and its inbox item; the next start dropped the item as
// "being handled by another delivery" and the event was never handled.
TEST_F(SessionServiceTest, AnEventLeftClaimedByACrashIsHandledAfterTheRestart) {
  ASSERT_TRUE(store_->Enqueue("http", CreateSessionEvent("e1", "big", 40), clock_.Now()).ok());
  ASSERT_EQ(*store_->Claim("e1", clock_.Now(), std::chrono::hours(24), std::chrono::minutes(15)),
            ClaimResult::kClaimed);  // the process that took it died here
  Start();
  ASSERT_EQ(*service_->DrainInbox(), 1);
  EXPECT_FALSE(glue_.Exists("big"));
  EXPECT_EQ(notifier_.notifications().size(), 1u);
}

TEST_F(SessionServiceTest, AnInboxItemWhoseClaimIsHeldElsewhereStaysUntilItIsFinished) {
  Start();
  ASSERT_TRUE(store_->Enqueue("http", CreateSessionEvent("e1", "big", 40), clock_.Now()).ok());
  ASSERT_TRUE(store_->Enqueue("http", CreateSessionEvent("e2", "other", 40), clock_.Now()).ok());
  ASSERT_EQ(*store_->Claim("e1", clock_.Now(), std::chrono::hours(24), std::chrono::minutes(15)),
            ClaimResult::kClaimed);       // another delivery is handling e1 right now
  ASSERT_EQ(*service_->DrainInbox(), 1);  // e2 handled, e1 kept
  ASSERT_EQ(*service_->DrainInbox(), 0);  // looked at again: still held elsewhere
  ASSERT_EQ(store_->Pending(10)->size(), 1u);
  EXPECT_EQ(Metrics().find("outcome=\"duplicate\""), std::string::npos)
      << Metrics();                                                     // deferred, not counted
  ASSERT_TRUE(store_->MarkDone("e1", "violation", clock_.Now()).ok());  // the other delivery finished
  ASSERT_EQ(*service_->DrainInbox(), 1);  // now a duplicate of a finished event: dequeued
  EXPECT_TRUE(store_->Pending(10)->empty());
  EXPECT_NE(Metrics().find("glueguard_session_events_total{source=\"http\",outcome=\"duplicate\"} 1"),
            std::string::npos)
      << Metrics();
}

// An event DynamoDB cannot keep in one item is refused with 413 (a retry would fail the same way, unlike
// the 503 of a store that cannot be reached), and nothing is queued.
TEST_F(SessionServiceTest, AnEventTooLargeForTheSharedQueueIs413AndNothingIsQueued) {
  auto [dynalite, tables] = testing::DynaliteWithFreshTables();
  store_ = NewDynamoDbSessionStore(dynalite->client(), tables, std::chrono::hours(48));
  Start();
  nlohmann::json event = nlohmann::json::parse(CreateSessionEvent("e-large", "big", 40));
  event["detail"]["padding"] = std::string(kMaxQueuedBodyBytes, 'x');
  const ServerResponse r = Post(event.dump());
  EXPECT_EQ(r.status, 413) << r.body.substr(0, 300);
  EXPECT_NE(r.body.find("event_too_large"), std::string::npos) << r.body.substr(0, 300);
  EXPECT_TRUE(store_->Pending(10)->empty());
  EXPECT_EQ(Post(CreateSessionEvent("e-small", "big", 40)).status, 202);
}

TEST(SessionServiceStart, RefusesAQueueWithoutAnSqsClient) {
  SessionsConfig config;
  config.queue_url = "http://127.0.0.1:1/123456789012/q";
  FakeGlue glue;
  RecordingNotifier notifier;
  auto store = NewMemorySessionStore();
  FakeClock clock;
  FakeSleeper sleeper(clock);
  SeededRandom random(1);
  MetricsRegistry metrics;
  auto started = SessionService::Start(
      SessionServiceDeps{config, glue, nullptr, notifier, *store, clock, sleeper, random, metrics, {}}, {});
  EXPECT_EQ(started.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace glueguard
