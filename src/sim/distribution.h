// Distribution: a random distribution of non-negative values, used by the simulator for durations (in
// milliseconds), counts and multipliers. Read from YAML by sim/distribution_yaml.h.
//
// Sampling draws only from Random::Uniform() and uses no <random> distribution, so a seed gives the same
// values on every standard library. (The transcendental functions std::log, std::exp and std::cos come from
// the C library; glibc is the reference platform.)
//
// A value type: cheap to copy, immutable once built, thread-safe for concurrent Sample calls with distinct
// Randoms.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "base/random.h"
#include "base/time.h"

namespace glueguard {

class Distribution {
 public:
  enum class Kind { kFixed, kUniform, kNormal, kLogNormal, kExponential, kChoice };

  struct WeightedValue {
    double value = 0;
    double weight = 1;  // relative; REQUIRES: > 0
    bool operator==(const WeightedValue&) const = default;
  };

  // fixed(0).
  Distribution() = default;

  // Always `value`.
  static Distribution Fixed(double value);
  // Uniform in [lo, hi). REQUIRES: lo <= hi.
  static Distribution Uniform(double lo, double hi);
  // Normal, truncated to [min, max] (see Sample). REQUIRES: stddev >= 0.
  static Distribution Normal(double mean, double stddev);
  // Log-normal with the given median and 95th percentile: mu = ln(median),
  // sigma = (ln(p95) - mu) / 1.6448536. REQUIRES: 0 < median <= p95.
  static Distribution LogNormal(double median, double p95);
  // Exponential with the given mean. REQUIRES: mean >= 0.
  static Distribution Exponential(double mean);
  // One of `choices`, each with probability weight / total weight. REQUIRES: non-empty, every weight > 0.
  static Distribution Choice(std::vector<WeightedValue> choices);

  // A copy whose samples are limited to [min, max] (by default [0, +inf)). A normal is resampled until it
  // lands inside (at most kNormalAttempts draws) and only then clamped; every other kind is clamped.
  // REQUIRES: min <= max.
  Distribution Clamped(double min, double max) const;
  // A copy whose values are milliseconds, so ToString writes them as durations ("20m0s").
  Distribution AsDuration() const;

  // One value in [min, max]. Draws a fixed number of Uniform() values for every kind except a truncated
  // normal, which draws two per attempt.
  double Sample(Random& random) const;
  // Sample() as a duration: rounded to whole milliseconds, at least zero, at most kMaxDuration.
  Duration SampleDuration(Random& random) const;

  // The mean of Sample(), computed analytically with the clamping (and, for a normal, the resampling and the
  // clamp after kNormalAttempts misses) taken into account. Exact up to floating-point error.
  double Mean() const;

  // E.g. "lognormal(median=20m0s, p95=45m0s)", "uniform(lo=1, hi=3)", "normal(mean=30m0s, stddev=5m0s,
  // min=10m0s, max=1h0m)"; min and max appear only when they differ from 0 and +inf.
  std::string ToString() const;

  Kind kind() const { return kind_; }
  double min() const { return min_; }
  double max() const { return max_; }
  bool is_duration() const { return is_duration_; }
  const std::vector<WeightedValue>& choices() const { return choices_; }

  bool operator==(const Distribution&) const = default;

  // How many draws a truncated normal makes before it clamps its last draw instead.
  static constexpr int kNormalAttempts = 100;
  // The longest SampleDuration returns (a century), so adding a sample to a Time cannot overflow.
  static constexpr Duration kMaxDuration = std::chrono::hours(24 * 36525);

 private:
  Distribution(Kind kind, double first, double second, std::vector<WeightedValue> choices);
  double Clamp(double value) const;

  Kind kind_ = Kind::kFixed;
  double first_ = 0;   // fixed: value; uniform: lo; normal: mean; lognormal: median; exponential: mean
  double second_ = 0;  // uniform: hi; normal: stddev; lognormal: p95
  std::vector<WeightedValue> choices_;  // choice only
  double min_ = 0;
  double max_ = std::numeric_limits<double>::infinity();
  bool is_duration_ = false;
};

// `ms` milliseconds as a Duration: rounded to whole milliseconds, at least zero, at most kMaxDuration.
Duration ToDuration(double ms);

}  // namespace glueguard
