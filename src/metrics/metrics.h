// Metrics: a small thread-safe registry of counters, gauges and histograms for the long-running daemon, and
// the one renderer of the Prometheus text exposition format (0.0.4) that `GET /metrics` serves.
//
// Shape. A *family* is one metric name with its help text, type and label names; a *series* is one set of
// label values in a family. Families are registered once, at start-up, and live as long as the registry; so
// do their series, so label values must come from bounded sets (subnets, outcomes, AWS operations). Values
// that belong to another component and appear or vanish with it (capacity per subnet, say) are reported by a
// *computed gauge*: a callback that writes the family's series each time the registry is collected.
//
// Each component declares its metrics in one place, Envoy's stats lists in struct form:
//
//   struct AdmissionMetrics {
//     CounterFamily* decisions;       // glueguard_admission_decisions_total{subnet,outcome}
//     HistogramFamily* wait_seconds;  // glueguard_admission_wait_seconds{subnet}
//     static Result<AdmissionMetrics> Register(MetricsRegistry& registry);
//   };
//   ...
//   metrics.decisions->With({{"subnet", id}, {"outcome", "admit"}}).Increment();
//
// Errors. Registration returns a Status: a bad name or label name, a counter without `_total`, bucket bounds
// not strictly increasing, or a name already registered differently are InvalidArgument / AlreadyExists
// values the caller can test and report. Naming a series with label names other than its family's (in With()
// or a GaugeWriter) is a programming error: it aborts the process with a message naming the metric, in every
// build (not an assert(), which NDEBUG would compile out), because a series under the wrong labels would
// silently corrupt what operators see.
//
// Thread-safety: every member of every class here may be called from any thread at once. Counter and Gauge
// updates are lock-free atomics; Histogram::Observe takes a per-series lock so a scrape sees its buckets, sum
// and count from the same set of observations. Collect() and RenderPrometheusText() hold no registry lock
// while computed-gauge callbacks run, so a callback may itself use the registry.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"

namespace glueguard {

// The Content-Type of RenderPrometheusText()'s output.
inline constexpr std::string_view kPrometheusTextContentType = "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { kCounter, kGauge, kHistogram };

// "counter", "gauge" or "histogram", as in a `# TYPE` line.
const char* MetricTypeName(MetricType type);

// Label name -> value pairs naming one series, e.g. {{"subnet", "subnet-a"}, {"outcome", "admit"}}. The names
// must be exactly the family's label names, in any order. Values are any UTF-8 text (the renderer escapes
// them).
using Labels = std::vector<std::pair<std::string, std::string>>;

// What a family is: fixed at registration.
struct MetricDescriptor {
  std::string name;                      // e.g. "glueguard_admission_decisions_total"
  std::string help;                      // for `# HELP`; not empty; any text (the renderer escapes it)
  MetricType type = MetricType::kGauge;  // as printed in `# TYPE`
  std::vector<std::string> label_names;  // in the order samples print them
  std::vector<double> bucket_bounds;     // histograms: finite upper bounds, strictly increasing; +Inf implied

  bool operator==(const MetricDescriptor&) const = default;
};

// A monotonic count, e.g. of requests or of bytes.
class Counter {
 public:
  // Adds `delta`. REQUIRES: delta >= 0. A negative or NaN delta is ignored, so the counter never goes down.
  void Increment(double delta = 1);
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down, e.g. jobs running.
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta);  // a negative delta subtracts
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations counted into buckets with fixed upper bounds (inclusive, as Prometheus's `le`). Made only by
// its family, which owns the bounds.
class Histogram {
 public:
  // Counts `value` into the first bucket whose bound is >= value (+Inf when none) and adds it to the sum. A
  // NaN observation is dropped: it would turn the sum into NaN for the rest of the process's life.
  void Observe(double value) GG_EXCLUDES(mu_);

  struct Totals {
    std::vector<uint64_t> cumulative_counts;  // one per bound, then one for +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  // Buckets, sum and count from the same set of observations.
  Totals Read() const GG_EXCLUDES(mu_);

 private:
  template <typename T>
  friend class Family;
  explicit Histogram(const std::vector<double>& bounds);

  const std::vector<double>& bounds_;  // the family's
  mutable Mutex mu_;
  std::vector<uint64_t> counts_ GG_GUARDED_BY(mu_);  // per bucket, not cumulative; the last is +Inf
  double sum_ GG_GUARDED_BY(mu_) = 0;
};

// A family of series of type T (Counter, Gauge or Histogram), created by MetricsRegistry and owned by it.
template <typename T>
class Family {
 public:
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;

  // The series for `labels`, created at zero on first use. The reference stays valid as long as the registry;
  // keep it to skip the lookup (a lock and a map search) on hot paths. Aborts when the label names are not
  // exactly the family's (see the file comment). A family without labels has its one series at With({}).
  T& With(const Labels& labels) GG_EXCLUDES(mu_);

  const MetricDescriptor& descriptor() const { return descriptor_; }

 private:
  friend class MetricsRegistry;
  explicit Family(MetricDescriptor descriptor);
  // Every series as (label values in label_names order, series), sorted by label values.
  std::vector<std::pair<std::vector<std::string>, const T*>> Series() const GG_EXCLUDES(mu_);

  const MetricDescriptor descriptor_;
  mutable Mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> series_ GG_GUARDED_BY(mu_);
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// What a computed gauge's callback writes its series into, during one collection.
class GaugeWriter {
 public:
  // Sets the series named by `labels` for this collection; setting the same labels again replaces the value.
  // Aborts when the label names are not exactly the family's.
  void Set(const Labels& labels, double value);

 private:
  friend class MetricsRegistry;
  GaugeWriter(const MetricDescriptor& descriptor, std::map<std::vector<std::string>, double>& values)
      : descriptor_(descriptor), values_(values) {}

  const MetricDescriptor& descriptor_;
  std::map<std::vector<std::string>, double>& values_;  // label values -> value
};

// Called at every collection, on the collecting thread (an HTTP worker for `GET /metrics`), possibly on
// several threads at once; must be thread-safe and quick, and must not throw. It and whatever it refers to
// must stay valid while the registry can still be collected (stop the HTTP server before destroying what it
// reads).
using GaugeCallback = std::function<void(GaugeWriter&)>;

// One series' values at collection time.
struct SeriesSnapshot {
  std::vector<std::string> label_values;  // in the family's label_names order
  double value = 0;                       // counters and gauges
  Histogram::Totals histogram;            // histograms
};

// One family at collection time; its series sorted by label values.
struct FamilySnapshot {
  MetricDescriptor descriptor;
  std::vector<SeriesSnapshot> series;
};

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Register a family and return it (non-null, owned by the registry, valid as long as it). Registering a
  // name again with the same descriptor returns the family already there, so components may share one.
  // Errors:
  //   InvalidArgument: empty help; a name not matching [a-zA-Z_:][a-zA-Z0-9_:]*; a counter name not ending
  //     in "_total", or another type's name ending in it; a name ending in "_bucket", "_sum" or "_count"
  //     (reserved for histogram samples); a label name not matching [a-zA-Z_][a-zA-Z0-9_]*, starting with
  //     "__", repeated, or "le" / "quantile" (reserved); histogram bounds not finite and strictly increasing.
  //   AlreadyExists: the name is registered with another type, help, label names or bounds, or as a
  //     computed gauge.
  Result<CounterFamily*> AddCounter(std::string name, std::string help,
                                    std::vector<std::string> label_names = {});
  Result<GaugeFamily*> AddGauge(std::string name, std::string help,
                                std::vector<std::string> label_names = {});
  Result<HistogramFamily*> AddHistogram(std::string name, std::string help, std::vector<double> bucket_bounds,
                                        std::vector<std::string> label_names = {});

  // Registers a gauge family whose series `collect` writes at every collection; only what it writes in a
  // collection is in it. Same errors as AddGauge, except that any second registration of the name (even an
  // identical one) is AlreadyExists: two callbacks for one family would contradict each other.
  Status AddComputedGauge(std::string name, std::string help, std::vector<std::string> label_names,
                          GaugeCallback collect);

  // Every family with its current series, sorted by name; runs the computed-gauge callbacks.
  std::vector<FamilySnapshot> Collect() const GG_EXCLUDES(mu_);

 private:
  struct Entry;  // one family of any kind; defined in metrics.cc
  // Validates and adds a family; a computed gauge when `collect` is set.
  Result<Entry*> Register(MetricDescriptor descriptor, GaugeCallback collect) GG_EXCLUDES(mu_);

  mutable Mutex mu_;
  std::map<std::string, std::unique_ptr<Entry>> entries_ GG_GUARDED_BY(mu_);  // never removed
};

// The registry in the Prometheus text exposition format 0.0.4: for each family, sorted by name, `# HELP`
// (with backslash and newline escaped), `# TYPE`, then its samples sorted by label values, label values
// escaped (backslash, double quote, newline). Histograms print `_bucket{...,le="..."}` (cumulative, ending in
// le="+Inf"), `_sum` and `_count`. A family with no series prints only its HELP and TYPE lines.
std::string RenderPrometheusText(const MetricsRegistry& registry);
// The same for snapshots already collected. REQUIRES: they are as Collect() makes them (sorted; a histogram
// series has one cumulative count per bound plus one).
std::string RenderPrometheusText(const std::vector<FamilySnapshot>& families);

// A sample value as Prometheus spells it: integral values below 2^53 in magnitude as integers ("3", "-12",
// "1000000000000000"), others in the shortest form that reads back exactly ("0.25", "1e-05", "1e+20"), and
// "NaN", "+Inf", "-Inf".
std::string FormatMetricValue(double value);

// For a component's Register(): stores a registered family in `out`, or turns a registration error (a name
// clash: a programming error) into Internal.
template <typename T>
Status TakeFamily(Result<T*> registered, T*& out) {
  if (!registered.ok()) return Status::Internal(registered.status().message());
  out = *registered;
  return Status::Ok();
}

}  // namespace glueguard
