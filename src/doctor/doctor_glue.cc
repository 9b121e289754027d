// What Glue has alive: the runs of the jobs doctor was told about and every interactive session, placed in
// subnets through their connections. Failures become problems in the report, never a failed pass.
#include <fmt/format.h>

#include <map>

#include "doctor/doctor_internal.h"
#include "sessions/handler.h"
#include "policy/policy.h"

namespace glueguard::doctor_internal {
namespace {

bool IsLiveRun(const std::string& state) {
  return state == "STARTING" || state == "RUNNING" || state == "STOPPING" || state == "WAITING";
}

bool IsLiveSession(const std::string& status) {
  return status == "PROVISIONING" || status == "READY" || status == "STOPPING";
}

// Subnets of connections, asked once per pass.
class ConnectionSubnets {
 public:
  ConnectionSubnets(const DoctorDeps& deps, GlueInventory& inventory) : deps_(deps), inventory_(inventory) {
    for (const CategoryConfig& c : deps.config.categories) known_[c.connection] = c.subnet_id;
  }

  // The subnet of a connection; "*" when it cannot be learned (the owner is then assumed to be anywhere).
  std::string SubnetOf(const std::string& connection) {
    auto it = known_.find(connection);
    if (it != known_.end()) return it->second;
    Result<GlueConnection> c = deps_.glue.GetConnection(connection);
    std::string subnet = "*";
    if (c.ok() && !c->subnet_id.empty()) {
      subnet = c->subnet_id;
    } else if (!c.ok()) {
      inventory_.problems.push_back(
          fmt::format("GetConnection {}: {} (its users are treated as possible owners everywhere)",
                      connection, c.status().message()));
    }
    known_[connection] = subnet;
    return subnet;
  }

 private:
  const DoctorDeps& deps_;
  GlueInventory& inventory_;
  std::map<std::string, std::string> known_;
};

void InspectJob(const DoctorDeps& deps, const DoctorOptions& options, Time now, const std::string& job_name,
                ConnectionSubnets& subnets, GlueInventory& inventory) {
  Result<Job> job = deps.glue.GetJob(job_name);
  if (!job.ok()) {
    inventory.problems.push_back(fmt::format("GetJob {}: {}", job_name, job.status().message()));
    return;
  }
  GetJobRunsRequest request;
  request.job_name = job_name;
  request.max_results = 200;
  Result<std::vector<JobRun>> runs = GetAllJobRuns(deps.glue, request);
  if (!runs.ok()) {
    inventory.problems.push_back(fmt::format("GetJobRuns {}: {}", job_name, runs.status().message()));
    return;
  }
  std::vector<std::string> job_subnets;
  for (const std::string& connection : job->connections) job_subnets.push_back(subnets.SubnetOf(connection));
  for (const JobRun& run : *runs) {
    if (!IsLiveRun(run.job_run_state)) continue;
    for (const std::string& subnet : job_subnets) {
      LiveOwner owner;
      owner.label = fmt::format("job run {} of {} ({})", run.id, job_name, run.job_run_state);
      owner.subnet_id = subnet;
      owner.role = job->role;
      owner.run_id = run.id;
      inventory.owners.push_back(owner);
    }
    if (run.job_run_state != "STOPPING") continue;
    const Time since = run.last_modified_on != Time{} ? run.last_modified_on : run.started_on;
    if (now - since < options.stuck_after) continue;
    StuckRunFinding stuck;
    stuck.job_name = job_name;
    stuck.run_id = run.id;
    stuck.state = run.job_run_state;
    stuck.stopping_for = now - since;
    inventory.stuck.push_back(stuck);
  }
}

void InspectSessions(const DoctorDeps& deps, ConnectionSubnets& subnets, GlueInventory& inventory) {
  Result<std::vector<Session>> sessions = ListAllSessions(deps.glue, ListSessionsRequest{});
  if (!sessions.ok()) {
    inventory.problems.push_back(fmt::format("ListSessions: {}", sessions.status().message()));
    return;
  }
  for (const Session& listed : *sessions) {
    // ListSessions may return ids only (older replies) or summaries; GetSession has the full picture.
    Session session = listed;
    if (session.status.empty()) {
      Result<Session> got = deps.glue.GetSession(listed.id);
      if (!got.ok()) {
        inventory.problems.push_back(fmt::format("GetSession {}: {}", listed.id, got.status().message()));
        continue;
      }
      session = *got;
    }
    if (!IsLiveSession(session.status)) continue;
    for (const std::string& connection : session.connections) {
      LiveOwner owner;
      owner.label = fmt::format("session {} ({})", session.id, session.status);
      owner.subnet_id = subnets.SubnetOf(connection);
      owner.role = session.role;
      inventory.owners.push_back(owner);
    }
    if (!deps.config.sessions.configured) continue;
    const Evaluation evaluation =
        EvaluateRequest(deps.config.sessions.policy, RequestFromSession(session), "", "");
    if (evaluation.compliant()) continue;
    SessionFinding finding;
    finding.session_id = session.id;
    finding.status = session.status;
    for (const Violation& v : evaluation.violations) finding.violations.push_back(v.code + ": " + v.message);
    inventory.sessions.push_back(finding);
  }
}

}  // namespace

bool RoleMatches(const std::string& eni_role, const std::string& owner_role) {
  if (eni_role.empty() || owner_role.empty() || eni_role == owner_role) return true;
  auto bare = [](const std::string& role) {
    const size_t slash = role.rfind('/');
    return slash == std::string::npos ? role : role.substr(slash + 1);
  };
  const bool eni_is_arn = eni_role.rfind("arn:", 0) == 0;
  const bool owner_is_arn = owner_role.rfind("arn:", 0) == 0;
  if (eni_is_arn == owner_is_arn) return false;
  return bare(eni_role) == bare(owner_role);
}

GlueInventory InspectGlue(const DoctorDeps& deps, const DoctorOptions& options, Time now) {
  GlueInventory inventory;
  ConnectionSubnets subnets(deps, inventory);
  if (options.jobs.empty()) {
    inventory.notes.push_back(
        "no --job given: job runs were not checked for being stuck or for owning available ENIs");
  }
  for (const std::string& job : options.jobs) InspectJob(deps, options, now, job, subnets, inventory);
  InspectSessions(deps, subnets, inventory);
  if (!deps.config.sessions.configured) {
    inventory.notes.push_back(
        "no sessions section in the configuration: sessions were not checked against limits");
  }
  return inventory;
}

}  // namespace glueguard::doctor_internal
