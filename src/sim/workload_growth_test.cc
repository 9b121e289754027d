#include "sim/workload_growth.h"

#include <gtest/gtest.h>

namespace glueguard {
namespace {

Workload SeedAfter() {
  Result<Workload> w =
      LoadWorkloadFile(std::string(GLUEGUARD_SOURCE_DIR) + "/examples/workloads/seed-after.yaml");
  EXPECT_TRUE(w.ok()) << w.status().message();
  return *w;
}

TEST(WorkloadGrowth, ParsesBothFormsAndPrintsThemBack) {
  Result<WorkloadGrowth> category = ParseWorkloadGrowth("category:critical+30%");
  ASSERT_TRUE(category.ok()) << category.status().message();
  EXPECT_EQ(category->kind, WorkloadGrowth::Kind::kCategoryPercent);
  EXPECT_EQ(category->name, "critical");
  EXPECT_DOUBLE_EQ(category->percent, 30);
  EXPECT_EQ(FormatWorkloadGrowth(*category), "category:critical+30%");
  Result<WorkloadGrowth> job = ParseWorkloadGrowth("job:customer-analytics+5");
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->workers, 5);
  EXPECT_EQ(FormatWorkloadGrowth(*job), "job:customer-analytics+5");
}

TEST(WorkloadGrowth, RefusesMalformedSpecsNamingTheProblem) {
  for (const char* bad : {"critical+30%", "category:critical+30", "category:+30%", "job:etl+1.5",
                          "job:etl+-2", "category:critical+lots%"}) {
    Result<WorkloadGrowth> g = ParseWorkloadGrowth(bad);
    EXPECT_EQ(g.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(g.status().message().find(bad), std::string::npos) << g.status().message();
  }
}

TEST(WorkloadGrowth, ACategoryGrowsItsJobsWorkersRoundedUpAndItsAdhocArrivals) {
  Workload w = SeedAfter();
  ASSERT_TRUE(ApplyWorkloadGrowth(w, *ParseWorkloadGrowth("category:critical+10%")).ok());
  EXPECT_EQ(w.FindJob("customer-analytics")->workers, 17);  // 16.5 rounded up
  EXPECT_EQ(w.FindJob("product-metrics")->workers, 11);     // exactly 11, not 12
  EXPECT_EQ(w.FindJob("reporting")->workers, 15);           // another category: unchanged
  for (const WorkloadAdhoc& a : w.adhoc) {
    EXPECT_DOUBLE_EQ(a.per_day, a.name == "critical-console-rerun" ? 0.11 : 0.7) << a.name;
  }
}

TEST(WorkloadGrowth, AJobGainsWorkersAndUnknownNamesAreNotFound) {
  Workload w = SeedAfter();
  ASSERT_TRUE(ApplyWorkloadGrowth(w, *ParseWorkloadGrowth("job:reporting+4")).ok());
  EXPECT_EQ(w.FindJob("reporting")->workers, 19);
  EXPECT_EQ(ApplyWorkloadGrowth(w, *ParseWorkloadGrowth("job:nope+1")).code(), StatusCode::kNotFound);
  EXPECT_EQ(ApplyWorkloadGrowth(w, *ParseWorkloadGrowth("category:nope+1%")).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace glueguard
