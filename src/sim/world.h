// World: a simulated AWS account as the parts of EC2 and Glue glueguard looks at — subnets, ENIs, Glue jobs,
// job runs, interactive sessions and connections — moving on a discrete-event clock.
//
// Lifecycles (every delay drawn from the workload's distributions):
//   job run:  STARTING --provision_delay--> ENIs created, RUNNING --duration--> SUCCEEDED
//             STARTING with too few free IPs in the subnet --> FAILED with the subnet-exhaustion error
//             StopJobRun: STOPPING --> STOPPED, or stuck in STOPPING until stopped again (force stop)
//   session:  PROVISIONING --> READY (ENIs taken when it has a connection) --active + idle_timeout--> TIMEOUT
//             StopSession: STOPPING --> STOPPED; DeleteSession: gone
//   ENI:      attaching/in-use while its owner runs --> detaching --detach_delay--> available
//             --cleanup_tail x day factor--> deleted (never, for a leaked one)
//
// Deterministic: a run's draws come from a stream keyed by the run (see random_streams.h). Not thread-safe:
// the owner serialises every call and advances time with AdvanceTo.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "sim/event_queue.h"
#include "sim/random_streams.h"
#include "sim/workload.h"

namespace glueguard {

enum class EniStatus { kAttaching, kInUse, kDetaching, kAvailable };
const char* EniStatusName(EniStatus status);  // AWS's spelling: "in-use", "available", ...

struct SimEni {
  std::string id;  // "eni-" + 17 hex digits
  std::string subnet_id;
  EniStatus status = EniStatus::kInUse;
  std::string description;     // Glue's: "Attached to Glue using role: arn:aws:iam::...:role/..."
  std::string interface_type;  // "interface", "vpc_endpoint", ...
  bool requester_managed = false;
  std::string requester_id;
  std::string private_ip;
  std::string owner;  // job run id or session id; empty for other services' ENIs and injected orphans
  Time created_at{};
  Time status_since{};
  bool leaked = false;   // never cleaned up
  int64_t sequence = 0;  // creation order
  int host_offset = 0;   // of private_ip in the subnet
};

enum class RunState { kStarting, kRunning, kStopping, kStopped, kSucceeded, kFailed, kTimeout, kError };
const char* RunStateName(RunState state);  // "STARTING", ...
bool IsFinal(RunState state);

// The error a run gets when its subnet has too few free IPs (what Glue reports from EC2).
extern const char* const kSubnetExhaustedMessage;

struct SimJobRun {
  std::string id;  // "jr_" + 64 hex digits
  std::string job_name;
  std::string category;
  std::string subnet_id;
  RunState state = RunState::kStarting;
  int workers = 0;
  std::string worker_type;
  int attempt = 0;
  Time started_on{};
  Time last_modified_on{};
  std::optional<Time> completed_on;
  std::string error_message;
  std::map<std::string, std::string> arguments;
  bool stuck = false;  // hangs in STOPPING until stopped again
  bool exhaustion_failure = false;
  Duration planned_duration{0};
};

enum class SessionState { kProvisioning, kReady, kFailed, kTimeout, kStopping, kStopped };
const char* SessionStateName(SessionState state);

struct SimSession {
  std::string id;
  SessionState status = SessionState::kProvisioning;
  std::string role;
  std::string command_name = "glueetl";
  std::string python_version = "3";
  std::string description;
  std::string glue_version = "4.0";
  std::string worker_type = "G.1X";
  int workers = 5;
  std::optional<int> timeout_minutes;
  std::optional<int> idle_timeout_minutes;
  std::vector<std::string> connections;
  std::map<std::string, std::string> default_arguments;
  std::map<std::string, std::string> tags;
  std::string security_configuration;
  std::string created_by;  // the caller's ARN
  std::string subnet_id;   // of its first connection; empty without one
  Time created_on{};
  std::optional<Time> completed_on;
  std::string error_message;
};

struct SimJob {
  std::string name;
  std::string category;
  std::string connection;
  std::string role = "arn:aws:iam::123456789012:role/GlueJobRole";
  std::string worker_type = "G.1X";
  int workers = 10;
  std::string glue_version = "4.0";
  Time created_on{};
};

struct SimConnection {
  std::string name;
  std::string subnet_id;
  std::string availability_zone;
  std::vector<std::string> security_groups;
};

struct SubnetCounts {
  int capacity = 0;
  int total = 0;  // every ENI
  int in_use = 0;
  int available = 0;
  int other = 0;  // attaching, detaching
  int free() const { return capacity - total; }
};

// Inputs of the mutating calls, as the APIs take them.
struct StartRunInput {
  std::string job_name;
  std::optional<int> workers;  // the job's default when absent
  std::optional<std::string> worker_type;
  std::map<std::string, std::string> arguments;
  std::optional<Duration> duration;  // else drawn from the job's distribution (or the ad-hoc one)
  std::string stream_key;            // identity of the run's random stream; a fresh id when empty
};

struct CreateSessionInput {
  std::string id;
  std::string role;
  std::string command_name = "glueetl";
  std::string python_version = "3";
  std::string description;
  std::optional<int> workers;
  std::optional<std::string> worker_type;
  std::optional<int> timeout_minutes;
  std::optional<int> idle_timeout_minutes;
  std::optional<std::string> glue_version;
  std::vector<std::string> connections;
  std::map<std::string, std::string> default_arguments;
  std::map<std::string, std::string> tags;
  std::string security_configuration;
  std::string created_by;
  std::optional<Duration> active;  // time in use before idling; else 0
};

class World {
 public:
  // A world for `workload`, at workload.start. Creates the subnets' other-service ENIs, one Glue connection
  // per category and one Glue job per workload job. `seed` keys every random stream.
  World(const Workload& workload, uint64_t seed);

  // Runs every event up to `t` (no-op when `t` is not after now()).
  void AdvanceTo(Time t);
  Time now() const { return queue_.now(); }
  EventQueue& queue() { return queue_; }
  const Workload& workload() const { return workload_; }

  // --- EC2 ---
  // Every ENI, in creation order.
  std::vector<const SimEni*> Enis() const;
  const SimEni* FindEni(const std::string& id) const;
  SubnetCounts Counts(const std::string& subnet_id) const;
  // IPs that runs and sessions still provisioning in the subnet are about to take: what an omniscient
  // observer adds to Counts().total.
  int PendingIps(const std::string& subnet_id) const;
  // The multiplier of the cleanup tails of `t`'s day (UTC), drawn once per day from enis.day_factor.
  double DayFactor(Time t);
  // NotFound ("InvalidNetworkInterfaceID.NotFound" in the reason) for an unknown id; FailedPrecondition with
  // reason "InvalidNetworkInterface.InUse" while attached or detaching. Only available ENIs are deleted.
  Status DeleteEni(const std::string& id);
  // Adds `count` available Glue ENIs with no owner that are never cleaned up (for the runbook's orphans).
  std::vector<std::string> InjectOrphanEnis(const std::string& subnet_id, int count);

  // --- Glue jobs and runs ---
  const std::map<std::string, SimJob>& jobs() const { return jobs_; }
  const std::map<std::string, SimConnection>& connections() const { return connections_; }
  // NotFound (reason "EntityNotFoundException") for an unknown job.
  Result<std::string> StartJobRun(const StartRunInput& input);
  // Newest first. NotFound for an unknown job.
  Result<std::vector<const SimJobRun*>> JobRuns(const std::string& job_name) const;
  const SimJobRun* FindRun(const std::string& run_id) const;
  // A running or starting run goes to STOPPING, then STOPPED (or stays STOPPING when it gets stuck); stopping
  // a run already in STOPPING forces it to STOPPED. NotFound for an unknown run; FailedPrecondition for a run
  // that has already finished.
  Status StopJobRun(const std::string& job_name, const std::string& run_id);
  // Makes a live run hang in STOPPING (for the runbook's stuck runs).
  Status MakeRunStuck(const std::string& run_id);

  // --- Glue interactive sessions ---
  // AlreadyExists (reason "AlreadyExistsException") for a used id; InvalidArgument for an unknown connection.
  Result<const SimSession*> CreateSession(const CreateSessionInput& input);
  const SimSession* FindSession(const std::string& id) const;
  std::vector<const SimSession*> Sessions() const;  // by id
  // NotFound for an unknown session; FailedPrecondition (reason "IllegalSessionStateException") when it has
  // already stopped.
  Status StopSession(const std::string& id);
  // Stops it when needed and forgets it. NotFound for an unknown session.
  Status DeleteSession(const std::string& id);

  // --- statistics the simulator reports ---
  struct Stats {
    int64_t runs_started = 0;
    int64_t runs_succeeded = 0;
    int64_t exhaustion_failures = 0;
    int64_t sessions_created = 0;
    int64_t session_exhaustion_failures = 0;
    double peak_utilisation = 0;            // max over subnets and time of total / capacity
    std::map<std::string, int> peak_total;  // by subnet
    int64_t enis_created = 0;
    int64_t enis_deleted = 0;
    Duration cleanup_tail_sum{0};  // over deleted Glue ENIs: time spent available
  };
  const Stats& stats() const { return stats_; }

 private:
  struct SubnetState {
    const WorkloadSubnet* subnet = nullptr;
    int capacity = 0;
    std::set<int> used_hosts;  // offsets in the CIDR
  };

  std::string NewId(std::string_view prefix, int hex_digits);
  // Creates `count` ENIs for `owner` in `subnet_id` and returns their ids; none (and nothing created) when
  // fewer IPs are free.
  std::vector<std::string> AllocateEnis(const std::string& subnet_id, int count, const std::string& owner,
                                        const std::string& role, EniStatus status);
  // The owner's ENIs detach, become available, and are deleted after the cleanup tail; `random` is the
  // owner's stream.
  void ReleaseEnis(const std::string& owner, Random& random);
  void RemoveEni(const std::string& id);
  void SetEniStatus(SimEni& eni, EniStatus status);
  void NoteUtilisation(const std::string& subnet_id);
  Random& RunStream(const std::string& run_id);
  void FinishRun(SimJobRun& run, RunState state);
  void BeginRun(const std::string& run_id);
  int NeededIps(const SimJobRun& run) const;
  void EndSession(const std::string& id, SessionState state);

  const Workload& workload_;
  uint64_t seed_;
  EventQueue queue_;
  StreamRandom ids_;  // identifiers only
  std::map<std::string, SubnetState> subnets_;
  std::map<std::string, SimEni> enis_;  // by id
  int64_t next_eni_sequence_ = 0;
  std::map<std::string, SimJob> jobs_;
  std::map<std::string, SimConnection> connections_;
  std::map<std::string, SimJobRun> runs_;                        // by run id
  std::map<std::string, std::vector<std::string>> runs_by_job_;  // oldest first
  std::map<std::string, StreamRandom> run_streams_;
  std::map<std::string, SimSession> sessions_;
  std::map<int64_t, double> day_factors_;  // by day index since the epoch
  Stats stats_;
};

}  // namespace glueguard
