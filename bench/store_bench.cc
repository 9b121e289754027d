// The admission service on each store, side by side in one run: SQLite (a local file) against DynamoDB
// (dynalite on 127.0.0.1, started here), with the in-memory store as the floor. For DynamoDB it also counts
// the requests and the capacity units each admission and each observation costs, and prints what a million
// admissions and a month of observations of three subnets cost at on-demand prices (bench/README.md).
//
//   build/store_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include "controller/admission_service.h"
#include "store/dynamodb_store.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"
#include "testing/dynalite.h"
#include "testing/observations.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

// US East (N. Virginia) on-demand prices since 1 November 2024, in dollars per million request units.
constexpr double kWriteUnitPrice = 0.625;
constexpr double kReadUnitPrice = 0.125;

// DynamoDbApi that counts requests and the request units DynamoDB bills for them: a write unit per started
// KB of the item written (a failed condition is billed too), a read unit per started 4 KB read strongly (half
// eventually), at least one unit a request.
class MeteredDynamoDb final : public DynamoDbApi {
 public:
  explicit MeteredDynamoDb(DynamoDbApi& inner) : inner_(inner) {}

  Result<TableDescription> CreateTable(const CreateTableRequest& r) override { return inner_.CreateTable(r); }
  Result<TableDescription> DescribeTable(const std::string& t) override { return inner_.DescribeTable(t); }
  Status UpdateTimeToLive(const std::string& t, const std::string& a, bool e) override {
    return inner_.UpdateTimeToLive(t, a, e);
  }
  Result<TimeToLiveDescription> DescribeTimeToLive(const std::string& t) override {
    return inner_.DescribeTimeToLive(t);
  }
  Result<Item> PutItem(const PutItemRequest& r) override {
    Write(DynamoDbStore::ItemBytes(r.item));
    return inner_.PutItem(r);
  }
  Result<std::optional<Item>> GetItem(const GetItemRequest& r) override {
    Result<std::optional<Item>> got = inner_.GetItem(r);
    Read(got.ok() && *got ? DynamoDbStore::ItemBytes(**got) : 0, r.consistent_read);
    return got;
  }
  Result<Item> UpdateItem(const UpdateItemRequest& r) override {
    Result<Item> updated = inner_.UpdateItem(r);
    Write(updated.ok() ? DynamoDbStore::ItemBytes(*updated) : 0);
    return updated;
  }
  Result<Item> DeleteItem(const DeleteItemRequest& r) override {
    Write(0);
    return inner_.DeleteItem(r);
  }
  Result<QueryPage> Query(const QueryRequest& r) override { return Metered(r, inner_.Query(r)); }
  Result<QueryPage> Scan(const QueryRequest& r) override { return Metered(r, inner_.Scan(r)); }

  void Reset() {
    requests = 0;
    write_units = read_units = 0;
  }

  int64_t requests = 0;
  double write_units = 0, read_units = 0;

 private:
  Result<QueryPage> Metered(const QueryRequest& r, Result<QueryPage> page) {
    int64_t bytes = 0;
    if (page.ok()) {
      for (const Item& item : page->items) bytes += DynamoDbStore::ItemBytes(item);
    }
    Read(bytes, r.consistent_read);
    return page;
  }
  void Write(int64_t bytes) {
    ++requests;
    write_units += std::max<double>(1, std::ceil(static_cast<double>(bytes) / 1024));
  }
  void Read(int64_t bytes, bool consistent) {
    ++requests;
    read_units += std::max<double>(1, std::ceil(static_cast<double>(bytes) / 4096)) * (consistent ? 1 : 0.5);
  }

  DynamoDbApi& inner_;
};

Config BenchConfig() {
  Result<Config> c = ParseConfig(
      "subnets:\n  - id: subnet-a\n    cidr: 10.0.0.0/20\ncategories:\n  - name: critical\n    subnet: "
      "subnet-a\n",
      "bench", [](const std::string&) { return std::optional<std::string>(); });
  if (!c.ok()) throw std::runtime_error(c.status().message());
  return *c;
}

// What each DynamoDB benchmark measured, for the cost table printed after the run.
std::map<std::string, std::pair<double, double>>& UnitsPerOperation() {
  static std::map<std::string, std::pair<double, double>> units;  // name -> (write units, read units)
  return units;
}

enum class Backend { kMemory, kSqlite, kDynamoDb };

// The admission service on the store under test (with the meter when it is DynamoDB), on a fake clock.
struct BenchStore {
  explicit BenchStore(Backend backend) : config(BenchConfig()) {
    switch (backend) {
      case Backend::kMemory:
        store = std::make_unique<MemoryStore>();
        break;
      case Backend::kSqlite:
        store = std::move(*SqliteStore::Open(dir.File("bench.db")));
        break;
      case Backend::kDynamoDb: {
        auto [dynalite, tables] = testing::DynaliteWithFreshTables();
        meter = std::make_unique<MeteredDynamoDb>(dynalite->client());
        store = std::make_unique<DynamoDbStore>(*meter, tables, std::chrono::hours(24 * 30));
        break;
      }
    }
    service = std::move(*AdmissionService::Create(config, *store, clock, random));
  }

  void Report(benchmark::State& state, const std::string& name) const {
    if (!meter) return;
    const double n = static_cast<double>(state.iterations());
    state.counters["requests/op"] = static_cast<double>(meter->requests) / n;
    state.counters["WRU/op"] = meter->write_units / n;
    state.counters["RRU/op"] = meter->read_units / n;
    UnitsPerOperation()[name] = {meter->write_units / n, meter->read_units / n};
  }

  testing::TempDir dir;
  std::unique_ptr<MeteredDynamoDb> meter;
  std::unique_ptr<ObservationStore> store;
  const Config config;
  FakeClock clock{FromUnixMillis(1'767'225'600'000)};
  SeededRandom random{1};
  std::unique_ptr<AdmissionService> service;
};

// Arg 0: memory, 1: SQLite, 2: DynamoDB.
void OnEveryStore(benchmark::internal::Benchmark* b) {
  b->ArgName("memory0_sqlite1_dynamodb2")->Unit(benchmark::kMicrosecond);
  for (Backend backend : {Backend::kMemory, Backend::kSqlite, Backend::kDynamoDb})
    b->Arg(static_cast<int>(backend));
}

// One admission, as serve makes it: a launch asks, is admitted with a reservation, and (ten launches later)
// its reservation ends. About ten reservations are open at any time, as on a busy morning.
void BM_Admission(benchmark::State& state) {
  BenchStore bench(static_cast<Backend>(state.range(0)));
  AdmissionService* service = bench.service.get();
  if (!service->Observe(testing::ObservationOf("subnet-a", bench.clock.Now(), 100, 20)).ok()) {
    state.SkipWithError("the first observation failed");
    return;
  }
  if (bench.meter) bench.meter->Reset();  // count the admissions, not the set-up
  std::deque<std::string> open;
  int64_t n = 0;
  for (auto _ : state) {
    Result<Decision> d = service->Admit({"critical", 1, "bench/run-" + std::to_string(++n), std::nullopt});
    if (!d.ok() || d->outcome != Outcome::kAdmit) {
      state.SkipWithError("an admission was not admitted");
      return;
    }
    open.push_back(d->reservation_id);
    if (open.size() > 10) {
      (void)service->Release(open.front());
      open.pop_front();
    }
  }
  bench.Report(state, "admission");
}
BENCHMARK(BM_Admission)->Apply(OnEveryStore);

// One observation as a poller stores it every minute: the look itself, and the subnet's state when its total
// changed (it alternates here, so every observation commits).
void BM_Observation(benchmark::State& state) {
  BenchStore bench(static_cast<Backend>(state.range(0)));
  int64_t n = 0;
  for (auto _ : state) {
    bench.clock.Advance(std::chrono::minutes(1));
    const int in_use = 100 + static_cast<int>(++n % 2);
    if (!bench.service->Observe(testing::ObservationOf("subnet-a", bench.clock.Now(), in_use, 20)).ok()) {
      state.SkipWithError("an observation failed");
      return;
    }
  }
  bench.Report(state, "observation");
}
BENCHMARK(BM_Observation)->Apply(OnEveryStore);

void PrintCosts() {
  const auto& units = UnitsPerOperation();
  if (!units.count("admission") || !units.count("observation")) return;
  const auto cost = [](std::pair<double, double> u, double count) {
    return count * (u.first * kWriteUnitPrice + u.second * kReadUnitPrice) / 1e6;
  };
  const double month_of_observations = 3.0 * 60 * 24 * 30;  // three subnets, one a minute, 30 days
  std::printf(
      "\nOn-demand cost, us-east-1 prices since 2024-11-01 ($%.3f per million write units, $%.3f per "
      "million read units):\n",
      kWriteUnitPrice, kReadUnitPrice);
  std::printf("  1,000,000 admissions:                       $%.2f (%.1f WRU + %.1f RRU each)\n",
              cost(units.at("admission"), 1e6), units.at("admission").first, units.at("admission").second);
  std::printf("  a month of observations of 3 subnets (%.0f): $%.2f (%.1f WRU + %.1f RRU each)\n",
              month_of_observations, cost(units.at("observation"), month_of_observations),
              units.at("observation").first, units.at("observation").second);
}

}  // namespace
}  // namespace glueguard

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  glueguard::PrintCosts();
  return 0;
}
