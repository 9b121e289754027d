// The parts of a doctor pass, shared by doctor.cc (the pass), doctor_glue.cc (what Glue has alive) and
// doctor_actions.cc (what --apply does). Not a public interface.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "doctor/doctor.h"

namespace glueguard::doctor_internal {

// Something alive in Glue that holds, or may soon hold, ENIs in a subnet.
struct LiveOwner {
  std::string label;      // "job run jr_... of customer-analytics (RUNNING)", "session nb-1 (READY)"
  std::string subnet_id;  // "*" when its connection's subnet could not be learned: it may be anywhere
  std::string role;       // the IAM role it runs as; empty when unknown
  std::string run_id;     // job runs only
};

struct GlueInventory {
  std::vector<LiveOwner> owners;
  std::vector<StuckRunFinding> stuck;
  std::vector<SessionFinding> sessions;  // those past their limits
  std::vector<std::string> problems;
  std::vector<std::string> notes;
};

// Runs of options.jobs (GetJob, GetJobRuns, GetConnection) and every session (ListSessions, GetConnection).
GlueInventory InspectGlue(const DoctorDeps& deps, const DoctorOptions& options, Time now);

// True when an owner running as `owner_role` could have created an ENI whose description names `eni_role`:
// either is unknown, they are equal, or one is the bare role name of the other's ARN.
bool RoleMatches(const std::string& eni_role, const std::string& owner_role);

// Force-stops (or, without options.apply, plans to stop) the stuck runs, at most options.max_stops, each
// through the bucket. Appends one action per stuck run; returns the run ids that are (or would be) stopped.
std::set<std::string> StopStuckRuns(const DoctorDeps& deps, const DoctorOptions& options,
                                    const std::vector<StuckRunFinding>& stuck, TokenBucket& bucket,
                                    std::vector<DoctorAction>& actions);

// Deletes (or plans to delete) the orphans, oldest first, at most options.max_deletes, each through the
// bucket; deletes refused as in use are retried options.delete_retries times, options.retry_after apart, and
// then left for a later pass. Appends one action per orphan.
void DeleteOrphans(const DoctorDeps& deps, const DoctorOptions& options,
                   std::vector<const EniFinding*> orphans, TokenBucket& bucket,
                   std::vector<DoctorAction>& actions);

// Writes "doctor: <line>" to deps.log.
void Note(const DoctorDeps& deps, const std::string& line);

}  // namespace glueguard::doctor_internal
