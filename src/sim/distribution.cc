#include "sim/distribution.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <numbers>

namespace glueguard {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// The standard normal's 95th percentile.
constexpr double kZ95 = 1.6448536;

// Box-Muller, keeping only the cosine half so a draw is a pure function of two Uniform() values.
double StandardNormal(Random& random) {
  const double u1 = 1.0 - random.Uniform();  // (0, 1], so the log is finite
  const double u2 = random.Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

// The standard normal's CDF and density.
double Phi(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }
double Density(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi); }

// bound * probability, where an infinite bound reached with probability 0 contributes 0.
double Tail(double bound, double probability) { return probability > 0 ? bound * probability : 0.0; }

// Whole milliseconds in [0, kMaxDuration]; NaN becomes 0.
}  // namespace

Duration ToDuration(double ms) {
  const auto max_ms = static_cast<double>(Distribution::kMaxDuration.count());
  if (!(ms > 0)) return Duration(0);
  return Duration(std::llround(std::min(ms, max_ms)));
}

Distribution::Distribution(Kind kind, double first, double second, std::vector<WeightedValue> choices)
    : kind_(kind), first_(first), second_(second), choices_(std::move(choices)) {}

Distribution Distribution::Fixed(double value) { return Distribution(Kind::kFixed, value, 0, {}); }

Distribution Distribution::Uniform(double lo, double hi) {
  assert(lo <= hi);
  return Distribution(Kind::kUniform, lo, hi, {});
}

Distribution Distribution::Normal(double mean, double stddev) {
  assert(stddev >= 0);
  return Distribution(Kind::kNormal, mean, stddev, {});
}

Distribution Distribution::LogNormal(double median, double p95) {
  assert(median > 0 && median <= p95);
  return Distribution(Kind::kLogNormal, median, p95, {});
}

Distribution Distribution::Exponential(double mean) {
  assert(mean >= 0);
  return Distribution(Kind::kExponential, mean, 0, {});
}

Distribution Distribution::Choice(std::vector<WeightedValue> choices) {
  assert(!choices.empty());
  return Distribution(Kind::kChoice, 0, 0, std::move(choices));
}

Distribution Distribution::Clamped(double min, double max) const {
  assert(min <= max);
  Distribution d = *this;
  d.min_ = min;
  d.max_ = max;
  return d;
}

Distribution Distribution::AsDuration() const {
  Distribution d = *this;
  d.is_duration_ = true;
  return d;
}

double Distribution::Clamp(double value) const { return std::clamp(value, min_, max_); }

double Distribution::Sample(Random& random) const {
  switch (kind_) {
    case Kind::kFixed:
      return Clamp(first_);
    case Kind::kUniform:
      return Clamp(first_ + (second_ - first_) * random.Uniform());
    case Kind::kNormal: {
      double value = first_;
      for (int attempt = 0; attempt < kNormalAttempts; ++attempt) {
        value = first_ + second_ * StandardNormal(random);
        if (value >= min_ && value <= max_) return value;
      }
      return Clamp(value);
    }
    case Kind::kLogNormal: {
      const double mu = std::log(first_);
      const double sigma = (std::log(second_) - mu) / kZ95;
      return Clamp(std::exp(mu + sigma * StandardNormal(random)));
    }
    case Kind::kExponential:
      return Clamp(-first_ * std::log1p(-random.Uniform()));
    case Kind::kChoice: {
      double total = 0;
      for (const WeightedValue& c : choices_) total += c.weight;
      double point = random.Uniform() * total;
      for (const WeightedValue& c : choices_) {
        if (point < c.weight) return Clamp(c.value);
        point -= c.weight;
      }
      return Clamp(choices_.back().value);  // rounding left `point` just past the last weight
    }
  }
  return Clamp(first_);
}

Duration Distribution::SampleDuration(Random& random) const { return ToDuration(Sample(random)); }

double Distribution::Mean() const {
  switch (kind_) {
    case Kind::kFixed:
      return Clamp(first_);
    case Kind::kUniform: {
      const double lo = first_;
      const double hi = second_;
      if (hi <= lo) return Clamp(lo);
      const double width = hi - lo;
      const double below = std::clamp((min_ - lo) / width, 0.0, 1.0);
      const double above = std::clamp((hi - max_) / width, 0.0, 1.0);
      const double a = std::max(lo, min_);
      const double b = std::min(hi, max_);
      const double inside = a < b ? (b * b - a * a) / (2 * width) : 0.0;
      return Tail(min_, below) + Tail(max_, above) + inside;
    }
    case Kind::kNormal: {
      const double mean = first_;
      const double sd = second_;
      if (sd <= 0) return Clamp(mean);
      const double alpha = (min_ - mean) / sd;
      const double beta = (max_ - mean) / sd;
      const double below = Phi(alpha);
      const double above = Phi(-beta);
      // The mass inside [min, max], from whichever side keeps precision.
      const double inside = alpha > 0  ? Phi(-alpha) - above
                            : beta < 0 ? Phi(beta) - below
                                       : 1 - below - above;
      const double outside = below + above;
      // Every attempt missed: the last draw, which lies outside, is clamped.
      const double all_missed = std::pow(outside, kNormalAttempts);
      double result = 0;
      if (inside > 0) result += (1 - all_missed) * (mean + sd * (Density(alpha) - Density(beta)) / inside);
      if (outside > 0) result += all_missed * (Tail(min_, below) + Tail(max_, above)) / outside;
      return result;
    }
    case Kind::kLogNormal: {
      const double mu = std::log(first_);
      const double sigma = (std::log(second_) - mu) / kZ95;
      if (sigma <= 0) return Clamp(first_);
      const double a = min_ > 0 ? (std::log(min_) - mu) / sigma : -kInf;
      const double b = max_ > 0 ? (std::log(max_) - mu) / sigma : -kInf;
      const double inside = std::exp(mu + sigma * sigma / 2) * (Phi(b - sigma) - Phi(a - sigma));
      return Tail(min_, Phi(a)) + Tail(max_, Phi(-b)) + inside;
    }
    case Kind::kExponential: {
      const double mean = first_;
      if (mean <= 0) return Clamp(0);
      const double a = std::max(min_, 0.0);
      const double b = std::max(max_, 0.0);
      // The integral of x e^(-x/mean) / mean over [a, b].
      const double inside =
          (a + mean) * std::exp(-a / mean) - (std::isinf(b) ? 0 : (b + mean) * std::exp(-b / mean));
      return Tail(min_, -std::expm1(-a / mean)) + Tail(max_, std::exp(-b / mean)) + inside;
    }
    case Kind::kChoice: {
      double total = 0;
      double sum = 0;
      for (const WeightedValue& c : choices_) {
        total += c.weight;
        sum += c.weight * Clamp(c.value);
      }
      return sum / total;
    }
  }
  return Clamp(first_);
}

std::string Distribution::ToString() const {
  auto value = [&](double v) { return is_duration_ ? FormatDuration(ToDuration(v)) : fmt::format("{}", v); };
  std::string text;
  switch (kind_) {
    case Kind::kFixed:
      text = fmt::format("fixed({}", value(first_));
      break;
    case Kind::kUniform:
      text = fmt::format("uniform(lo={}, hi={}", value(first_), value(second_));
      break;
    case Kind::kNormal:
      text = fmt::format("normal(mean={}, stddev={}", value(first_), value(second_));
      break;
    case Kind::kLogNormal:
      text = fmt::format("lognormal(median={}, p95={}", value(first_), value(second_));
      break;
    case Kind::kExponential:
      text = fmt::format("exponential(mean={}", value(first_));
      break;
    case Kind::kChoice: {
      text = "choice(";
      for (size_t i = 0; i < choices_.size(); ++i) {
        text += fmt::format("{}{}:{}", i == 0 ? "" : ", ", value(choices_[i].value), choices_[i].weight);
      }
      break;
    }
  }
  if (min_ != 0) text += fmt::format(", min={}", value(min_));
  if (max_ != kInf) text += fmt::format(", max={}", value(max_));
  return text + ")";
}

}  // namespace glueguard
