#include "sim/simulation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <memory>
#include <ostream>

#include "admission/subnet_admission.h"
#include "sim/arrivals.h"
#include "sim/random_streams.h"
#include "sim/world.h"

namespace glueguard {

Result<SimPolicy> ParseSimPolicy(std::string_view spec, const WorkloadAdmission& defaults) {
  SimPolicy policy;
  policy.name = std::string(spec);
  if (spec == "none") {
    policy.kind = SimPolicy::Kind::kNoAdmission;
    return policy;
  }
  if (spec == "oracle") {
    policy.kind = SimPolicy::Kind::kOracle;
    return policy;
  }
  if (spec.rfind("counts:", 0) == 0) {
    policy.counts_only = true;
    spec.remove_prefix(std::string_view("counts:").size());
  }
  if (spec.rfind("sensor:", 0) == 0) {
    policy.per_sensor = true;
    spec.remove_prefix(std::string_view("sensor:").size());
  }
  Result<BufferPolicy> buffer = ParseBufferPolicy(spec);
  if (!buffer.ok()) {
    return Status::InvalidArgument(fmt::format("policy '{}': {} (or none, oracle, sensor:<buffer>, counts:<buffer>)",
                                               policy.name, buffer.status().message()));
  }
  policy.buffer = *buffer;
  if (spec == "rolling-max" || spec == "forecast") {  // forecast falls back to the workload's rolling-max
    policy.buffer.window = defaults.history;
    policy.buffer.floor = defaults.min_buffer;
  }
  return policy;
}

namespace {

constexpr Duration kDay = std::chrono::hours(24);

struct PendingLaunch {
  std::string job;
  std::string category;
  std::string subnet;
  std::string key;  // the run's identity: its random stream and its run id in admission
  int workers = 0;
  int needed = 0;
  int priority = 0;
  std::optional<Duration> duration;
  Time requested{};
  bool held = false;
};

class Simulator {
 public:
  Simulator(const Workload& workload, const SimPolicy& policy, int days, uint64_t seed, std::ostream* trace)
      : trace_(trace),
        workload_(workload),
        policy_(policy),
        seed_(seed),
        days_(days),
        world_(workload, seed),
        end_(workload.start + kDay * days),
        decisions_(seed, "decisions") {
    for (const WorkloadSubnet& s : workload.subnets) {
      SubnetSettings settings;
      settings.subnet_id = s.id;
      settings.capacity = s.cidr.UsableIps();
      settings.buffer = policy.buffer;
      settings.stale_after = 2 * workload.admission.observe_interval;
      settings.max_wait = workload.admission.max_wait;
      settings.reservation_ttl = workload.admission.reservation_ttl;
      settings.retry_after = workload.admission.poke_interval;
      settings.waiter_idle_timeout =
          std::max<Duration>(std::chrono::minutes(5), 3 * workload.admission.poke_interval);
      admissions_.emplace(s.id, SubnetAdmission(settings));
      result_.by_subnet[s.id] = SubnetOutcome{};
    }
    result_.policy = policy.name;
    result_.seed = seed;
    result_.days = days;
  }

  SimulationResult Run() {
    handlers_.launch = [this](const LaunchRequest& r) {
      Request(r.job, r.workers, r.duration, r.key, r.bypass_admission);
    };
    handlers_.create_session = [this](const CreateSessionInput& input) { (void)world_.CreateSession(input); };
    ScheduleArrivals(world_, workload_, seed_, days_, handlers_);
    if (policy_.kind == SimPolicy::Kind::kBuffer && policy_.buffer.kind == BufferPolicy::Kind::kForecast) {
      world_.queue().After(Duration{0}, [this] { Poll(); });
    }
    world_.AdvanceTo(end_);
    Collect();
    return std::move(result_);
  }

 private:
  void Request(const std::string& job_name, int workers, std::optional<Duration> duration,
               const std::string& key, bool bypass) {
    const SimJob& job = world_.jobs().at(job_name);
    const WorkloadCategory* category = workload_.FindCategory(job.category);
    const bool asks =
        !bypass && policy_.kind != SimPolicy::Kind::kNoAdmission && category && category->admission;
    auto launch = std::make_shared<PendingLaunch>();
    launch->job = job_name;
    launch->category = job.category;
    launch->subnet = category ? category->subnet : "";
    launch->key = key;
    launch->workers = workers;
    launch->needed =
        workers * (category ? category->ips_per_worker : 1) + (category ? category->extra_ips_per_job : 0);
    launch->priority = category ? category->priority : 0;
    launch->duration = duration;
    launch->requested = world_.now();
    if (!asks) {
      ++result_.bypass_runs;
      Start(*launch);
      return;
    }
    ++result_.launches;
    ++result_.by_subnet[launch->subnet].launches;
    Poke(launch);
  }

  void Start(const PendingLaunch& launch) {
    StartRunInput input;
    input.job_name = launch.job;
    input.workers = launch.workers;
    input.duration = launch.duration;
    input.stream_key = launch.key;
    Result<std::string> run = world_.StartJobRun(input);
    if (run.ok()) run_of_key_[launch.key] = *run;
  }

  // One DescribeNetworkInterfaces of the subnet, applied to its admission state.
  void Observe(const std::string& subnet_id, const std::string& reason, const std::string& run_id) {
    const SubnetCounts c = world_.Counts(subnet_id);
    Observation o;
    o.subnet_id = subnet_id;
    o.observed_at = world_.now();
    o.total_enis = c.total;
    o.in_use = c.in_use;
    o.available = c.available;
    o.other = c.other;
    o.run_id = run_id;
    o.reason = reason;
    if (!policy_.counts_only) o.enis = Sightings(subnet_id);
    SubnetAdmission& admission = admissions_.at(subnet_id);
    const std::vector<Reservation> before = admission.reservations();
    admission.Observe(o);
    NoteEndedReservations(before, admission);
    last_observed_[subnet_id] = o.observed_at;
    ++result_.ec2_calls;
  }

  // The controller's background poll of every subnet, every observe_interval: what the forecast's ENI
  // timeline is built from (other policies decide on the observations their launches ask for).
  void Poll() {
    for (const WorkloadSubnet& s : workload_.subnets) Observe(s.id, "poll", "");
    if (world_.now() + workload_.admission.observe_interval < end_) {
      world_.queue().After(workload_.admission.observe_interval, [this] { Poll(); });
    }
  }

  // For each reservation in `before` that `admission` no longer holds (settled or expired) and whose run has
  // ENIs: how long it was held after they appeared.
  void NoteEndedReservations(const std::vector<Reservation>& before, const SubnetAdmission& admission) {
    const Time now = world_.now();
    for (const Reservation& r : before) {
      const bool open = std::any_of(admission.reservations().begin(), admission.reservations().end(),
                                    [&](const Reservation& x) { return x.id == r.id; });
      if (open) continue;
      auto run = run_of_key_.find(r.run_id);
      if (run == run_of_key_.end()) continue;
      std::optional<Time> enis_at;
      for (const SimEni* eni : world_.Enis()) {
        if (eni->owner == run->second && (!enis_at || eni->created_at < *enis_at)) enis_at = eni->created_at;
      }
      const Time ended = std::min(now, r.expires_at);  // an expired one stopped holding IPs at its TTL
      if (!enis_at || *enis_at > ended) continue;
      ++result_.reservations_past_enis;
      result_.reservation_overhang_ms += (ended - *enis_at).count();
    }
  }

  // Every ENI of the subnet as DescribeNetworkInterfaces would list it.
  std::vector<EniSighting> Sightings(const std::string& subnet_id) const {
    std::vector<EniSighting> enis;
    for (const SimEni* eni : world_.Enis()) {
      if (eni->subnet_id != subnet_id) continue;
      EniSighting s;
      s.id = eni->id;
      s.status = EniStatusName(eni->status);
      s.role = GlueRoleOf(eni->description);
      s.glue = !s.role.empty();
      enis.push_back(std::move(s));
    }
    return enis;
  }

  // Exactly enough free IPs now, counting what is still being provisioned.
  bool WouldFit(const PendingLaunch& launch) {
    const SubnetCounts c = world_.Counts(launch.subnet);
    return c.free() - world_.PendingIps(launch.subnet) >= launch.needed;
  }

  void Poke(const std::shared_ptr<PendingLaunch>& launch) {
    const Time now = world_.now();
    Outcome outcome = Outcome::kWait;
    DecisionCode code = DecisionCode::kNoHeadroom;
    if (policy_.kind == SimPolicy::Kind::kOracle) {
      ++result_.ec2_calls;
      if (now - launch->requested > workload_.admission.max_wait) {
        outcome = Outcome::kReject;
        code = DecisionCode::kMaxWaitExceeded;
      } else if (WouldFit(*launch)) {
        outcome = Outcome::kAdmit;
      }
    } else {
      SubnetAdmission& admission = admissions_.at(launch->subnet);
      const std::vector<Reservation> before = admission.reservations();
      admission.Expire(now);
      NoteEndedReservations(before, admission);
      auto last = last_observed_.find(launch->subnet);
      if (policy_.per_sensor || last == last_observed_.end() ||
          now - last->second >= workload_.admission.observe_interval) {
        Observe(launch->subnet, "admission", launch->key);
      }
      Launch l;
      l.category = launch->category;
      l.run_id = launch->key;
      l.workers = launch->workers;
      l.needed_ips = launch->needed;
      l.priority = launch->priority;
      SubnetChanges changes;
      const Decision d = admission.Decide(l, now, decisions_, changes);
      // The seed's sensors share no reservations: an admitted launch is invisible until its ENIs appear.
      if (policy_.per_sensor && d.outcome == Outcome::kAdmit) (void)admission.Release(d.reservation_id);
      outcome = d.outcome;
      code = d.code;
      if (trace_) {
        *trace_ << fmt::format("{} {} {} {} {}: total {} free {} buffer {} reserved {} needed {}: {}\n",
                               FormatTime(now), policy_.name, launch->subnet, launch->key,
                               OutcomeName(d.outcome), d.total, d.free, d.buffer, d.reserved, d.needed,
                               d.reason);
      }
    }
    switch (outcome) {
      case Outcome::kAdmit:
        if (launch->held) {
          ++result_.held_recovered;
          result_.waits_ms.push_back((now - launch->requested).count());
          result_.wait_total_ms += (now - launch->requested).count();
        }
        Start(*launch);
        return;
      case Outcome::kWait:
        if (!launch->held) {
          launch->held = true;
          ++result_.held;
          ++result_.by_subnet[launch->subnet].held;
          if (WouldFit(*launch)) ++result_.needless_holds;
          if (world_.DayFactor(now) <= 1.0) ++result_.holds_on_fast_days;
        }
        world_.queue().After(workload_.admission.poke_interval, [this, launch] { Poke(launch); });
        return;
      case Outcome::kReject:
        if (code == DecisionCode::kMaxWaitExceeded) {
          result_.wait_total_ms += (now - launch->requested).count();
          ++result_.timeouts;
          ++result_.by_subnet[launch->subnet].timeouts;
        } else {
          ++result_.rejected;
        }
        return;
    }
  }

  void Collect() {
    const World::Stats& s = world_.stats();
    result_.runs = s.runs_started;
    result_.exhaustion_failures = s.exhaustion_failures;
    result_.peak_utilisation = s.peak_utilisation;
    result_.peak_total = s.peak_total;
    result_.sessions = s.sessions_created;
    result_.session_failures = s.session_exhaustion_failures;
    if (s.enis_deleted > 0) {
      result_.mean_cleanup_tail_minutes =
          static_cast<double>(s.cleanup_tail_sum.count()) / static_cast<double>(s.enis_deleted) / 60000.0;
    }
    for (const auto& [name, job] : world_.jobs()) {
      Result<std::vector<const SimJobRun*>> runs = world_.JobRuns(name);
      if (!runs.ok()) continue;
      for (const SimJobRun* run : *runs) {
        if (run->exhaustion_failure) ++result_.by_subnet[run->subnet_id].exhaustion_failures;
        if (run->exhaustion_failure && trace_) {
          *trace_ << fmt::format("{} {} {} {} {} workers: FAILED, {}\n", FormatTime(run->started_on), policy_.name,
                                 run->subnet_id, run->job_name, run->workers, run->error_message);
        }
        if (run->exhaustion_failure && world_.DayFactor(run->started_on) > 1.0)
          ++result_.failures_on_slow_days;
      }
    }
  }

  std::ostream* trace_;
  const Workload& workload_;
  const SimPolicy& policy_;
  uint64_t seed_;
  int days_;
  World world_;
  Time end_;
  StreamRandom decisions_;
  std::map<std::string, SubnetAdmission> admissions_;
  std::map<std::string, Time> last_observed_;
  std::map<std::string, std::string> run_of_key_;  // a launch's key -> its job run id
  ArrivalHandlers handlers_;
  SimulationResult result_;
};

}  // namespace

SimulationResult RunSimulation(const Workload& workload, const SimPolicy& policy, int days, uint64_t seed,
                               std::ostream* trace) {
  return Simulator(workload, policy, days, seed, trace).Run();
}

}  // namespace glueguard
