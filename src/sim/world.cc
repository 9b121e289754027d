// The simulated world's state machine. One file over 500 lines because subnets, ENIs, job runs and sessions
// change each other's state through the event queue and the World's private members; split, those members
// would have to become an internal interface for no reader's benefit.
#include "sim/world.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace glueguard {

const char* const kSubnetExhaustedMessage =
    "Failed to provision ENIs: InsufficientFreeAddressesInSubnet: The specified subnet does not have enough "
    "free addresses to satisfy the request.";

namespace {

constexpr Duration kStopDelay = std::chrono::seconds(30);
constexpr Duration kSessionStopDelay = std::chrono::seconds(20);
constexpr int kDefaultSessionWorkers = 5;

std::string Ipv4(uint32_t address) {
  return fmt::format("{}.{}.{}.{}", address >> 24, (address >> 16) & 255, (address >> 8) & 255,
                     address & 255);
}

}  // namespace

const char* EniStatusName(EniStatus status) {
  switch (status) {
    case EniStatus::kAttaching:
      return "attaching";
    case EniStatus::kInUse:
      return "in-use";
    case EniStatus::kDetaching:
      return "detaching";
    case EniStatus::kAvailable:
      return "available";
  }
  return "?";
}

const char* RunStateName(RunState state) {
  switch (state) {
    case RunState::kStarting:
      return "STARTING";
    case RunState::kRunning:
      return "RUNNING";
    case RunState::kStopping:
      return "STOPPING";
    case RunState::kStopped:
      return "STOPPED";
    case RunState::kSucceeded:
      return "SUCCEEDED";
    case RunState::kFailed:
      return "FAILED";
    case RunState::kTimeout:
      return "TIMEOUT";
    case RunState::kError:
      return "ERROR";
  }
  return "?";
}

bool IsFinal(RunState state) {
  return state != RunState::kStarting && state != RunState::kRunning && state != RunState::kStopping;
}

const char* SessionStateName(SessionState state) {
  switch (state) {
    case SessionState::kProvisioning:
      return "PROVISIONING";
    case SessionState::kReady:
      return "READY";
    case SessionState::kFailed:
      return "FAILED";
    case SessionState::kTimeout:
      return "TIMEOUT";
    case SessionState::kStopping:
      return "STOPPING";
    case SessionState::kStopped:
      return "STOPPED";
  }
  return "?";
}

namespace {

bool SessionLive(SessionState s) {
  return s == SessionState::kProvisioning || s == SessionState::kReady || s == SessionState::kStopping;
}

}  // namespace

World::World(const Workload& workload, uint64_t seed)
    : workload_(workload), seed_(seed), queue_(workload.start), ids_(seed, "identifiers") {
  for (const WorkloadSubnet& s : workload.subnets) {
    SubnetState& state = subnets_[s.id];
    state.subnet = &s;
    state.capacity = s.cidr.UsableIps();
    for (int i = 0; i < s.other_enis; ++i) {
      const std::vector<std::string> ids = AllocateEnis(s.id, 1, "", "", EniStatus::kInUse);
      if (ids.empty()) break;
      SimEni& eni = enis_.at(ids.front());
      eni.description = "VPC Endpoint Interface " + NewId("vpce-", 17);
      eni.interface_type = "vpc_endpoint";
      eni.requester_id = "727180483921";
    }
  }
  for (const WorkloadCategory& c : workload.categories) {
    const WorkloadSubnet* subnet = workload.FindSubnet(c.subnet);
    SimConnection& conn = connections_[c.connection];
    conn.name = c.connection;
    conn.subnet_id = c.subnet;
    conn.availability_zone = subnet ? subnet->availability_zone : "";
    conn.security_groups = {"sg-0sim" + c.name};
  }
  const std::string role = fmt::format("arn:aws:iam::{}:role/GlueJobRole", workload.account_id);
  auto add_job = [&](const std::string& name, const std::string& category, int workers,
                     std::string worker_type) {
    if (jobs_.count(name)) return;
    const WorkloadCategory* c = workload.FindCategory(category);
    SimJob& job = jobs_[name];
    job.name = name;
    job.category = category;
    job.connection = c ? c->connection : "";
    job.role = role;
    job.workers = workers;
    job.worker_type = std::move(worker_type);
    job.created_on = workload.start;
  };
  for (const WorkloadJob& j : workload.jobs) add_job(j.name, j.category, j.workers, j.worker_type);
  for (const WorkloadAdhoc& a : workload.adhoc) {
    add_job(a.job, a.category, std::max(1, static_cast<int>(std::lround(a.workers.Mean()))), "G.1X");
  }
}

void World::AdvanceTo(Time t) { queue_.RunUntil(t); }

std::string World::NewId(std::string_view prefix, int hex_digits) {
  std::string id(prefix);
  id += ids_.Hex((hex_digits + 1) / 2).substr(0, hex_digits);
  return id;
}

// ---------------------------------------------------------------------------------------------------- ENIs

std::vector<std::string> World::AllocateEnis(const std::string& subnet_id, int count,
                                             const std::string& owner, const std::string& role,
                                             EniStatus status) {
  std::vector<std::string> ids;
  auto it = subnets_.find(subnet_id);
  if (it == subnets_.end()) return ids;
  SubnetState& subnet = it->second;
  if (subnet.capacity - static_cast<int>(subnet.used_hosts.size()) < count) return ids;
  int host = 4;  // AWS keeps .0-.3 and the last address
  for (int i = 0; i < count; ++i) {
    while (subnet.used_hosts.count(host)) ++host;
    subnet.used_hosts.insert(host);
    SimEni eni;
    eni.id = NewId("eni-", 17);
    eni.subnet_id = subnet_id;
    eni.status = status;
    eni.description = "Attached to Glue using role: " + role;
    eni.interface_type = "interface";
    eni.requester_managed = true;
    eni.requester_id = "AROAGLUESERVICEROLE:GlueJobRunnerSession";
    eni.private_ip = Ipv4(subnet.subnet->cidr.network + static_cast<uint32_t>(host));
    eni.host_offset = host;
    eni.owner = owner;
    eni.created_at = now();
    eni.status_since = now();
    eni.sequence = next_eni_sequence_++;
    ids.push_back(eni.id);
    enis_[eni.id] = std::move(eni);
    ++stats_.enis_created;
  }
  NoteUtilisation(subnet_id);
  return ids;
}

void World::NoteUtilisation(const std::string& subnet_id) {
  const SubnetCounts c = Counts(subnet_id);
  int& peak = stats_.peak_total[subnet_id];
  peak = std::max(peak, c.total);
  if (c.capacity > 0) {
    stats_.peak_utilisation = std::max(stats_.peak_utilisation, static_cast<double>(c.total) / c.capacity);
  }
}

double World::DayFactor(Time t) {
  const int64_t day = ToUnixMillis(t) / (24LL * 3600 * 1000);
  auto it = day_factors_.find(day);
  if (it != day_factors_.end()) return it->second;
  StreamRandom random(seed_, fmt::format("day:{}", day));
  const double factor = std::max(0.0, workload_.enis.day_factor.Sample(random));
  day_factors_[day] = factor;
  return factor;
}

void World::SetEniStatus(SimEni& eni, EniStatus status) {
  eni.status = status;
  eni.status_since = now();
}

void World::ReleaseEnis(const std::string& owner, Random& random) {
  const Duration detach = workload_.enis.detach_delay.SampleDuration(random);
  const double factor = DayFactor(now());
  for (auto& [id, eni] : enis_) {
    if (eni.owner != owner || eni.status == EniStatus::kDetaching || eni.status == EniStatus::kAvailable)
      continue;
    SetEniStatus(eni, EniStatus::kDetaching);
    // Each ENI is cleaned up on its own clock: a run's tail thins out rather than vanishing at once.
    const bool leaked = random.Uniform() < workload_.enis.leak_rate;
    const Duration tail{static_cast<int64_t>(
        static_cast<double>(workload_.enis.cleanup_tail.SampleDuration(random).count()) * factor)};
    const std::string eni_id = id;
    queue_.After(detach, [this, eni_id, leaked, tail] {
      auto it = enis_.find(eni_id);
      if (it == enis_.end()) return;
      SetEniStatus(it->second, EniStatus::kAvailable);
      it->second.leaked = leaked;
      if (leaked) return;
      queue_.After(tail, [this, eni_id, tail] {
        auto again = enis_.find(eni_id);
        if (again == enis_.end() || again->second.status != EniStatus::kAvailable) return;
        stats_.cleanup_tail_sum += tail;
        RemoveEni(eni_id);
      });
    });
  }
}

void World::RemoveEni(const std::string& id) {
  auto it = enis_.find(id);
  if (it == enis_.end()) return;
  subnets_[it->second.subnet_id].used_hosts.erase(it->second.host_offset);
  enis_.erase(it);
  ++stats_.enis_deleted;
}

std::vector<const SimEni*> World::Enis() const {
  std::vector<const SimEni*> out;
  out.reserve(enis_.size());
  for (const auto& [id, eni] : enis_) out.push_back(&eni);
  std::sort(out.begin(), out.end(),
            [](const SimEni* a, const SimEni* b) { return a->sequence < b->sequence; });
  return out;
}

const SimEni* World::FindEni(const std::string& id) const {
  auto it = enis_.find(id);
  return it == enis_.end() ? nullptr : &it->second;
}

SubnetCounts World::Counts(const std::string& subnet_id) const {
  SubnetCounts c;
  auto it = subnets_.find(subnet_id);
  if (it == subnets_.end()) return c;
  c.capacity = it->second.capacity;
  for (const auto& [id, eni] : enis_) {
    if (eni.subnet_id != subnet_id) continue;
    ++c.total;
    if (eni.status == EniStatus::kInUse) {
      ++c.in_use;
    } else if (eni.status == EniStatus::kAvailable) {
      ++c.available;
    } else {
      ++c.other;
    }
  }
  return c;
}

Status World::DeleteEni(const std::string& id) {
  auto it = enis_.find(id);
  if (it == enis_.end()) {
    return Status::NotFound(fmt::format("The networkInterface ID '{}' does not exist", id))
        .WithReason("InvalidNetworkInterfaceID.NotFound");
  }
  switch (it->second.status) {
    case EniStatus::kAvailable:
      RemoveEni(id);
      return Status::Ok();
    case EniStatus::kDetaching:
      return Status::FailedPrecondition(fmt::format("Network interface '{}' is currently in use.", id))
          .WithReason("InvalidParameterValue");
    default:
      return Status::FailedPrecondition(fmt::format("The network interface '{}' is currently in use.", id))
          .WithReason("InvalidNetworkInterface.InUse");
  }
}

std::vector<std::string> World::InjectOrphanEnis(const std::string& subnet_id, int count) {
  std::vector<std::string> ids;
  const std::string role = fmt::format("arn:aws:iam::{}:role/GlueJobRole", workload_.account_id);
  for (int i = 0; i < count; ++i) {
    const std::vector<std::string> one = AllocateEnis(subnet_id, 1, "", role, EniStatus::kAvailable);
    if (one.empty()) break;
    enis_.at(one.front()).leaked = true;
    ids.push_back(one.front());
  }
  return ids;
}

// ------------------------------------------------------------------------------------------------ job runs

Random& World::RunStream(const std::string& run_id) {
  auto it = run_streams_.find(run_id);
  if (it == run_streams_.end()) it = run_streams_.emplace(run_id, StreamRandom(seed_, "run:" + run_id)).first;
  return it->second;
}

Result<std::string> World::StartJobRun(const StartRunInput& input) {
  auto job_it = jobs_.find(input.job_name);
  if (job_it == jobs_.end()) {
    return Status::NotFound(fmt::format("Job {} not found", input.job_name))
        .WithReason("EntityNotFoundException");
  }
  const SimJob& job = job_it->second;
  const WorkloadJob* planned = workload_.FindJob(job.name);
  SimJobRun run;
  run.id = NewId("jr_", 64);
  run.job_name = job.name;
  run.category = job.category;
  auto conn = connections_.find(job.connection);
  run.subnet_id = conn == connections_.end() ? "" : conn->second.subnet_id;
  run.workers = input.workers.value_or(job.workers);
  run.worker_type = input.worker_type.value_or(job.worker_type);
  run.started_on = now();
  run.last_modified_on = now();
  run.arguments = input.arguments;
  run.attempt = 0;
  const std::string stream_key = input.stream_key.empty() ? run.id : input.stream_key;
  Random& random = run_streams_.emplace(run.id, StreamRandom(seed_, "run:" + stream_key)).first->second;
  if (input.duration) {
    run.planned_duration = *input.duration;
  } else if (planned) {
    run.planned_duration = planned->duration.SampleDuration(random);
  } else {
    run.planned_duration = std::chrono::minutes(30);
  }
  const Duration provision = workload_.enis.provision_delay.SampleDuration(random);
  const std::string id = run.id;
  runs_by_job_[job.name].push_back(id);
  runs_.emplace(id, std::move(run));
  ++stats_.runs_started;
  queue_.After(provision, [this, id] { BeginRun(id); });
  return id;
}

void World::BeginRun(const std::string& run_id) {
  SimJobRun& run = runs_.at(run_id);
  if (run.state != RunState::kStarting) return;
  if (AllocateEnis(run.subnet_id, NeededIps(run), run.id, jobs_.at(run.job_name).role, EniStatus::kInUse)
          .empty()) {
    run.error_message = kSubnetExhaustedMessage;
    run.exhaustion_failure = true;
    ++stats_.exhaustion_failures;
    FinishRun(run, RunState::kFailed);
    return;
  }
  run.state = RunState::kRunning;
  run.last_modified_on = now();
  queue_.After(run.planned_duration, [this, run_id] {
    SimJobRun& r = runs_.at(run_id);
    if (r.state == RunState::kRunning) {
      ++stats_.runs_succeeded;
      FinishRun(r, RunState::kSucceeded);
    }
  });
}

int World::NeededIps(const SimJobRun& run) const {
  const WorkloadCategory* category = workload_.FindCategory(run.category);
  return run.workers * (category ? category->ips_per_worker : 1) +
         (category ? category->extra_ips_per_job : 0);
}

int World::PendingIps(const std::string& subnet_id) const {
  int pending = 0;
  for (const auto& [id, run] : runs_) {
    if (run.subnet_id == subnet_id && run.state == RunState::kStarting) pending += NeededIps(run);
  }
  for (const auto& [id, session] : sessions_) {
    if (session.subnet_id == subnet_id && session.status == SessionState::kProvisioning)
      pending += session.workers;
  }
  return pending;
}

void World::FinishRun(SimJobRun& run, RunState state) {
  run.state = state;
  run.stuck = false;
  run.last_modified_on = now();
  run.completed_on = now();
  ReleaseEnis(run.id, RunStream(run.id));
}

Result<std::vector<const SimJobRun*>> World::JobRuns(const std::string& job_name) const {
  if (!jobs_.count(job_name)) {
    return Status::NotFound(fmt::format("Job {} not found", job_name)).WithReason("EntityNotFoundException");
  }
  std::vector<const SimJobRun*> out;
  auto it = runs_by_job_.find(job_name);
  if (it != runs_by_job_.end()) {
    for (auto id = it->second.rbegin(); id != it->second.rend(); ++id) out.push_back(&runs_.at(*id));
  }
  return out;
}

const SimJobRun* World::FindRun(const std::string& run_id) const {
  auto it = runs_.find(run_id);
  return it == runs_.end() ? nullptr : &it->second;
}

Status World::StopJobRun(const std::string& job_name, const std::string& run_id) {
  auto it = runs_.find(run_id);
  if (it == runs_.end() || it->second.job_name != job_name) {
    return Status::NotFound(fmt::format("Job run {} of job {} not found", run_id, job_name))
        .WithReason("EntityNotFoundException");
  }
  SimJobRun& run = it->second;
  if (IsFinal(run.state)) {
    return Status::FailedPrecondition(
               fmt::format("Job run {} has already finished ({})", run_id, RunStateName(run.state)))
        .WithReason("IllegalStateException");
  }
  if (run.state == RunState::kStopping) {  // a second stop forces it
    FinishRun(run, RunState::kStopped);
    return Status::Ok();
  }
  run.state = RunState::kStopping;
  run.last_modified_on = now();
  Random& random = RunStream(run_id);
  run.stuck = random.Uniform() < workload_.enis.stuck_stopping_rate;
  if (run.stuck) return Status::Ok();
  queue_.After(kStopDelay, [this, run_id] {
    SimJobRun& r = runs_.at(run_id);
    if (r.state == RunState::kStopping && !r.stuck) FinishRun(r, RunState::kStopped);
  });
  return Status::Ok();
}

Status World::MakeRunStuck(const std::string& run_id) {
  auto it = runs_.find(run_id);
  if (it == runs_.end()) return Status::NotFound("Job run " + run_id + " not found");
  if (IsFinal(it->second.state))
    return Status::FailedPrecondition("Job run " + run_id + " has already finished");
  it->second.state = RunState::kStopping;
  it->second.stuck = true;
  it->second.last_modified_on = now();
  return Status::Ok();
}

// ------------------------------------------------------------------------------------------------ sessions

Result<const SimSession*> World::CreateSession(const CreateSessionInput& input) {
  if (input.id.empty())
    return Status::InvalidArgument("Session id is required").WithReason("InvalidInputException");
  if (sessions_.count(input.id)) {
    return Status::AlreadyExists(fmt::format("Session {} already exists", input.id))
        .WithReason("AlreadyExistsException");
  }
  SimSession s;
  if (!input.connections.empty()) {
    auto conn = connections_.find(input.connections.front());
    if (conn == connections_.end()) {
      return Status::NotFound(fmt::format("Connection {} not found", input.connections.front()))
          .WithReason("EntityNotFoundException");
    }
    s.subnet_id = conn->second.subnet_id;
  }
  s.id = input.id;
  s.role = input.role;
  s.command_name = input.command_name;
  s.python_version = input.python_version;
  s.description = input.description;
  s.workers = input.workers.value_or(kDefaultSessionWorkers);
  s.worker_type = input.worker_type.value_or("G.1X");
  s.glue_version = input.glue_version.value_or("4.0");
  s.timeout_minutes = input.timeout_minutes;
  s.idle_timeout_minutes = input.idle_timeout_minutes;
  s.connections = input.connections;
  s.default_arguments = input.default_arguments;
  s.tags = input.tags;
  s.security_configuration = input.security_configuration;
  s.created_by = input.created_by;
  s.created_on = now();
  const std::string id = s.id;
  auto [it, inserted] = sessions_.emplace(id, std::move(s));
  ++stats_.sessions_created;
  Random& random = run_streams_.emplace("session:" + id, StreamRandom(seed_, "session:" + id)).first->second;
  const Duration provision = workload_.enis.provision_delay.SampleDuration(random);
  const Duration active = input.active.value_or(Duration{0});
  queue_.After(provision, [this, id, active] {
    auto found = sessions_.find(id);
    if (found == sessions_.end() || found->second.status != SessionState::kProvisioning) return;
    SimSession& session = found->second;
    if (!session.subnet_id.empty() &&
        AllocateEnis(session.subnet_id, session.workers, "session:" + id, session.role, EniStatus::kInUse)
            .empty()) {
      session.status = SessionState::kFailed;
      session.error_message = kSubnetExhaustedMessage;
      session.completed_on = now();
      ++stats_.session_exhaustion_failures;
      return;
    }
    session.status = SessionState::kReady;
    const int idle = session.idle_timeout_minutes.value_or(session.timeout_minutes.value_or(2880));
    queue_.After(active + std::chrono::minutes(idle), [this, id] {
      auto s2 = sessions_.find(id);
      if (s2 != sessions_.end() && s2->second.status == SessionState::kReady)
        EndSession(id, SessionState::kStopped);
    });
  });
  return &it->second;
}

void World::EndSession(const std::string& id, SessionState state) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  it->second.status = state;
  it->second.completed_on = now();
  ReleaseEnis("session:" + id, RunStream("session:" + id));
}

const SimSession* World::FindSession(const std::string& id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

std::vector<const SimSession*> World::Sessions() const {
  std::vector<const SimSession*> out;
  for (const auto& [id, s] : sessions_) out.push_back(&s);
  return out;
}

Status World::StopSession(const std::string& id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    return Status::NotFound(fmt::format("Session {} not found", id)).WithReason("EntityNotFoundException");
  }
  SimSession& s = it->second;
  if (!SessionLive(s.status)) {
    return Status::FailedPrecondition(
               fmt::format("Session {} is {} and cannot be stopped", id, SessionStateName(s.status)))
        .WithReason("IllegalSessionStateException");
  }
  if (s.status == SessionState::kStopping) return Status::Ok();
  s.status = SessionState::kStopping;
  queue_.After(kSessionStopDelay, [this, id] {
    auto found = sessions_.find(id);
    if (found != sessions_.end() && found->second.status == SessionState::kStopping) {
      EndSession(id, SessionState::kStopped);
    }
  });
  return Status::Ok();
}

Status World::DeleteSession(const std::string& id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    return Status::NotFound(fmt::format("Session {} not found", id)).WithReason("EntityNotFoundException");
  }
  if (SessionLive(it->second.status)) EndSession(id, SessionState::kStopped);
  sessions_.erase(id);
  return Status::Ok();
}

}  // namespace glueguard
