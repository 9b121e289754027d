#include "admission/buffer_policy.h"

#include <gtest/gtest.h>

#include <vector>

#include "testing/observations.h"

namespace glueguard {
namespace {

Observation Obs(int available, int in_use) { return testing::ObservationOf("subnet-a", Time{}, in_use, available); }

TEST(RollingMaxBuffer, FloorsAtMinBufferWhenHistoryIsEmpty) {
  EXPECT_EQ(BufferIps(BufferPolicy{}, {}), 10);
}

TEST(RollingMaxBuffer, TakesTheLargestCleanupTailOfTheLastFive) {
  const std::vector<Observation> newest_first = {Obs(12, 18), Obs(15, 10), Obs(3, 5), Obs(9, 9), Obs(14, 0),
                                                 Obs(40, 0)};  // the sixth is outside the window
  EXPECT_EQ(BufferIps(BufferPolicy{}, newest_first), 15);
}

TEST(RollingMaxBuffer, FloorWinsOverSmallTails) {
  EXPECT_EQ(BufferIps(BufferPolicy{}, std::vector<Observation>{Obs(2, 20), Obs(4, 20)}), 10);
}

TEST(RollingMaxBuffer, TotalSourceTakesTheMaxOfAllEnis) {
  BufferPolicy p = *ParseBufferPolicy("rolling-max:5:10:total");
  EXPECT_EQ(BufferIps(p, std::vector<Observation>{Obs(12, 18), Obs(15, 10)}), 30);
}

TEST(BufferPolicy, NoneAndStatic) {
  const std::vector<Observation> h = {Obs(30, 0)};
  EXPECT_EQ(BufferIps(*ParseBufferPolicy("none"), h), 0);
  EXPECT_EQ(BufferIps(*ParseBufferPolicy("static:20"), h), 20);
}

TEST(BufferPolicy, ParsesEveryFormAndRoundTrips) {
  for (const char* spec :
       {"none", "static:20", "rolling-max:5:10:available", "rolling-max:3:0:total", "forecast", "forecast:10"}) {
    Result<BufferPolicy> p = ParseBufferPolicy(spec);
    ASSERT_TRUE(p.ok()) << spec << ": " << p.status().ToString();
    EXPECT_EQ(p->ToString(), spec);
  }
  EXPECT_EQ(ParseBufferPolicy("rolling-max")->ToString(), "rolling-max:5:10:available");
  EXPECT_EQ(ParseBufferPolicy("rolling-max:8")->window, 8);
  EXPECT_EQ(ParseBufferPolicy("forecast:12")->forecast.keep_free, 12);
}

TEST(BufferPolicy, RejectsNegativeAndMalformedSpecs) {
  EXPECT_FALSE(ParseBufferPolicy("static:-1").ok());
  EXPECT_FALSE(ParseBufferPolicy("rolling-max:0").ok());
  EXPECT_FALSE(ParseBufferPolicy("rolling-max:5:-3").ok());
  EXPECT_FALSE(ParseBufferPolicy("rolling-max:5:10:peak").ok());
  EXPECT_FALSE(ParseBufferPolicy("static").ok());
  EXPECT_FALSE(ParseBufferPolicy("static:abc").ok());
  EXPECT_FALSE(ParseBufferPolicy("adaptive").ok());
  EXPECT_FALSE(ParseBufferPolicy("forecast:-2").ok());
  EXPECT_FALSE(ParseBufferPolicy("forecast:2:3").ok());
  EXPECT_NE(ParseBufferPolicy("static:-1").status().message().find("negative"), std::string::npos);
}

TEST(BufferPolicy, MinimumIpsIsTheSmallestBufferThePolicyCanAskFor) {
  EXPECT_EQ(ParseBufferPolicy("none")->MinimumIps(), 0);
  EXPECT_EQ(ParseBufferPolicy("static:20")->MinimumIps(), 20);
  EXPECT_EQ(ParseBufferPolicy("rolling-max:5:10")->MinimumIps(), 10);
  EXPECT_EQ(ParseBufferPolicy("forecast")->MinimumIps(), 0);
  EXPECT_EQ(ParseBufferPolicy("forecast:10")->MinimumIps(), 10);
}

}  // namespace
}  // namespace glueguard
