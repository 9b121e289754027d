#include "sim/arrivals.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sim/random_streams.h"

namespace glueguard {
namespace {

constexpr Duration kDay = std::chrono::hours(24);

// Poisson-distributed count with mean `lambda`, from uniform draws only (identical on every platform).
int64_t Poisson(double lambda, Random& random) {
  if (lambda <= 0) return 0;
  if (lambda > 50) {  // normal approximation
    const double u1 = std::max(random.Uniform(), 1e-12);
    const double u2 = random.Uniform();
    const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
    return std::max<int64_t>(0, std::llround(lambda + z * std::sqrt(lambda)));
  }
  const double limit = std::exp(-lambda);
  int64_t k = 0;
  double p = random.Uniform();
  while (p > limit) {
    ++k;
    p *= random.Uniform();
  }
  return k;
}

// The arrival times of one day's Poisson arrivals within [from_hour, to_hour).
std::vector<Time> Arrivals(double rate, int from_hour, int to_hour, Time midnight, Random& random) {
  std::vector<Time> times;
  const int64_t n = Poisson(rate, random);
  const double span_ms = static_cast<double>((to_hour - from_hour) * 3600LL * 1000);
  for (int64_t i = 0; i < n; ++i) {
    times.push_back(midnight + std::chrono::hours(from_hour) +
                    Duration{static_cast<int64_t>(random.Uniform() * span_ms)});
  }
  std::sort(times.begin(), times.end());
  return times;
}

class Scheduler {
 public:
  Scheduler(World& world, const Workload& workload, uint64_t seed, int days, const ArrivalHandlers& handlers)
      : world_(world),
        workload_(workload),
        seed_(seed),
        handlers_(handlers),
        end_(workload.start + kDay * days) {}

  void Start(int days) {
    for (const WorkloadJob& job : workload_.jobs) {
      for (size_t i = 0; i < job.schedules.size(); ++i) ScheduleJob(job, i, workload_.start - Duration{1});
    }
    for (int day = 0; day < days; ++day) {
      const Time midnight = workload_.start + kDay * day;
      world_.queue().Schedule(midnight, [this, day, midnight] {
        for (const WorkloadAdhoc& a : workload_.adhoc) ScheduleAdhoc(a, day, midnight);
        for (const WorkloadSessions& s : workload_.sessions) ScheduleSessions(s, day, midnight);
      });
    }
  }

 private:
  void ScheduleJob(const WorkloadJob& job, size_t index, Time after) {
    const Time at = job.schedules[index].Next(after);
    if (at >= end_) return;
    world_.queue().Schedule(at, [this, &job, index, at] {
      handlers_.launch(LaunchRequest{job.name, job.workers, std::nullopt,
                                     fmt::format("{}@{}", job.name, ToUnixMillis(at)), job.bypass_admission});
      ScheduleJob(job, index, at);
    });
  }

  void ScheduleAdhoc(const WorkloadAdhoc& a, int day, Time midnight) {
    StreamRandom random(seed_, fmt::format("adhoc:{}:{}", a.name, day));
    const double rate = a.per_day * (a.scale_with_day ? world_.DayFactor(midnight) : 1.0);
    const std::vector<Time> times = Arrivals(rate, a.from_hour, a.to_hour, midnight, random);
    for (size_t i = 0; i < times.size(); ++i) {
      LaunchRequest request;
      request.job = a.job;
      request.workers = std::max(1, static_cast<int>(std::lround(a.workers.Sample(random))));
      request.duration = a.duration.SampleDuration(random);
      request.key = fmt::format("adhoc:{}:{}:{}", a.name, day, i);
      request.bypass_admission = a.bypass_admission;
      world_.queue().Schedule(times[i], [this, request] { handlers_.launch(request); });
    }
  }

  void ScheduleSessions(const WorkloadSessions& s, int day, Time midnight) {
    StreamRandom random(seed_, fmt::format("sessions:{}:{}", s.name, day));
    const std::vector<Time> times = Arrivals(s.per_day, s.from_hour, s.to_hour, midnight, random);
    for (size_t i = 0; i < times.size(); ++i) {
      CreateSessionInput input;
      input.id = fmt::format("{}-{}-{}", s.name, day, i);
      input.role = fmt::format("arn:aws:iam::{}:role/GlueSessionRole", workload_.account_id);
      input.workers = std::max(1, static_cast<int>(std::lround(s.workers.Sample(random))));
      input.worker_type = s.worker_type;
      input.idle_timeout_minutes =
          static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(s.idle_timeout).count());
      input.active = s.active.SampleDuration(random);
      if (const WorkloadCategory* c = workload_.FindCategory(s.category)) input.connections = {c->connection};
      world_.queue().Schedule(times[i], [this, input] { handlers_.create_session(input); });
    }
  }

  World& world_;
  const Workload& workload_;
  uint64_t seed_;
  const ArrivalHandlers& handlers_;
  Time end_;
};

}  // namespace

void ScheduleArrivals(World& world, const Workload& workload, uint64_t seed, int days,
                      const ArrivalHandlers& handlers) {
  // The scheduler lives as long as the events that refer to it: owned by the queue through a shared_ptr.
  auto scheduler = std::make_shared<Scheduler>(world, workload, seed, days, handlers);
  scheduler->Start(days);
  world.queue().Schedule(Time::max(), [scheduler] {});
}

}  // namespace glueguard
