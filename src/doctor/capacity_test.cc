#include "doctor/capacity.h"

#include <gtest/gtest.h>

#include "store/memory_store.h"

namespace glueguard {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

Workload SeedAfter() {
  Result<Workload> w =
      LoadWorkloadFile(std::string(GLUEGUARD_SOURCE_DIR) + "/examples/workloads/seed-after.yaml");
  EXPECT_TRUE(w.ok()) << w.status().message();
  return *w;
}

std::vector<SubnetConfig> SubnetsOf(const Workload& w) {
  std::vector<SubnetConfig> out;
  for (const WorkloadSubnet& ws : w.subnets) {
    SubnetConfig s;
    s.id = ws.id;
    s.name = ws.name;
    s.cidr = ws.cidr;
    out.push_back(s);
  }
  return out;
}

TEST(Capacity, TheBusiestHourComesFromStoredObservations) {
  const Workload w = SeedAfter();
  MemoryStore store;
  const Time now = FromUnixMillis(1'767'225'600'000);  // midnight UTC
  for (int i = 1; i <= 48; ++i) {
    Observation o;
    o.subnet_id = w.subnets[0].id;
    o.observed_at = now - hours(i);
    o.total_enis = o.in_use = i == 17 ? 51 : 20;  // 07:00 UTC the day before
    ASSERT_TRUE(store.AppendObservation(o).ok());
  }
  CapacityOptions options;
  options.days = 2;
  options.step = 100;
  options.max = 100;
  Result<CapacityReport> r = RunCapacity(w, SubnetsOf(w), &store, now, options);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->subnets.size(), 3u);
  const SubnetHeadroom& a = r->subnets[0];
  EXPECT_EQ(a.capacity, 59);
  EXPECT_EQ(a.observations, 48);
  EXPECT_EQ(*a.observed_peak, 51);
  EXPECT_EQ(a.observed_peak_hour, 7);
  EXPECT_EQ(*a.observed_headroom(), 8);
  EXPECT_FALSE(r->subnets[1].observed_peak.has_value());
  EXPECT_GT(a.simulated_peak, 0);
  EXPECT_EQ(r->watched_subnet, w.subnets[0].id);
  EXPECT_EQ(r->grown, "critical");
}

TEST(Capacity, TheScanIsDeterministicAndStopsOnceBothFiguresAreFound) {
  const Workload w = SeedAfter();
  CapacityOptions options;
  options.days = 7;
  options.step = 50;
  options.max = 400;
  Result<CapacityReport> one = RunCapacity(w, SubnetsOf(w), nullptr, Time{}, options);
  Result<CapacityReport> two = RunCapacity(w, SubnetsOf(w), nullptr, Time{}, options);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(FormatCapacityJson(*one), FormatCapacityJson(*two));
  ASSERT_TRUE(one->first_hold.has_value());
  ASSERT_TRUE(one->first_failure.has_value());
  EXPECT_EQ(one->steps.back().amount, std::max(*one->first_hold, *one->first_failure));
}

TEST(Capacity, RefusesAStepOfZeroAndAnUnknownCategory) {
  const Workload w = SeedAfter();
  CapacityOptions options;
  options.step = 0;
  EXPECT_EQ(RunCapacity(w, {}, nullptr, Time{}, options).status().code(), StatusCode::kInvalidArgument);
  options.step = 10;
  options.name = "nope";
  EXPECT_EQ(RunCapacity(w, {}, nullptr, Time{}, options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace glueguard
