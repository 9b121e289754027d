#include "app/demo_timing.h"

#include <gtest/gtest.h>

namespace glueguard {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The bug: the ticker ran every real second whatever the speed, so at x600 a view due after 60 s of simulated
// time was renewed only every 600 s and spent most of its life stale.
TEST(DemoTiming, AtSpeed600TheTickerRenewsAViewWellBeforeItGoesStale) {
  const AdmissionConfig admission;  // poll_interval 60s, stale_after 2m
  Result<DemoTiming> t = DemoTimingFor(admission, 600);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  // 60 s of simulated slack is 100 ms of real time; four ticks fit in it.
  EXPECT_EQ(t->tick_every, milliseconds(25));
  EXPECT_LE(t->launcher_every, t->tick_every);
  const double tick_in_simulated_ms = static_cast<double>(t->tick_every.count()) * 600;
  EXPECT_LT(static_cast<double>(admission.poll_interval.count()) + tick_in_simulated_ms,
            static_cast<double>(admission.stale_after.count()));
}

TEST(DemoTiming, SlowSpeedsTickAboutOnceASecondAsServeDoes) {
  Result<DemoTiming> t = DemoTimingFor(AdmissionConfig{}, 1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->tick_every, seconds(1));
  EXPECT_EQ(t->launcher_every, milliseconds(200));
  EXPECT_EQ(DemoTimingFor(AdmissionConfig{}, 60)->tick_every, milliseconds(250));
}

TEST(DemoTiming, ASpeedItCannotKeepUpWithIsRefusedSayingWhyAndWhatWouldDo) {
  EXPECT_TRUE(DemoTimingFor(AdmissionConfig{}, 1200).ok());
  Result<DemoTiming> t = DemoTimingFor(AdmissionConfig{}, 3600);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(t.status().message().find("stale after 2m0s"), std::string::npos) << t.status().message();
  EXPECT_NE(t.status().message().find("17ms of real time at x3600"), std::string::npos)
      << t.status().message();
  EXPECT_NE(t.status().message().find("use --speed 1200 or less"), std::string::npos) << t.status().message();

  AdmissionConfig no_room;
  no_room.stale_after = no_room.poll_interval;
  t = DemoTimingFor(no_room, 1);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("give admission.stale_after more room"), std::string::npos)
      << t.status().message();
}

}  // namespace
}  // namespace glueguard
