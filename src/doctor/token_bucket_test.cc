#include "doctor/token_bucket.h"

#include <gtest/gtest.h>

namespace glueguard {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(TokenBucket, LetsABurstThroughThenOneCallPerRefill) {
  FakeClock clock;
  FakeSleeper sleeper(clock);
  TokenBucketOptions options;
  options.burst = 5;
  options.refill_per_second = 1;
  TokenBucket bucket(options, clock, sleeper);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(bucket.Acquire(), Duration(0)) << "call " << i;
  EXPECT_EQ(bucket.Acquire(), seconds(1));
  EXPECT_EQ(bucket.Acquire(), seconds(1));
  EXPECT_EQ(sleeper.waits().size(), 2u);
}

TEST(TokenBucket, RefillsWhileIdleButNeverAboveTheBurst) {
  FakeClock clock;
  FakeSleeper sleeper(clock);
  TokenBucketOptions options;
  options.burst = 2;
  options.refill_per_second = 4;
  TokenBucket bucket(options, clock, sleeper);
  bucket.Acquire();
  bucket.Acquire();
  clock.Advance(seconds(60));  // long idle: back to 2, not 240
  EXPECT_EQ(bucket.Acquire(), Duration(0));
  EXPECT_EQ(bucket.Acquire(), Duration(0));
  EXPECT_EQ(bucket.Acquire(), milliseconds(250));
}

}  // namespace
}  // namespace glueguard
