#include "metrics/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace glueguard {
namespace {

[[noreturn]] void DieOnMisuse(const std::string& message) {
  std::fprintf(stderr, "metrics: %s\n", message.c_str());
  std::abort();
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!IsAsciiLetter(c) && c != '_' && c != ':' && (i == 0 || !IsAsciiDigit(c))) return false;
  }
  return true;
}

// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved for Prometheus's own labels).
bool IsValidLabelName(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!IsAsciiLetter(c) && c != '_' && (i == 0 || !IsAsciiDigit(c))) return false;
  }
  return true;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out = "{";
  for (const std::string& n : names) out += (out.size() > 1 ? "," : "") + n;
  return out + "}";
}

Status ValidateDescriptor(const MetricDescriptor& d) {
  const std::string& name = d.name;
  if (!IsValidMetricName(name)) {
    return Status::InvalidArgument("metric name \"" + name + "\" does not match [a-zA-Z_:][a-zA-Z0-9_:]*");
  }
  if (d.help.empty()) return Status::InvalidArgument(name + ": help text is empty");
  const bool total = EndsWith(name, "_total");
  if (d.type == MetricType::kCounter && !total) {
    return Status::InvalidArgument(name + ": a counter's name must end in \"_total\"");
  }
  if (d.type != MetricType::kCounter && total) {
    return Status::InvalidArgument(name + ": only counters' names may end in \"_total\"");
  }
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    if (EndsWith(name, suffix)) {
      return Status::InvalidArgument(name + ": the suffix \"" + suffix +
                                     "\" is reserved for histogram samples");
    }
  }
  for (size_t i = 0; i < d.label_names.size(); ++i) {
    const std::string& label = d.label_names[i];
    auto bad_label = [&](std::string_view why) {
      std::string message = name;
      message.append(": label name \"").append(label).append("\" ").append(why);
      return Status::InvalidArgument(std::move(message));
    };
    if (!IsValidLabelName(label))
      return bad_label("does not match [a-zA-Z_][a-zA-Z0-9_]* or starts with \"__\"");
    if (label == "le" || label == "quantile") return bad_label("is reserved");
    const auto before = d.label_names.begin() + static_cast<std::ptrdiff_t>(i);
    if (std::find(d.label_names.begin(), before, label) != before) return bad_label("is repeated");
  }
  for (size_t i = 0; i < d.bucket_bounds.size(); ++i) {
    const double bound = d.bucket_bounds[i];
    if (!std::isfinite(bound) || (i > 0 && bound <= d.bucket_bounds[i - 1])) {
      return Status::InvalidArgument(name + ": bucket bounds must be finite and strictly increasing");
    }
  }
  return Status::Ok();
}

// The values of `labels` in the order of the family's label names; aborts unless the names match exactly.
std::vector<std::string> LabelValues(const MetricDescriptor& d, const Labels& labels) {
  std::vector<std::string> values(d.label_names.size());
  std::vector<bool> seen(d.label_names.size(), false);
  bool match = labels.size() == d.label_names.size();
  for (const auto& [label, value] : labels) {
    if (!match) break;
    const auto it = std::find(d.label_names.begin(), d.label_names.end(), label);
    const auto i = static_cast<size_t>(it - d.label_names.begin());
    if (it == d.label_names.end() || seen[i]) {
      match = false;
    } else {
      seen[i] = true;
      values[i] = value;
    }
  }
  if (!match) {
    std::vector<std::string> given;
    for (const auto& label : labels) given.push_back(label.first);
    DieOnMisuse(d.name + ": labels " + JoinNames(given) + " are not the family's " +
                JoinNames(d.label_names));
  }
  return values;
}

}  // namespace

const char* MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

void Counter::Increment(double delta) {
  if (delta >= 0) value_.fetch_add(delta, std::memory_order_relaxed);  // false for NaN too
}

void Gauge::Add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }

Histogram::Histogram(const std::vector<double>& bounds) : bounds_(bounds), counts_(bounds.size() + 1, 0) {}

void Histogram::Observe(double value) {
  if (std::isnan(value)) return;
  const auto bucket =
      static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  MutexLock lock(mu_);
  ++counts_[bucket];
  sum_ += value;
}

Histogram::Totals Histogram::Read() const {
  Totals totals;
  MutexLock lock(mu_);
  totals.cumulative_counts.reserve(counts_.size());
  for (const uint64_t n : counts_) {
    totals.count += n;
    totals.cumulative_counts.push_back(totals.count);
  }
  totals.sum = sum_;
  return totals;
}

template <typename T>
Family<T>::Family(MetricDescriptor descriptor) : descriptor_(std::move(descriptor)) {}

template <typename T>
T& Family<T>::With(const Labels& labels) {
  std::vector<std::string> values = LabelValues(descriptor_, labels);
  MutexLock lock(mu_);
  std::unique_ptr<T>& series = series_[std::move(values)];
  if (series == nullptr) {
    if constexpr (std::is_same_v<T, Histogram>) {
      series = std::unique_ptr<Histogram>(new Histogram(descriptor_.bucket_bounds));  // private constructor
    } else {
      series = std::make_unique<T>();
    }
  }
  return *series;
}

template <typename T>
std::vector<std::pair<std::vector<std::string>, const T*>> Family<T>::Series() const {
  std::vector<std::pair<std::vector<std::string>, const T*>> out;
  MutexLock lock(mu_);
  out.reserve(series_.size());
  for (const auto& [values, series] : series_) out.emplace_back(values, series.get());
  return out;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

void GaugeWriter::Set(const Labels& labels, double value) {
  values_[LabelValues(descriptor_, labels)] = value;
}

struct MetricsRegistry::Entry {
  MetricDescriptor descriptor;
  // Exactly one of these is set, by descriptor.type and whether the family is computed.
  std::unique_ptr<CounterFamily> counter;
  std::unique_ptr<GaugeFamily> gauge;
  std::unique_ptr<HistogramFamily> histogram;
  GaugeCallback collect;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

Result<MetricsRegistry::Entry*> MetricsRegistry::Register(MetricDescriptor descriptor,
                                                          GaugeCallback collect) {
  GG_RETURN_IF_ERROR(ValidateDescriptor(descriptor));
  const bool computed = collect != nullptr;
  MutexLock lock(mu_);
  std::unique_ptr<Entry>& entry = entries_[descriptor.name];
  if (entry != nullptr) {
    if (!computed && entry->collect == nullptr && entry->descriptor == descriptor) return entry.get();
    return Status::AlreadyExists("metric " + descriptor.name + " is already registered differently: as a " +
                                 (entry->collect != nullptr ? "computed " : "") +
                                 MetricTypeName(entry->descriptor.type) + " with labels " +
                                 JoinNames(entry->descriptor.label_names) + " and its own help and buckets");
  }
  entry = std::make_unique<Entry>();
  entry->descriptor = std::move(descriptor);
  const MetricDescriptor& d = entry->descriptor;
  // Family's constructor is private to this class, so no make_unique. A family without labels gets its one
  // series now, so it prints (at zero) before anything happens.
  if (computed) {
    entry->collect = std::move(collect);
  } else if (d.type == MetricType::kCounter) {
    entry->counter = std::unique_ptr<CounterFamily>(new CounterFamily(d));
    if (d.label_names.empty()) entry->counter->With({});
  } else if (d.type == MetricType::kGauge) {
    entry->gauge = std::unique_ptr<GaugeFamily>(new GaugeFamily(d));
    if (d.label_names.empty()) entry->gauge->With({});
  } else {
    entry->histogram = std::unique_ptr<HistogramFamily>(new HistogramFamily(d));
    if (d.label_names.empty()) entry->histogram->With({});
  }
  return entry.get();
}

Result<CounterFamily*> MetricsRegistry::AddCounter(std::string name, std::string help,
                                                   std::vector<std::string> label_names) {
  Result<Entry*> entry =
      Register({std::move(name), std::move(help), MetricType::kCounter, std::move(label_names), {}}, nullptr);
  if (!entry.ok()) return entry.status();
  return (*entry)->counter.get();
}

Result<GaugeFamily*> MetricsRegistry::AddGauge(std::string name, std::string help,
                                               std::vector<std::string> label_names) {
  Result<Entry*> entry =
      Register({std::move(name), std::move(help), MetricType::kGauge, std::move(label_names), {}}, nullptr);
  if (!entry.ok()) return entry.status();
  return (*entry)->gauge.get();
}

Result<HistogramFamily*> MetricsRegistry::AddHistogram(std::string name, std::string help,
                                                       std::vector<double> bucket_bounds,
                                                       std::vector<std::string> label_names) {
  Result<Entry*> entry = Register({std::move(name), std::move(help), MetricType::kHistogram,
                                   std::move(label_names), std::move(bucket_bounds)},
                                  nullptr);
  if (!entry.ok()) return entry.status();
  return (*entry)->histogram.get();
}

Status MetricsRegistry::AddComputedGauge(std::string name, std::string help,
                                         std::vector<std::string> label_names, GaugeCallback collect) {
  if (collect == nullptr) return Status::InvalidArgument(name + ": the computed gauge has no callback");
  Result<Entry*> entry = Register(
      {std::move(name), std::move(help), MetricType::kGauge, std::move(label_names), {}}, std::move(collect));
  return entry.ok() ? Status::Ok() : entry.status();
}

std::vector<FamilySnapshot> MetricsRegistry::Collect() const {
  std::vector<const Entry*> entries;
  {
    MutexLock lock(mu_);
    entries.reserve(entries_.size());
    for (const auto& [name, entry] : entries_) entries.push_back(entry.get());
  }
  // Entries are never removed or changed after registration, so they are read here without the lock; each
  // family locks its own series.
  std::vector<FamilySnapshot> families;
  families.reserve(entries.size());
  for (const Entry* entry : entries) {
    FamilySnapshot& family = families.emplace_back(FamilySnapshot{entry->descriptor, {}});
    if (entry->collect != nullptr) {
      std::map<std::vector<std::string>, double> values;
      GaugeWriter writer(entry->descriptor, values);
      entry->collect(writer);
      for (auto& [labels, value] : values) family.series.push_back({labels, value, {}});
    } else if (entry->counter != nullptr) {
      for (const auto& [labels, c] : entry->counter->Series())
        family.series.push_back({labels, c->Value(), {}});
    } else if (entry->gauge != nullptr) {
      for (const auto& [labels, g] : entry->gauge->Series())
        family.series.push_back({labels, g->Value(), {}});
    } else {
      for (const auto& [labels, h] : entry->histogram->Series())
        family.series.push_back({labels, 0, h->Read()});
    }
  }
  return families;
}

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == 0) return "0";  // also -0
  // Below 2^53 every integral double is an exact integer; print it as one. The rest in the shortest form that
  // reads back exactly, whichever of fixed and scientific notation is shorter.
  constexpr double kExactIntegers = 9007199254740992.0;
  char buffer[64];
  const std::to_chars_result r =
      std::trunc(value) == value && std::fabs(value) < kExactIntegers
          ? std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed)
          : std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, r.ptr);
}

namespace {

// Escapes backslash and newline, and the double quote too when `quote`.
void AppendEscaped(std::string& out, std::string_view text, bool quote) {
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// One sample line: `name{label="value",...,le="bound"} value`, braces only when there are labels.
void AppendSample(std::string& out, std::string_view name, const MetricDescriptor& d,
                  const std::vector<std::string>& label_values, const std::string* le, double value) {
  out += name;
  if (!d.label_names.empty() || le != nullptr) {
    out += '{';
    for (size_t i = 0; i < d.label_names.size(); ++i) {
      if (i > 0) out += ',';
      out += d.label_names[i];
      out += "=\"";
      AppendEscaped(out, label_values[i], /*quote=*/true);
      out += '"';
    }
    if (le != nullptr) {
      out += d.label_names.empty() ? "le=\"" : ",le=\"";
      out += *le;
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += FormatMetricValue(value);
  out += '\n';
}

}  // namespace

std::string RenderPrometheusText(const std::vector<FamilySnapshot>& families) {
  std::string out;
  for (const FamilySnapshot& family : families) {
    const MetricDescriptor& d = family.descriptor;
    out += "# HELP " + d.name + " ";
    AppendEscaped(out, d.help, /*quote=*/false);
    out += "\n# TYPE " + d.name + " " + MetricTypeName(d.type) + "\n";
    if (d.type != MetricType::kHistogram) {
      for (const SeriesSnapshot& s : family.series)
        AppendSample(out, d.name, d, s.label_values, nullptr, s.value);
      continue;
    }
    std::vector<std::string> les;
    for (const double bound : d.bucket_bounds) les.push_back(FormatMetricValue(bound));
    les.emplace_back("+Inf");
    for (const SeriesSnapshot& s : family.series) {
      for (size_t i = 0; i < les.size(); ++i) {
        const auto count = static_cast<double>(s.histogram.cumulative_counts[i]);
        AppendSample(out, d.name + "_bucket", d, s.label_values, &les[i], count);
      }
      AppendSample(out, d.name + "_sum", d, s.label_values, nullptr, s.histogram.sum);
      AppendSample(out, d.name + "_count", d, s.label_values, nullptr,
                   static_cast<double>(s.histogram.count));
    }
  }
  return out;
}

std::string RenderPrometheusText(const MetricsRegistry& registry) {
  return RenderPrometheusText(registry.Collect());
}

}  // namespace glueguard
