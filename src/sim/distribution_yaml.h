// Reading a Distribution from a workload's YAML. Apart from distribution.h so that only the workload parser
// (and its tests) include yaml-cpp, not everything that samples a distribution.
#pragma once

#include <string>

#include "formats/yaml_reader.h"
#include "sim/distribution.h"

namespace glueguard {

// Reads a duration distribution from `node` (durations written with units: 90s, 25m, 1h30m). Accepted forms:
//   25m                                  fixed
//   {fixed: 25m}
//   {uniform: [10m, 40m]}
//   {normal: {mean: 30m, stddev: 5m, min: 10m, max: 1h}}     min/max optional: truncation
//   {lognormal: {median: 20m, p95: 45m}}
//   {exponential: {mean: 30m}}
//   {choice: [{value: 15m, weight: 3}, {value: 45m, weight: 1}]}   weight optional, default 1
// plus optional `min` / `max` keys beside the kind key, clamping any kind (for a normal, the same as inside).
// Exactly one kind key. The result is marked AsDuration().
// Returns true and sets `out` on success; true and leaves `out` alone when `node` is undefined (an absent
// key); false, leaving `out` alone, after recording every problem in `r` under `path` otherwise.
bool ReadDurationDistribution(YamlReader& r, const YAML::Node& node, const std::string& path,
                              Distribution& out);

// The same forms with plain numbers ("2.5") for counts and multipliers. Every value written (fixed, lo, hi,
// mean, median, p95, choice values, min, max) must lie in [min, max], and samples are clamped to
// [min, max] unless a tighter min/max is written. REQUIRES: min <= max.
bool ReadNumberDistribution(YamlReader& r, const YAML::Node& node, const std::string& path, Distribution& out,
                            double min, double max);

}  // namespace glueguard
