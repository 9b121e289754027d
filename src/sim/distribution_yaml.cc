#include "sim/distribution_yaml.h"

#include <fmt/format.h>

#include <cassert>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "base/strings.h"

namespace glueguard {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

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
    const std::optional<double> value = ParseNumber(text);
    if (!value) {
      r_.Error(node, path, fmt::format("'{}' is not a number", text));
      return false;
    }
    out = *value;
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
