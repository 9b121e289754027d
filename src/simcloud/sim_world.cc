#include "simcloud/sim_world.h"

namespace glueguard {

SimWorld::SimWorld(const Workload& workload, const Clock& wall, SimWorldOptions options)
    : workload_(workload),
      wall_(wall),
      options_(options),
      wall_start_(wall.Now()),
      world_(workload, options.seed) {
  if (!options_.run_arrivals) return;
  // The world runs these from its event queue as it advances, which happens only in With(), with mu_ held.
  handlers_.launch = [this](const LaunchRequest& r) GG_NO_THREAD_SAFETY_ANALYSIS { StartArrival(r); };
  handlers_.create_session = [this](const CreateSessionInput& input) GG_NO_THREAD_SAFETY_ANALYSIS {
    CreateArrivalSession(input);
  };
  ScheduleArrivals(world_, workload_, options_.seed, options_.days, handlers_);
}

void SimWorld::StartArrival(const LaunchRequest& r) {
  if (options_.launch_hook) {
    options_.launch_hook(r);
    return;
  }
  StartRunInput input;
  input.job_name = r.job;
  input.workers = r.workers;
  input.duration = r.duration;
  input.stream_key = r.key;
  (void)world_.StartJobRun(input);
}

void SimWorld::CreateArrivalSession(const CreateSessionInput& input) {
  Result<const SimSession*> session = world_.CreateSession(input);
  if (session.ok() && on_session_) on_session_(world_, **session);
}

Time SimWorld::SimNowLocked() const {
  const double elapsed_ms = static_cast<double>((wall_.Now() - wall_start_).count()) * options_.speed;
  return workload_.start + options_.fast_forward + Duration{static_cast<int64_t>(elapsed_ms)};
}

Time SimWorld::Now() const { return SimNowLocked(); }

}  // namespace glueguard
