#include "sim/workload_growth.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "base/strings.h"

namespace glueguard {

Result<WorkloadGrowth> ParseWorkloadGrowth(std::string_view spec) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format(
        "growth '{}': {} (expected category:NAME+PCT% or job:NAME+WORKERS, e.g. category:critical+30%)", spec,
        why));
  };
  WorkloadGrowth growth;
  std::string_view rest = spec;
  if (rest.rfind("category:", 0) == 0) {
    growth.kind = WorkloadGrowth::Kind::kCategoryPercent;
    rest.remove_prefix(9);
  } else if (rest.rfind("job:", 0) == 0) {
    growth.kind = WorkloadGrowth::Kind::kJobWorkers;
    rest.remove_prefix(4);
  } else {
    return bad("it must start with category: or job:");
  }
  const size_t plus = rest.rfind('+');
  if (plus == std::string_view::npos || plus == 0) return bad("a name and +amount are needed");
  growth.name = std::string(rest.substr(0, plus));
  std::string amount(rest.substr(plus + 1));
  if (growth.kind == WorkloadGrowth::Kind::kCategoryPercent) {
    if (amount.empty() || amount.back() != '%') return bad("a category grows by a percentage ending in %");
    amount.pop_back();
  }
  const double value = ParseNumber(amount).value_or(-1);
  if (value < 0 || value > 10000) {
    return bad("the amount must be a number from 0 to 10000");
  }
  if (growth.kind == WorkloadGrowth::Kind::kCategoryPercent) {
    growth.percent = value;
  } else {
    if (value != std::floor(value)) return bad("a job gains a whole number of workers");
    growth.workers = static_cast<int>(value);
  }
  return growth;
}

std::string FormatWorkloadGrowth(const WorkloadGrowth& growth) {
  if (growth.kind == WorkloadGrowth::Kind::kJobWorkers)
    return fmt::format("job:{}+{}", growth.name, growth.workers);
  return fmt::format("category:{}+{:g}%", growth.name, growth.percent);
}

Status ApplyWorkloadGrowth(Workload& workload, const WorkloadGrowth& growth) {
  if (growth.percent < 0 || growth.workers < 0) return Status::InvalidArgument("a growth cannot be negative");
  if (growth.kind == WorkloadGrowth::Kind::kJobWorkers) {
    for (WorkloadJob& job : workload.jobs) {
      if (job.name != growth.name) continue;
      job.workers += growth.workers;
      return Status::Ok();
    }
    return Status::NotFound(fmt::format("the workload has no scheduled job '{}'", growth.name));
  }
  if (!workload.FindCategory(growth.name)) {
    return Status::NotFound(fmt::format("the workload has no category '{}'", growth.name));
  }
  const double factor = 1 + growth.percent / 100;
  for (WorkloadJob& job : workload.jobs) {
    // The small epsilon keeps 10 x 1.1 at 11, not 12, despite binary rounding.
    if (job.category == growth.name) job.workers = static_cast<int>(std::ceil(job.workers * factor - 1e-9));
  }
  for (WorkloadAdhoc& adhoc : workload.adhoc) {
    if (adhoc.category == growth.name) adhoc.per_day *= factor;
  }
  for (WorkloadSessions& sessions : workload.sessions) {
    if (sessions.category == growth.name) sessions.per_day *= factor;
  }
  return Status::Ok();
}

}  // namespace glueguard
