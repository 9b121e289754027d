#include "sim/distribution.h"
#include "sim/distribution_yaml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace glueguard {
namespace {

using ::testing::DoubleEq;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kSecond = 1000;
constexpr double kMinute = 60 * kSecond;
constexpr double kHour = 60 * kMinute;
constexpr double kInf = std::numeric_limits<double>::infinity();

// Random::Uniform() returns exactly `u` for these (u a multiple of 2^-53).
uint64_t DrawFor(double u) { return static_cast<uint64_t>(u * 0x1.0p53) << 11; }

struct Parsed {
  bool ok = false;
  Distribution distribution;
  std::vector<std::string> errors;
};

// Reads `yaml` as a duration distribution, or as a number distribution in [min, max] when `durations` is
// false.
Parsed Parse(const std::string& yaml, bool durations, double min = 0, double max = 100) {
  YamlReader r("w.yaml");
  Parsed p;
  p.distribution = Distribution::Fixed(-1);  // a marker: a failed read must leave it alone
  p.ok = durations ? ReadDurationDistribution(r, YAML::Load(yaml), "x", p.distribution)
                   : ReadNumberDistribution(r, YAML::Load(yaml), "x", p.distribution, min, max);
  p.errors = r.errors();
  EXPECT_EQ(p.ok, p.errors.empty()) << yaml;
  if (!p.ok) {
    EXPECT_EQ(p.distribution, Distribution::Fixed(-1)) << yaml;
  }
  return p;
}

Parsed ParseDurations(const std::string& yaml) { return Parse(yaml, true); }
Parsed ParseNumbers(const std::string& yaml, double min = 0, double max = 100) {
  return Parse(yaml, false, min, max);
}

// The one error a duration distribution must produce.
std::string DurationError(const std::string& yaml) {
  const Parsed p = ParseDurations(yaml);
  EXPECT_EQ(p.errors.size(), 1u) << yaml << "\n" << ::testing::PrintToString(p.errors);
  return p.errors.empty() ? "" : p.errors[0];
}

std::string NumberError(const std::string& yaml, double min = 0, double max = 100) {
  const Parsed p = ParseNumbers(yaml, min, max);
  EXPECT_EQ(p.errors.size(), 1u) << yaml << "\n" << ::testing::PrintToString(p.errors);
  return p.errors.empty() ? "" : p.errors[0];
}

std::vector<double> Draws(const Distribution& d, uint64_t seed = 7, int count = 20000) {
  SeededRandom random(seed);
  std::vector<double> draws;
  for (int i = 0; i < count; ++i) draws.push_back(d.Sample(random));
  return draws;
}

double MeanOf(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); }

double StddevOf(const std::vector<double>& v) {
  const double mean = MeanOf(v);
  double sum = 0;
  for (double x : v) sum += (x - mean) * (x - mean);
  return std::sqrt(sum / (v.size() - 1));
}

// The value below which `fraction` of the draws fall.
double Quantile(std::vector<double> v, double fraction) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(fraction * (v.size() - 1))];
}

// ---- parsing ----

TEST(DistributionYaml, ScalarAndFixedAreFixed) {
  const Parsed scalar = ParseDurations("25m");
  ASSERT_TRUE(scalar.ok);
  EXPECT_EQ(scalar.distribution, Distribution::Fixed(25 * kMinute).AsDuration());
  EXPECT_EQ(scalar.distribution.ToString(), "fixed(25m0s)");
  EXPECT_EQ(ParseDurations("{fixed: 90s}").distribution, Distribution::Fixed(90 * kSecond).AsDuration());
}

TEST(DistributionYaml, EachKind) {
  EXPECT_EQ(ParseDurations("{uniform: [10m, 40m]}").distribution.ToString(), "uniform(lo=10m0s, hi=40m0s)");
  EXPECT_EQ(ParseDurations("{lognormal: {median: 20m, p95: 45m}}").distribution.ToString(),
            "lognormal(median=20m0s, p95=45m0s)");
  EXPECT_EQ(ParseDurations("{exponential: {mean: 30m}}").distribution.ToString(), "exponential(mean=30m0s)");
  EXPECT_EQ(ParseDurations("{choice: [{value: 15m, weight: 3}, {value: 45m}]}").distribution.ToString(),
            "choice(15m0s:3, 45m0s:1)");
  const Parsed normal = ParseDurations("{normal: {mean: 30m, stddev: 5m, min: 10m, max: 1h}}");
  ASSERT_TRUE(normal.ok);
  EXPECT_EQ(normal.distribution,
            Distribution::Normal(30 * kMinute, 5 * kMinute).Clamped(10 * kMinute, kHour).AsDuration());
  EXPECT_EQ(normal.distribution.ToString(), "normal(mean=30m0s, stddev=5m0s, min=10m0s, max=1h0m)");
  EXPECT_EQ(ParseDurations("{uniform: [1m, 2m]}").distribution.kind(), Distribution::Kind::kUniform);
}

TEST(DistributionYaml, MinAndMaxBesideTheKindClampAnyKind) {
  const Parsed p = ParseDurations("{exponential: {mean: 30m}, min: 1m, max: 2h}");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.distribution.min(), kMinute);
  EXPECT_EQ(p.distribution.max(), 2 * kHour);
  EXPECT_EQ(p.distribution.ToString(), "exponential(mean=30m0s, min=1m0s, max=2h0m)");
  EXPECT_EQ(ParseDurations("{normal: {mean: 30m, stddev: 5m}, max: 40m}").distribution.max(), 40 * kMinute);
}

TEST(DistributionYaml, NumbersAreClampedToTheAllowedRange) {
  const Parsed p = ParseNumbers("{uniform: [1, 3]}", 0, 100);
  ASSERT_TRUE(p.ok);
  EXPECT_FALSE(p.distribution.is_duration());
  EXPECT_EQ(p.distribution.ToString(), "uniform(lo=1, hi=3, max=100)");
  EXPECT_EQ(ParseNumbers("2.5", 1, 10000).distribution.ToString(), "fixed(2.5, min=1, max=10000)");
  EXPECT_EQ(ParseNumbers("{normal: {mean: 10, stddev: 5}}", 1, 10000).distribution.min(), 1);
  EXPECT_EQ(ParseNumbers("{choice: [{value: 1, weight: 0.5}, {value: 4}]}", 0, kInf).distribution.ToString(),
            "choice(1:0.5, 4:1)");
  EXPECT_EQ(ParseNumbers("{normal: {mean: 10, stddev: 5}, min: 5}", 1, 100).distribution.min(), 5);
}

TEST(DistributionYaml, AnAbsentNodeLeavesTheDefault) {
  YamlReader r("w.yaml");
  const YAML::Node map = YAML::Load("{other: 1}");
  Distribution d = Distribution::Fixed(7);
  EXPECT_TRUE(ReadDurationDistribution(r, map["duration"], "duration", d));
  EXPECT_TRUE(ReadNumberDistribution(r, map["workers"], "workers", d, 1, 10));
  EXPECT_EQ(d, Distribution::Fixed(7));
  EXPECT_TRUE(r.errors().empty());
}

// ---- parse errors ----

TEST(DistributionYaml, ErrorsForTheShapeOfTheNode) {
  EXPECT_THAT(DurationError("25"), HasSubstr("w.yaml:1: x: '25' is not a duration (missing unit)"));
  EXPECT_EQ(
      DurationError("[1m, 2m]"),
      "w.yaml:1: x: must be a duration like 25m or a map with one of fixed, uniform, normal, lognormal, "
      "exponential, choice");
  EXPECT_EQ(NumberError("abc"), "w.yaml:1: x: 'abc' is not a number");
  EXPECT_EQ(DurationError("{min: 1m}"),
            "w.yaml:1: x: needs one of fixed, uniform, normal, lognormal, exponential, choice");
  EXPECT_EQ(DurationError("{fixed: 1m, uniform: [1m, 2m]}"),
            "w.yaml:1: x: has both 'fixed' and 'uniform'; give exactly one");
}

TEST(DistributionYaml, UnknownKeysSuggestTheClosest) {
  // The unknown key is the whole story: no second "needs one of" message.
  EXPECT_EQ(DurationError("{unifrom: [1m, 2m]}"),
            "w.yaml:1: x.unifrom: unknown key 'unifrom' (did you mean 'uniform'?)");
  const Parsed p = ParseDurations("{normal: {mean: 30m, stdev: 5m}}");
  EXPECT_THAT(p.errors, ElementsAre("w.yaml:1: x.normal.stdev: unknown key 'stdev' (did you mean 'stddev'?)",
                                    "w.yaml:1: x.normal.stddev: is required"));
  EXPECT_EQ(DurationError("{exponential: {mean: 1m, meen: 2m}}"),
            "w.yaml:1: x.exponential.meen: unknown key 'meen' (did you mean 'mean'?)");
}

TEST(DistributionYaml, UniformErrors) {
  EXPECT_EQ(DurationError("{uniform: [1m]}"), "w.yaml:1: x.uniform: must be a list of two values [lo, hi]");
  EXPECT_EQ(DurationError("{uniform: [40m, 10m]}"), "w.yaml:1: x.uniform: lo 40m is above hi 10m");
  EXPECT_EQ(NumberError("{uniform: [1, 200]}"), "w.yaml:1: x.uniform[1]: 200 is out of range 0..100");
}

TEST(DistributionYaml, NormalErrors) {
  EXPECT_EQ(DurationError("{normal: 30m}"), "w.yaml:1: x.normal: must be a map with mean and stddev");
  EXPECT_EQ(DurationError("{normal: {stddev: 5m}}"), "w.yaml:1: x.normal.mean: is required");
  EXPECT_EQ(NumberError("{normal: {mean: 5, stddev: -1}}"),
            "w.yaml:1: x.normal.stddev: -1 must be at least 0");
  EXPECT_EQ(DurationError("{normal: {mean: 30m, stddev: 5m, min: 10m}, min: 5m}"),
            "w.yaml:1: x.normal.min: is also given beside 'normal'");
}

TEST(DistributionYaml, LognormalErrors) {
  EXPECT_EQ(DurationError("{lognormal: {median: 20m, p95: 10m}}"),
            "w.yaml:1: x.lognormal.p95: 10m is below the median 20m");
  EXPECT_EQ(DurationError("{lognormal: {median: 0s, p95: 1m}}"),
            "w.yaml:1: x.lognormal.median: must be above zero");
  EXPECT_EQ(DurationError("{lognormal: {median: 20m}}"), "w.yaml:1: x.lognormal.p95: is required");
}

TEST(DistributionYaml, ExponentialErrors) {
  EXPECT_EQ(DurationError("{exponential: {mean: 0s}}"), "w.yaml:1: x.exponential.mean: must be above zero");
  EXPECT_EQ(DurationError("{exponential: 5m}"), "w.yaml:1: x.exponential: must be a map with mean");
}

TEST(DistributionYaml, ChoiceErrors) {
  EXPECT_EQ(DurationError("{choice: []}"), "w.yaml:1: x.choice: must be a non-empty list of {value, weight}");
  EXPECT_EQ(DurationError("{choice: [15m]}"), "w.yaml:1: x.choice[0]: must be a map with value and weight");
  EXPECT_EQ(DurationError("{choice: [{weight: 2}]}"), "w.yaml:1: x.choice[0].value: is required");
  EXPECT_EQ(DurationError("{choice: [{value: 1m}, {value: 2m, weight: 0}]}"),
            "w.yaml:1: x.choice[1].weight: 0 must be above zero");
  EXPECT_EQ(DurationError("{choice: [{value: 1m, weight: -2}]}"),
            "w.yaml:1: x.choice[0].weight: -2 must be above zero");
  EXPECT_EQ(DurationError("{choice: [{value: 1m, weight: a}]}"),
            "w.yaml:1: x.choice[0].weight: 'a' is not a number");
}

TEST(DistributionYaml, NegativeAndOutOfRangeValues) {
  EXPECT_EQ(NumberError("-1"), "w.yaml:1: x: -1 is out of range 0..100");
  EXPECT_EQ(NumberError("-1", 0, kInf), "w.yaml:1: x: -1 must be at least 0");
  EXPECT_EQ(NumberError("0", 1, 10000), "w.yaml:1: x: 0 is out of range 1..10000");
  EXPECT_THAT(DurationError("{fixed: -5m}"), HasSubstr("w.yaml:1: x.fixed: '-5m' is not a duration"));
  EXPECT_EQ(NumberError("{fixed: 5, max: 500}"), "w.yaml:1: x.max: 500 is out of range 0..100");
}

TEST(DistributionYaml, MaxBelowMin) {
  EXPECT_EQ(DurationError("{uniform: [1m, 2m], min: 5m, max: 1m}"),
            "w.yaml:1: x.max: 1m0s is below min 5m0s");
  EXPECT_EQ(DurationError("{normal: {mean: 30m, stddev: 5m, min: 10m, max: 5m}}"),
            "w.yaml:1: x.normal.max: 5m0s is below min 10m0s");
}

TEST(DistributionYaml, ReportsEveryProblemWithItsLine) {
  const Parsed p = ParseDurations(
      "lognormal:\n"
      "  median: soon\n"
      "  p95: later\n"
      "max: never\n");
  EXPECT_THAT(p.errors, ElementsAre(HasSubstr("w.yaml:2: x.lognormal.median: 'soon' is not a duration"),
                                    HasSubstr("w.yaml:3: x.lognormal.p95: 'later' is not a duration"),
                                    HasSubstr("w.yaml:4: x.max: 'never' is not a duration")));
}

// ---- sampling ----

TEST(Distribution, DefaultIsFixedZero) {
  SeededRandom random(1);
  EXPECT_EQ(Distribution().Sample(random), 0);
  EXPECT_EQ(Distribution().Mean(), 0);
  EXPECT_EQ(Distribution().ToString(), "fixed(0)");
}

TEST(Distribution, FixedAndSampleDurationRounding) {
  SeededRandom random(1);
  EXPECT_EQ(Distribution::Fixed(1.6).SampleDuration(random), Duration(2));
  EXPECT_EQ(Distribution::Fixed(-5).Clamped(-10, 10).SampleDuration(random), Duration(0));
  EXPECT_EQ(Distribution::Fixed(1e300).Clamped(0, kInf).SampleDuration(random), Distribution::kMaxDuration);
  EXPECT_EQ(Distribution::Fixed(150).Clamped(0, 100).Sample(random), 100);
}

TEST(Distribution, PinnedDrawsFollowTheFormulas) {
  ScriptedRandom half({DrawFor(0.5)});
  EXPECT_EQ(Distribution::Uniform(10, 40).Sample(half), 25);
  EXPECT_DOUBLE_EQ(Distribution::Exponential(10).Sample(half), 10 * std::log(2.0));

  // Box-Muller: u1 = 1 - 0.5, u2 = 0 gives z = sqrt(2 ln 2).
  const double z = std::sqrt(2 * std::log(2.0));
  ScriptedRandom normal_draw({DrawFor(0.5), DrawFor(0)});
  EXPECT_DOUBLE_EQ(Distribution::Normal(100, 10).Sample(normal_draw), 100 + 10 * z);
  ScriptedRandom lognormal_draw({DrawFor(0.5), DrawFor(0)});
  const double sigma = std::log(45.0 / 20.0) / 1.6448536;
  EXPECT_DOUBLE_EQ(Distribution::LogNormal(20, 45).Sample(lognormal_draw), 20 * std::exp(sigma * z));

  const Distribution choice = Distribution::Choice({{15, 3}, {45, 1}});
  ScriptedRandom low({DrawFor(0.74)});
  ScriptedRandom high({DrawFor(0.75)});
  EXPECT_EQ(choice.Sample(low), 15);
  EXPECT_EQ(choice.Sample(high), 45);
}

TEST(Distribution, TruncatedNormalResamplesInsteadOfClamping) {
  // First pair: u2 = 0.5 gives z = -sqrt(2 ln 2), below min; the second pair gives +sqrt(2 ln 2).
  ScriptedRandom draws({DrawFor(0.5), DrawFor(0.5), DrawFor(0.5), DrawFor(0)});
  EXPECT_DOUBLE_EQ(Distribution::Normal(0, 10).Clamped(5, kInf).Sample(draws),
                   10 * std::sqrt(2 * std::log(2.0)));
}

TEST(Distribution, TruncatedNormalClampsAfterTooManyMisses) {
  SeededRandom random(3);
  const Distribution far = Distribution::Normal(0, 1).Clamped(100, 200);
  EXPECT_EQ(far.Sample(random), 100);
  EXPECT_EQ(far.Mean(), 100);
}

TEST(Distribution, SameSeedSameSequence) {
  for (const Distribution& d :
       {Distribution::Uniform(0, 10), Distribution::Normal(5, 3), Distribution::LogNormal(20, 45),
        Distribution::Exponential(4), Distribution::Choice({{1, 1}, {2, 2}, {3, 3}})}) {
    EXPECT_EQ(Draws(d, 42, 200), Draws(d, 42, 200)) << d.ToString();
    EXPECT_NE(Draws(d, 42, 200), Draws(d, 43, 200)) << d.ToString();
  }
}

// The first three draws from SeededRandom(2026). Pins the algorithms: a change to how values are drawn shows
// up here rather than as silently different simulations. Uniform and choice use only arithmetic and must
// match to the bit; the others go through std::log/std::exp/std::cos, which another C library may round
// differently in the last place.
std::vector<double> FirstDraws(const Distribution& d) { return Draws(d, 2026, 3); }

TEST(Distribution, SeedGivesTheseExactValues) {
  EXPECT_THAT(FirstDraws(Distribution::Uniform(10, 40)),
              ElementsAre(19.524884073956851, 29.630718073635524, 24.537905343552922));
  EXPECT_THAT(FirstDraws(Distribution::Choice({{1, 1}, {2, 1}, {3, 1}})), ElementsAre(1, 2, 2));
  EXPECT_THAT(
      FirstDraws(Distribution::Normal(30, 5)),
      ElementsAre(DoubleEq(27.528960774050788), DoubleEq(30.332516773733182), DoubleEq(28.627357863079684)));
  EXPECT_THAT(
      FirstDraws(Distribution::LogNormal(20, 45)),
      ElementsAre(DoubleEq(15.675242870063919), DoubleEq(20.666605374020541), DoubleEq(17.46828334335412)));
  EXPECT_THAT(
      FirstDraws(Distribution::Exponential(30)),
      ElementsAre(DoubleEq(11.459612703163236), DoubleEq(31.87048821318556), DoubleEq(19.884175767197615)));
}

TEST(Distribution, UniformStatistics) {
  const std::vector<double> v = Draws(Distribution::Uniform(10, 40));
  EXPECT_NEAR(MeanOf(v), 25, 0.25);
  EXPECT_GE(*std::min_element(v.begin(), v.end()), 10);
  EXPECT_LT(*std::max_element(v.begin(), v.end()), 40);
  EXPECT_EQ(Distribution::Uniform(10, 40).Mean(), 25);
}

TEST(Distribution, NormalStatistics) {
  const Distribution d = Distribution::Normal(30, 5);
  const std::vector<double> v = Draws(d);
  EXPECT_NEAR(MeanOf(v), 30, 0.3);
  EXPECT_NEAR(StddevOf(v), 5, 0.15);
  EXPECT_NEAR(d.Mean(), 30, 1e-6);  // truncated at 0, six standard deviations away
}

TEST(Distribution, TruncatedNormalRespectsBoundsAndItsMean) {
  const Distribution d = Distribution::Normal(10, 10);  // truncated at the default min 0
  const std::vector<double> v = Draws(d);
  EXPECT_GE(*std::min_element(v.begin(), v.end()), 0);
  // 10 + 10 * density(-1) / (1 - cdf(-1)).
  EXPECT_NEAR(d.Mean(), 12.876, 0.001);
  EXPECT_NEAR(MeanOf(v), d.Mean(), 0.2);

  const Distribution window = Distribution::Normal(30, 10).Clamped(25, 32);
  const std::vector<double> w = Draws(window);
  EXPECT_GE(*std::min_element(w.begin(), w.end()), 25);
  EXPECT_LE(*std::max_element(w.begin(), w.end()), 32);
  EXPECT_NEAR(MeanOf(w), window.Mean(), 0.05);
}

TEST(Distribution, LognormalMedianAndP95) {
  const Distribution d = Distribution::LogNormal(20 * kMinute, 45 * kMinute);
  const std::vector<double> v = Draws(d);
  EXPECT_NEAR(Quantile(v, 0.5), 20 * kMinute, 0.02 * 20 * kMinute);
  EXPECT_NEAR(Quantile(v, 0.95), 45 * kMinute, 0.03 * 45 * kMinute);
  const double sigma = std::log(45.0 / 20.0) / 1.6448536;
  EXPECT_NEAR(d.Mean(), 20 * kMinute * std::exp(sigma * sigma / 2), 1e-6);
  EXPECT_NEAR(MeanOf(v), d.Mean(), 0.02 * d.Mean());
}

TEST(Distribution, ExponentialStatistics) {
  const std::vector<double> v = Draws(Distribution::Exponential(30));
  EXPECT_NEAR(MeanOf(v), 30, 0.9);
  EXPECT_NEAR(Quantile(v, 0.5), 30 * std::log(2.0), 0.9);
  EXPECT_EQ(Distribution::Exponential(30).Mean(), 30);
}

TEST(Distribution, ChoiceFollowsTheWeights) {
  const Distribution d = Distribution::Choice({{15, 3}, {45, 1}});
  const std::vector<double> v = Draws(d);
  const double share = static_cast<double>(std::count(v.begin(), v.end(), 15.0)) / v.size();
  EXPECT_NEAR(share, 0.75, 0.015);
  EXPECT_EQ(std::count(v.begin(), v.end(), 15.0) + std::count(v.begin(), v.end(), 45.0), 20000);
  EXPECT_EQ(d.Mean(), 22.5);
}

TEST(Distribution, ClampedMeansMatchTheirSamples) {
  for (const Distribution& d :
       {Distribution::Uniform(0, 10).Clamped(2, 5), Distribution::Exponential(10).Clamped(2, 20),
        Distribution::LogNormal(20, 45).Clamped(15, 30), Distribution::Choice({{1, 1}, {9, 1}}).Clamped(2, 5),
        Distribution::Normal(5, 10).Clamped(0, 8)}) {
    const std::vector<double> v = Draws(d);
    EXPECT_GE(*std::min_element(v.begin(), v.end()), d.min()) << d.ToString();
    EXPECT_LE(*std::max_element(v.begin(), v.end()), d.max()) << d.ToString();
    EXPECT_NEAR(MeanOf(v), d.Mean(), 0.02 * d.Mean()) << d.ToString();
  }
  EXPECT_DOUBLE_EQ(Distribution::Uniform(0, 10).Clamped(2, 5).Mean(), 0.2 * 2 + 0.5 * 5 + (25.0 - 4.0) / 20);
  EXPECT_EQ(Distribution::Choice({{1, 1}, {9, 1}}).Clamped(2, 5).Mean(), 3.5);
}

TEST(Distribution, ToStringForNumbersAndDurations) {
  EXPECT_EQ(Distribution::Uniform(1, 3).ToString(), "uniform(lo=1, hi=3)");
  EXPECT_EQ(Distribution::Choice({{1, 3}, {2.5, 1}}).ToString(), "choice(1:3, 2.5:1)");
  EXPECT_EQ(Distribution::LogNormal(20 * kMinute, 45 * kMinute).AsDuration().ToString(),
            "lognormal(median=20m0s, p95=45m0s)");
  EXPECT_EQ(Distribution::Exponential(90 * kSecond).Clamped(0, kHour).AsDuration().ToString(),
            "exponential(mean=1m30s, max=1h0m)");
}

}  // namespace
}  // namespace glueguard
