// WorkloadGrowth: "what if" changes to a workload for capacity planning — a category's demand grows by a
// percentage, or a job gains workers. `glueguard simulate --grow` and `glueguard capacity` apply the same
// change through the same function, so their figures agree.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "sim/workload.h"

namespace glueguard {

struct WorkloadGrowth {
  enum class Kind { kCategoryPercent, kJobWorkers };
  Kind kind = Kind::kCategoryPercent;
  std::string name;  // the category or the job
  // kCategoryPercent: every scheduled job of the category runs with workers x (1 + percent / 100), rounded
  // up, and its ad-hoc runs and sessions arrive (1 + percent / 100) times as often.
  double percent = 0;
  // kJobWorkers: every scheduled run of the job has this many more workers.
  int workers = 0;
};

// "category:NAME+PCT%" (e.g. "category:critical+30%") or "job:NAME+N" (e.g. "job:customer-analytics+5").
// InvalidArgument naming what is wrong.
Result<WorkloadGrowth> ParseWorkloadGrowth(std::string_view spec);
// The spec ParseWorkloadGrowth reads back.
std::string FormatWorkloadGrowth(const WorkloadGrowth& growth);

// Applies `growth` to `workload`. NotFound for a category or job the workload does not have;
// InvalidArgument for a negative change.
Status ApplyWorkloadGrowth(Workload& workload, const WorkloadGrowth& growth);

}  // namespace glueguard
