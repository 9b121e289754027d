// What --apply does, and what a pass without it says it would do: force-stop stuck runs, delete orphaned
// ENIs. Bounded per pass, every call through the token bucket, every action logged.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "doctor/doctor_internal.h"

namespace glueguard::doctor_internal {
namespace {

// EC2 refuses to delete an ENI that is attached (InvalidNetworkInterface.InUse) or still detaching
// (InvalidParameterValue): both mean "not yet", so the delete is tried again later.
bool StillInUse(const Status& s) {
  return s.reason() == "InvalidNetworkInterface.InUse" || s.reason() == "InvalidParameterValue";
}

}  // namespace

void Note(const DoctorDeps& deps, const std::string& line) { deps.log("doctor: " + line); }

std::set<std::string> StopStuckRuns(const DoctorDeps& deps, const DoctorOptions& options,
                                    const std::vector<StuckRunFinding>& stuck, TokenBucket& bucket,
                                    std::vector<DoctorAction>& actions) {
  std::set<std::string> stopped;
  int budget = options.max_stops;
  for (const StuckRunFinding& run : stuck) {
    DoctorAction action;
    action.kind = "stop-run";
    action.target = run.job_name + "/" + run.run_id;
    if (budget <= 0) {
      action.outcome = "skipped";
      action.detail = fmt::format("over --max-stops ({}); a later pass stops it", options.max_stops);
      Note(deps, fmt::format("stop {}: skipped, over --max-stops", action.target));
      actions.push_back(action);
      continue;
    }
    --budget;
    if (!options.apply) {
      action.outcome = "planned";
      action.detail = fmt::format("in STOPPING for {}: BatchStopJobRun forces it to STOPPED",
                                  FormatDuration(run.stopping_for));
      stopped.insert(run.run_id);
      Note(deps, fmt::format("stop {}: would force-stop (in STOPPING for {})", action.target,
                             FormatDuration(run.stopping_for)));
      actions.push_back(action);
      continue;
    }
    bucket.Acquire();
    ++action.attempts;
    Result<BatchStopJobRunResult> result = deps.glue.BatchStopJobRun(run.job_name, {run.run_id});
    if (!result.ok()) {
      action.outcome = "failed";
      action.detail = result.status().message();
    } else if (!result->errors.empty()) {
      const JobRunStopError& e = result->errors.front();
      // A run that finished meanwhile is what was wanted.
      action.outcome = e.error_code == "EntityNotFoundException" ? "already-gone" : "failed";
      action.detail = fmt::format("{}: {}", e.error_code, e.error_message);
    } else {
      // Glue accepted the stop; read the run back to say where it went.
      Result<JobRun> after = deps.glue.GetJobRun(run.job_name, run.run_id);
      const std::string state = after.ok() ? after->job_run_state : "unknown";
      if (state == "STOPPING") {
        action.outcome = "retry-later";
        action.detail = "Glue accepted the stop but the run is still STOPPING; a later pass stops it again";
      } else {
        action.outcome = "done";
        action.detail = "now " + state;
        stopped.insert(run.run_id);
      }
    }
    Note(deps, fmt::format("stop {}: {} ({})", action.target, action.outcome, action.detail));
    actions.push_back(action);
  }
  return stopped;
}

void DeleteOrphans(const DoctorDeps& deps, const DoctorOptions& options,
                   std::vector<const EniFinding*> orphans, TokenBucket& bucket,
                   std::vector<DoctorAction>& actions) {
  std::stable_sort(orphans.begin(), orphans.end(),
                   [](const EniFinding* a, const EniFinding* b) { return a->first_seen < b->first_seen; });
  std::map<std::string, size_t> waiting;  // ENI id -> its action, for deletes refused as still in use
  auto attempt = [&](const EniFinding& eni, DoctorAction& action) {
    bucket.Acquire();
    ++action.attempts;
    const Status s = deps.ec2.DeleteNetworkInterface(eni.eni_id);
    if (s.ok() || s.code() == StatusCode::kNotFound) {
      action.outcome = s.ok() ? "done" : "already-gone";
      action.detail = s.ok() ? fmt::format("deleted after {} available", FormatDuration(eni.available_for))
                             : "already deleted";
      Status forgotten = deps.ledger.Forget(eni.eni_id);
      if (!forgotten.ok()) Note(deps, "ledger: " + forgotten.message());
      return true;
    }
    if (StillInUse(s)) {
      action.outcome = "retry-later";
      action.detail = fmt::format("{}: still in use or detaching; retried later", s.reason());
      Status noted = deps.ledger.NoteRefusedDelete(eni.eni_id, s.reason());
      if (!noted.ok()) Note(deps, "ledger: " + noted.message());
      return false;
    }
    action.outcome = "failed";
    action.detail = s.reason().empty() ? s.message() : s.reason() + ": " + s.message();
    return true;
  };

  int budget = options.max_deletes;
  std::vector<const EniFinding*> attempted;
  for (const EniFinding* eni : orphans) {
    DoctorAction action;
    action.kind = "delete-eni";
    action.target = eni->eni_id;
    if (budget <= 0) {
      action.outcome = "skipped";
      action.detail = fmt::format("over --max-deletes ({}); a later pass deletes it", options.max_deletes);
    } else if (!options.apply) {
      --budget;
      action.outcome = "planned";
      action.detail = fmt::format("Glue ENI in {}, available for {}, no live owner", eni->subnet_id,
                                  FormatDuration(eni->available_for));
      if (eni->refused_deletes > 0) {
        action.detail += fmt::format("; {} earlier delete(s) refused as still in use", eni->refused_deletes);
      }
    } else {
      --budget;
      if (!attempt(*eni, action)) {
        waiting.emplace(eni->eni_id, actions.size());
        attempted.push_back(eni);
      }
    }
    Note(deps,
         fmt::format("delete {} in {}: {} ({})", eni->eni_id, eni->subnet_id, action.outcome, action.detail));
    actions.push_back(action);
  }
  for (int round = 1; round <= options.delete_retries && !waiting.empty(); ++round) {
    deps.sleeper.Sleep(options.retry_after);
    for (const EniFinding* eni : attempted) {
      auto it = waiting.find(eni->eni_id);
      if (it == waiting.end()) continue;
      DoctorAction& action = actions[it->second];
      if (attempt(*eni, action)) waiting.erase(it);
      Note(deps,
           fmt::format("delete {} (retry {}): {} ({})", eni->eni_id, round, action.outcome, action.detail));
    }
  }
}

}  // namespace glueguard::doctor_internal
