#include "sessions/handler.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "sessions/reconciler.h"
#include "testing/session_fakes.h"

namespace glueguard {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::CreateSessionEvent;
using testing::FakeGlue;

class HandlerTest : public ::testing::Test, protected testing::SessionWorld {
 protected:
  HandlerTest() {
    config_.policy.defaults.max_workers = 10;
    config_.max_attempts = 4;
    config_.initial_backoff = seconds(1);
    config_.max_backoff = seconds(3);
    config_.provisioning_wait = seconds(30);
  }
  SessionEventHandler& Handler() {
    if (!handler_) {
      SessionHandlerDeps deps{
          config_, glue_,    notifier_, *store_, *store_,
          clock_,  sleeper_, random_,   nullptr, [this](std::string_view line) { log_.emplace_back(line); }};
      handler_ = std::make_unique<SessionEventHandler>(deps);
    }
    return *handler_;
  }
  void Enforce() { config_.policy.action = SessionAction::kEnforce; }

  std::vector<std::string> log_;
  std::unique_ptr<SessionEventHandler> handler_;
};

TEST_F(HandlerTest, ACompliantSessionIsLeftAloneAndNobodyIsTold) {
  Enforce();
  glue_.Add("s1", "READY");
  Result<HandleResult> r = Handler().Handle(CreateSessionEvent("e1", "s1", 5), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->outcome, EventOutcome::kCompliant);
  EXPECT_TRUE(glue_.calls().empty());
  EXPECT_TRUE(notifier_.notifications().empty());
}

TEST_F(HandlerTest, ReportModeNotifiesAndLeavesTheSessionRunning) {
  glue_.Add("s1", "READY");
  Result<HandleResult> r = Handler().Handle(CreateSessionEvent("e1", "s1", 40), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, EventOutcome::kViolation);
  EXPECT_FALSE(r->ended);
  EXPECT_TRUE(glue_.Exists("s1"));
  ASSERT_EQ(notifier_.notifications().size(), 1u);
  const Notification n = notifier_.notifications()[0];
  EXPECT_EQ(n.kind, "session_violation");
  EXPECT_EQ(n.fields.at("session_id"), "s1");
  EXPECT_EQ(n.fields.at("violations"), "max_workers");
  EXPECT_NE(n.message.find("40"), std::string::npos) << n.message;
}

TEST_F(HandlerTest, EnforceWaitsForProvisioningThenStopsAndDeletes) {
  Enforce();
  glue_.Add("s1", "PROVISIONING", /*provisioning_polls=*/2);
  Result<HandleResult> r = Handler().Handle(CreateSessionEvent("e1", "s1", 40), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, EventOutcome::kViolation);
  EXPECT_TRUE(r->ended);
  EXPECT_FALSE(glue_.Exists("s1"));
  const std::vector<std::string> expected = {"GetSession s1", "GetSession s1", "GetSession s1",
                                             "StopSession s1", "DeleteSession s1"};
  EXPECT_EQ(glue_.calls(), expected);
  EXPECT_EQ(sleeper_.waits().size(), 2u);  // two polls while PROVISIONING
  ASSERT_EQ(notifier_.notifications().size(), 1u);
  EXPECT_EQ(notifier_.notifications()[0].kind, "session_ended");
}

TEST_F(HandlerTest, ASessionAlreadyGoneCountsAsEnded) {
  Enforce();
  Result<HandleResult> r = Handler().Handle(CreateSessionEvent("e1", "gone", 40), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, EventOutcome::kViolation);
  EXPECT_TRUE(r->ended);
  EXPECT_EQ(r->attempts, 1);
}

TEST_F(HandlerTest, ADuplicateEventActsOnce) {
  Enforce();
  glue_.Add("s1", "READY");
  const std::string event = CreateSessionEvent("e1", "s1", 40);
  ASSERT_EQ(Handler().Handle(event, {})->outcome, EventOutcome::kViolation);
  Result<HandleResult> again = Handler().Handle(event, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, EventOutcome::kDuplicate);
  EXPECT_EQ(notifier_.notifications().size(), 1u);
  EXPECT_EQ(glue_.calls().size(), 3u);
}

TEST_F(HandlerTest, PersistentGlueErrorsAreRetriedWithBackoffThenDeadLetteredAndReplayCleanly) {
  Enforce();
  glue_.Add("s1", "READY");
  glue_.FailNext(100, Status::Unavailable("Rate exceeded").WithReason("ThrottlingException"));
  const std::string event = CreateSessionEvent("e1", "s1", 40);
  Result<HandleResult> r = Handler().Handle(event, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, EventOutcome::kDeadLettered);
  EXPECT_EQ(r->attempts, 4);
  EXPECT_NE(r->detail.find("Rate exceeded"), std::string::npos) << r->detail;
  // Three waits, each within [backoff/2, backoff] of 1 s, 2 s, then the 3 s cap.
  ASSERT_EQ(sleeper_.waits().size(), 3u);
  const double caps[] = {1, 2, 3};
  for (size_t i = 0; i < 3; ++i) {
    const double s = std::chrono::duration<double>(sleeper_.waits()[i]).count();
    EXPECT_GE(s, caps[i] / 2);
    EXPECT_LE(s, caps[i]);
  }
  EXPECT_TRUE(glue_.Exists("s1"));
  EXPECT_TRUE(notifier_.notifications().empty());
  auto letters = *store_->DeadLetters(10);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].event_id, "e1");
  EXPECT_EQ(letters[0].body, event);
  EXPECT_EQ(letters[0].attempts, 4);

  // Still failing: the letter stays, one replay more.
  Result<HandleResult> replay = Handler().Replay(letters[0].id, {});
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->dead_letter_id, letters[0].id);
  EXPECT_EQ(*store_->DeadLetterCount(), 1);
  EXPECT_EQ((*store_->FindDeadLetter(letters[0].id))->replays, 1);

  glue_.FailNext(0, Status::Ok());
  replay = Handler().Replay(letters[0].id, {});
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->outcome, EventOutcome::kViolation);
  EXPECT_TRUE(replay->ended);
  EXPECT_FALSE(glue_.Exists("s1"));
  EXPECT_EQ(*store_->DeadLetterCount(), 0);
  EXPECT_EQ(notifier_.notifications().size(), 1u);
  // And it is now a duplicate.
  EXPECT_EQ(Handler().Handle(event, {})->outcome, EventOutcome::kDuplicate);
}

TEST_F(HandlerTest, RetriesStopAtTheCallersDeadlineAndTheEventIsParked) {
  Enforce();
  glue_.Add("s1", "PROVISIONING", /*provisioning_polls=*/1000);
  HandleOptions options;
  options.deadline = clock_.Now() + seconds(20);
  int heartbeats = 0;
  options.heartbeat = [&] { ++heartbeats; };
  Result<HandleResult> r = Handler().Handle(CreateSessionEvent("e1", "s1", 40), options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, EventOutcome::kDeadLettered);
  EXPECT_LE(clock_.Now(), options.deadline);
  EXPECT_NE(r->detail.find("PROVISIONING"), std::string::npos) << r->detail;
  EXPECT_EQ(heartbeats, r->attempts - 1);
}

TEST_F(HandlerTest, UnreadableEventsAreParkedWithTheProblem) {
  Result<HandleResult> r = Handler().Handle("{not json", {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, EventOutcome::kInvalid);
  ASSERT_NE(r->dead_letter_id, 0);
  auto letter = *store_->FindDeadLetter(r->dead_letter_id);
  ASSERT_TRUE(letter.has_value());
  EXPECT_EQ(letter->body, "{not json");
  EXPECT_FALSE(letter->error.empty());
}

TEST_F(HandlerTest, AFailedCreateSessionIsIgnoredWithItsReason) {
  nlohmann::json e = nlohmann::json::parse(CreateSessionEvent("e1", "s1", 40));
  e["detail"]["errorCode"] = "AccessDenied";
  e["detail"]["responseElements"] = nullptr;
  Result<HandleResult> r = Handler().Handle(e.dump(), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, EventOutcome::kIgnored);
  EXPECT_NE(r->detail.find("AccessDenied"), std::string::npos) << r->detail;
  EXPECT_EQ(*store_->DeadLetterCount(), 0);
}

TEST_F(HandlerTest, TheSweepActsOnLiveSessionsNoEventAnnouncedOnlyOnce) {
  Enforce();
  const Time old = clock_.Now() - minutes(30);
  glue_.Add("announced", "READY", 0, old);
  glue_.Add("silent", "READY", 0, old);
  glue_.Add("young", "READY", 0, clock_.Now() - minutes(2));
  glue_.Add("done", "STOPPED", 0, old);
  config_.policy.action = SessionAction::kReport;  // the announced one stays to be seen by the sweep
  ASSERT_EQ(Handler().Handle(CreateSessionEvent("e1", "announced", 40), {})->outcome,
            EventOutcome::kViolation);
  SessionReconciler reconciler(glue_, *store_, Handler(), clock_, minutes(10));
  Result<SweepStats> stats = reconciler.Sweep({});
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->live, 3);
  EXPECT_EQ(stats->too_young, 1);
  EXPECT_EQ(stats->unannounced, 1);
  EXPECT_EQ(stats->violations, 1);
  ASSERT_EQ(notifier_.notifications().size(), 2u);
  EXPECT_EQ(notifier_.notifications()[1].fields.at("session_id"), "silent");
  // The next sweep has nothing new to do.
  stats = reconciler.Sweep({});
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->unannounced, 0);
  EXPECT_EQ(notifier_.notifications().size(), 2u);
}

}  // namespace
}  // namespace glueguard
