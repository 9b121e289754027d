// The metric names a PromQL expression reads, to check the queries shipped under deploy/ (the Grafana board,
// the Prometheus alert rules) against the names glueguard exports. Not a PromQL parser: a tokenizer that
// knows which identifiers are not metric names (functions, aggregation and set keywords, label lists,
// label matchers, durations, strings, Grafana template variables); `promtool check rules` checks the syntax.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "metrics/metrics.h"

namespace glueguard {

// Every metric name `expr` selects, once each, in order of first appearance: bare identifiers that are not
// followed by "(" (a function or an aggregation), not keywords (and, or, unless, bool, offset, by, without,
// on, ignoring, group_left, group_right, inf, nan) and not inside a label list or `{...}` matcher, plus the
// value of a `__name__="..."` matcher. Grafana's template variables ($name, ${name}, [[name]]) are skipped,
// so queries may use $subnet, ${datasource}, $__rate_interval or $__range.
// InvalidArgument, naming the offset, for an unterminated string, `{`, `[` or label list.
Result<std::vector<std::string>> MetricNamesInPromQL(std::string_view expr);

// Every sample name `families` expose: each family's name, and for a histogram its `_bucket`, `_sum` and
// `_count` series (the family name itself is not a sample name of a histogram).
std::set<std::string> ExposedSampleNames(const std::vector<FamilySnapshot>& families);

// The names MetricNamesInPromQL finds in `expr` that are not in `exposed` (empty when every one is); its
// errors.
Result<std::vector<std::string>> UnknownMetricNames(std::string_view expr,
                                                    const std::set<std::string>& exposed);

}  // namespace glueguard
