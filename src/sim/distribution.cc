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
Duration ToDuration(double ms) {
  const auto max_ms = static_cast<double>(Distribution::kMaxDuration.count());
  if (!(ms > 0)) return Duration(0);
  return Duration(std::llround(std::min(ms, max_ms)));
}

}  // namespace

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

// ---- YAML ----

namespace {

const std::vector<std::string> kKinds = {"fixed", "uniform", "normal", "lognormal", "exponential", "choice"};

// Reads one distribution whose values are durations or plain numbers within [min, max]. Every method records
// its problems in the YamlReader and returns false when it found one.
class DistributionReader {
 public:
  DistributionReader(YamlReader& r, bool durations, double min, double max)
      : r_(r), durations_(durations), min_(min), max_(max) {}

  bool Read(const YAML::Node& node, const std::string& path, Distribution& out) {
    if (!node.IsDefined()) return true;
    Distribution d;
    double lo = min_;
    double hi = max_;
    if (node.IsScalar()) {
      double value = 0;
      if (!Value(node, path, value)) return false;
      d = Distribution::Fixed(value);
    } else if (!node.IsMap()) {
      r_.Error(node, path,
               fmt::format("must be {} or a map with one of {}", What(), fmt::join(kKinds, ", ")));
      return false;
    } else if (!ReadMap(node, path, d, lo, hi)) {
      return false;
    }
    d = d.Clamped(lo, hi);
    out = durations_ ? d.AsDuration() : d;
    return true;
  }

 private:
  // {<kind>: ..., min: ..., max: ...}; sets `d` and the bounds `lo`, `hi`.
  bool ReadMap(const YAML::Node& node, const std::string& path, Distribution& d, double& lo, double& hi) {
    std::vector<std::string> allowed = kKinds;
    allowed.insert(allowed.end(), {"min", "max"});
    bool ok = Keys(node, path, allowed);
    std::vector<std::string> kinds;
    for (const std::string& kind : kKinds) {
      if (node[kind]) kinds.push_back(kind);
    }
    if (kinds.size() > 1) {
      r_.Error(node[kinds[1]], path,
               fmt::format("has both '{}' and '{}'; give exactly one", kinds[0], kinds[1]));
      return false;
    }
    if (kinds.empty()) {
      // An unknown key (a misspelt kind) has already said what is wrong.
      if (ok) r_.Error(node, path, fmt::format("needs one of {}", fmt::join(kKinds, ", ")));
      return false;
    }
    const std::string& kind = kinds[0];
    const YAML::Node body = node[kind];
    const std::string body_path = YamlReader::Join(path, kind);
    ok &= ReadKind(kind, body, body_path, d);
    // Bounds sit beside the kind key, or inside a normal (its truncation), but not in both places.
    const bool inner = kind == "normal" && body.IsMap();
    for (const char* key : {"min", "max"}) {
      double& bound = std::string_view(key) == "min" ? lo : hi;
      if (inner && body[key] && node[key]) {
        r_.Error(body[key], YamlReader::Join(body_path, key), fmt::format("is also given beside '{}'", kind));
        ok = false;
      } else {
        ok &= inner && body[key] ? Key(body, body_path, key, bound) : Key(node, path, key, bound);
      }
    }
    if (ok && lo > hi) {
      const bool max_inside = inner && body["max"];
      r_.Error(max_inside ? body["max"] : node["max"], YamlReader::Join(max_inside ? body_path : path, "max"),
               fmt::format("{} is below min {}", Format(hi), Format(lo)));
      ok = false;
    }
    return ok;
  }

  bool ReadKind(const std::string& kind, const YAML::Node& node, const std::string& path, Distribution& out) {
    if (kind == "fixed") {
      double value = 0;
      if (!Value(node, path, value)) return false;
      out = Distribution::Fixed(value);
      return true;
    }
    if (kind == "uniform") {
      if (!node.IsSequence() || node.size() != 2) {
        r_.Error(node, path, "must be a list of two values [lo, hi]");
        return false;
      }
      double lo = 0;
      double hi = 0;
      const bool lo_ok = Value(node[0], path + "[0]", lo);
      if (!Value(node[1], path + "[1]", hi) || !lo_ok) return false;
      if (lo > hi) {
        r_.Error(node, path, fmt::format("lo {} is above hi {}", node[0].Scalar(), node[1].Scalar()));
        return false;
      }
      out = Distribution::Uniform(lo, hi);
      return true;
    }
    if (kind == "choice") return ReadChoice(node, path, out);
    if (!node.IsMap()) {
      const char* keys = kind == "normal"      ? "mean and stddev"
                         : kind == "lognormal" ? "median and p95"
                                               : "mean";
      r_.Error(node, path, fmt::format("must be a map with {}", keys));
      return false;
    }
    if (kind == "normal") {
      bool ok = Keys(node, path, {"mean", "stddev", "min", "max"});
      double mean = 0;
      double stddev = 0;
      ok &= Key(node, path, "mean", mean, true);
      ok &= Key(node, path, "stddev", stddev, true, 0, kInf);  // a spread, not a value: any size from zero up
      if (ok) out = Distribution::Normal(mean, stddev);
      return ok;
    }
    if (kind == "lognormal") {
      bool ok = Keys(node, path, {"median", "p95"});
      double median = 0;
      double p95 = 0;
      ok &= Positive(node, path, "median", median);
      ok &= Key(node, path, "p95", p95, true);
      if (ok && p95 < median) {
        r_.Error(node["p95"], YamlReader::Join(path, "p95"),
                 fmt::format("{} is below the median {}", node["p95"].Scalar(), node["median"].Scalar()));
        ok = false;
      }
      if (ok) out = Distribution::LogNormal(median, p95);
      return ok;
    }
    bool ok = Keys(node, path, {"mean"});  // exponential
    double mean = 0;
    ok &= Positive(node, path, "mean", mean);
    if (ok) out = Distribution::Exponential(mean);
    return ok;
  }

  bool ReadChoice(const YAML::Node& node, const std::string& path, Distribution& out) {
    if (!node.IsSequence() || node.size() == 0) {
      r_.Error(node, path, "must be a non-empty list of {value, weight}");
      return false;
    }
    std::vector<Distribution::WeightedValue> choices;
    bool ok = true;
    for (size_t i = 0; i < node.size(); ++i) {
      const YAML::Node item = node[i];
      const std::string item_path = fmt::format("{}[{}]", path, i);
      if (!item.IsMap()) {
        r_.Error(item, item_path, "must be a map with value and weight");
        ok = false;
        continue;
      }
      ok &= Keys(item, item_path, {"value", "weight"});
      Distribution::WeightedValue choice;
      ok &= Key(item, item_path, "value", choice.value, true);
      const YAML::Node weight = item["weight"];
      if (weight) {  // a plain number even in a duration distribution
        const std::string weight_path = YamlReader::Join(item_path, "weight");
        const bool parsed = Parse(weight, weight_path, false, choice.weight);
        if (parsed && choice.weight <= 0) {
          r_.Error(weight, weight_path, fmt::format("{} must be above zero", weight.Scalar()));
        }
        ok &= parsed && choice.weight > 0;
      }
      choices.push_back(choice);
    }
    if (ok) out = Distribution::Choice(std::move(choices));
    return ok;
  }

  // A scalar as a duration (in ms) when `duration`, else as a plain number.
  bool Parse(const YAML::Node& node, const std::string& path, bool duration, double& out) {
    if (!node.IsScalar()) {
      r_.Error(node, path, fmt::format("must be {}", duration ? "a duration like 25m" : "a number"));
      return false;
    }
    const std::string& text = node.Scalar();
    if (duration) {
      Result<Duration> d = ParseDuration(text);
      if (!d.ok()) r_.Error(node, path, d.status().message());
      if (d.ok()) out = static_cast<double>(d->count());
      return d.ok();
    }
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value)) {
      r_.Error(node, path, fmt::format("'{}' is not a number", text));
      return false;
    }
    out = value;
    return true;
  }

  // A value in this reader's unit within [lo, hi] (by default the reader's [min, max]).
  bool Value(const YAML::Node& node, const std::string& path, double& out) {
    return Value(node, path, out, min_, max_);
  }
  bool Value(const YAML::Node& node, const std::string& path, double& out, double lo, double hi) {
    double value = 0;
    if (!Parse(node, path, durations_, value)) return false;
    if (value < lo || value > hi) {
      r_.Error(node, path,
               std::isinf(hi)
                   ? fmt::format("{} must be at least {}", node.Scalar(), Format(lo))
                   : fmt::format("{} is out of range {}..{}", node.Scalar(), Format(lo), Format(hi)));
      return false;
    }
    out = value;
    return true;
  }

  // The value of `map[key]`; when absent, true with `out` untouched, or false when `required`.
  bool Key(const YAML::Node& map, const std::string& path, const char* key, double& out,
           bool required = false) {
    return Key(map, path, key, out, required, min_, max_);
  }
  bool Key(const YAML::Node& map, const std::string& path, const char* key, double& out, bool required,
           double lo, double hi) {
    const YAML::Node node = map[key];
    if (!node && required) r_.Error(map, YamlReader::Join(path, key), "is required");
    if (!node) return !required;
    return Value(node, YamlReader::Join(path, key), out, lo, hi);
  }

  // A required value above zero (a lognormal's median, an exponential's mean).
  bool Positive(const YAML::Node& map, const std::string& path, const char* key, double& out) {
    if (!Key(map, path, key, out, true)) return false;
    if (out <= 0) r_.Error(map[key], YamlReader::Join(path, key), "must be above zero");
    return out > 0;
  }

  // CheckKeys, returning true when every key of `map` is allowed.
  bool Keys(const YAML::Node& map, const std::string& path, const std::vector<std::string>& allowed) {
    const size_t errors_before = r_.errors().size();
    r_.CheckKeys(map, path, allowed);
    return r_.errors().size() == errors_before;
  }

  std::string Format(double v) const {
    return durations_ ? FormatDuration(ToDuration(v)) : fmt::format("{}", v);
  }
  std::string What() const { return durations_ ? "a duration like 25m" : "a number"; }

  YamlReader& r_;
  const bool durations_;
  const double min_;
  const double max_;
};

}  // namespace

bool ReadDurationDistribution(YamlReader& r, const YAML::Node& node, const std::string& path,
                              Distribution& out) {
  return DistributionReader(r, true, 0, kInf).Read(node, path, out);
}

bool ReadNumberDistribution(YamlReader& r, const YAML::Node& node, const std::string& path, Distribution& out,
                            double min, double max) {
  assert(min <= max);
  return DistributionReader(r, false, min, max).Read(node, path, out);
}

}  // namespace glueguard
