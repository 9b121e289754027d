// glueguard demo: the whole system on one laptop. simcloud runs the seed's three-subnet workload on an
// accelerated clock; the controller observes it through the EC2 API and answers admissions on its HTTP API;
// a launcher plays Airflow: every scheduled or ad-hoc launch of the workload asks the API, waits when told
// to, and starts its Glue job run on simcloud when admitted. One line per decision; Ctrl-C prints a summary.
#include <fmt/format.h>

#include <deque>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/curl_transport.h"
#include "aws/ec2.h"
#include "aws/environment.h"
#include "aws/glue.h"
#include "base/env.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/demo_timing.h"
#include "cli/flags.h"
#include "controller/api.h"
#include "controller/server.h"
#include "simcloud/simcloud.h"
#include "store/memory_store.h"

namespace glueguard {
namespace {

// The simulated time, as a Clock: the controller's decisions, staleness and waits run on it.
class SimulatedNow final : public Clock {
 public:
  explicit SimulatedNow(const SimWorld& sim) : sim_(sim) {}
  Time Now() const override { return sim_.Now(); }

 private:
  const SimWorld& sim_;
};

// Prints alerts as they fire and resolve.
class PrintingNotifier final : public Notifier {
 public:
  explicit PrintingNotifier(std::ostream& out) : out_(out) {}
  Status Notify(const Notification& n) override {
    std::lock_guard<std::mutex> lock(mu_);
    out_ << fmt::format("{}  ALERT {}\n", FormatTime(n.at).substr(11, 5), n.subject) << std::flush;
    ++count_;
    return Status::Ok();
  }
  int count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }

 private:
  std::ostream& out_;
  mutable std::mutex mu_;
  int count_ = 0;
};

struct PendingLaunch {
  LaunchRequest request;
  std::string category;
  Time requested{};
  Time next_poke{};
  bool held = false;
};

struct Summary {
  int launches = 0;
  int admitted = 0;
  int held = 0;
  int recovered = 0;
  int rejected = 0;
  int start_failures = 0;
  Duration longest_wait{0};
};

std::string Clock5(Time t) { return FormatTime(t).substr(11, 5); }

}  // namespace

int RunDemo(CommandContext& context) {
  const char* usage =
      "glueguard demo [--speed X] [--listen HOST:PORT] [--workload FILE] [--config FILE] [--start HH:MM]\n\n"
      "Runs simcloud with the seed's three-subnet workload on a clock X times real time, the controller "
      "against\n"
      "it, and a launcher that sends every launch of the workload through the admission API before starting "
      "it.\n"
      "Prints where the dashboard and the API listen and a line per decision; Ctrl-C stops it and prints a "
      "summary.\n"
      "The controller's ticker and the launcher follow the simulated clock. A speed at which a subnet's\n"
      "view would go stale before it could be observed again is refused (above 1200 with the example\n"
      "configuration).";
  std::vector<FlagSpec> specs = {
      {"speed",
       "simulated seconds per real second (default 60: an hour a minute; at most 1200 with the "
       "example configuration)",
       true, false, "X"},
      {"listen", "where the controller's API listens (default 127.0.0.1:8080)", true, false, "HOST:PORT"},
      {"workload", "the workload (default examples/workloads/seed-after.yaml)", true, false, "FILE"},
      {"config", "the controller's configuration (default examples/glueguard.yaml)", true, false, "FILE"},
      {"start", "the simulated time of day to start at (default 04:50, before the morning launches)", true,
       false, "HH:MM"},
      {"help", "show this help", false}};
  int exit_code = kExitOk;
  std::optional<Flags> flags = ParseCommandFlags(context, usage, specs, exit_code);
  if (!flags) return exit_code;
  const std::string speed_text = flags->Get("speed").value_or("60");
  char* end = nullptr;
  const double speed = std::strtod(speed_text.c_str(), &end);
  if (speed_text.empty() || *end != '\0' || !(speed >= 1 && speed <= 3600)) {
    context.err << fmt::format("glueguard: --speed must be 1..3600, not '{}'\n", speed_text);
    return kExitUsage;
  }
  const std::string start_text = flags->Get("start").value_or("04:50");
  int hour = -1, minute = -1;
  if (std::sscanf(start_text.c_str(), "%d:%d", &hour, &minute) != 2 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59) {
    context.err << fmt::format("glueguard: --start must be HH:MM, not '{}'\n", start_text);
    return kExitUsage;
  }
  Result<std::pair<std::string, int>> listen = ParseHostPort(flags->Get("listen").value_or("127.0.0.1:8080"));
  if (!listen.ok()) {
    context.err << "glueguard: --listen " << listen.status().message() << "\n";
    return kExitUsage;
  }
  const std::string workload_path = flags->Get("workload").value_or("examples/workloads/seed-after.yaml");
  const std::string config_path = flags->Get("config").value_or("examples/glueguard.yaml");
  Result<Workload> workload = LoadWorkloadFile(workload_path);
  if (!workload.ok()) {
    context.err << "glueguard: " << workload.status().message()
                << "\n(run the demo from the repository's root)\n";
    return kExitFailure;
  }
  Result<Config> config = LoadConfigFile(config_path, context.env);
  if (!config.ok()) {
    context.err << config.status().message() << "\n";
    return kExitFailure;
  }
  // The controller's ticker and the launcher follow the simulated clock; too fast a clock is refused.
  Result<DemoTiming> timing = DemoTimingFor(config->admission, speed);
  if (!timing.ok()) {
    context.err << "glueguard: " << timing.status().message() << "\n";
    return kExitUsage;
  }

  StopSignals stop_signals;  // before any thread starts

  // The local cloud; the workload's launches come to the launcher instead of starting by themselves.
  std::mutex incoming_mu;
  std::deque<LaunchRequest> incoming;  // GUARDED_BY(incoming_mu)
  SystemClock wall;
  SystemRandom random;
  SystemSleeper sleeper;
  CurlTransport transport;
  SimCloudOptions cloud_options;
  cloud_options.world.speed = speed;
  cloud_options.world.fast_forward = std::chrono::hours(hour) + std::chrono::minutes(minute);
  cloud_options.world.launch_hook = [&](const LaunchRequest& r) {
    std::lock_guard<std::mutex> lock(incoming_mu);
    incoming.push_back(r);
  };
  cloud_options.sns_topics = {
      fmt::format("arn:aws:sns:{}:{}:glueguard-alerts", workload->region, workload->account_id)};
  Result<std::unique_ptr<SimCloud>> cloud =
      SimCloud::Create(*workload, cloud_options, wall, random, sleeper, transport);
  if (!cloud.ok() || !(*cloud)->Start().ok()) {
    context.err << "glueguard: simcloud did not start: "
                << (cloud.ok() ? "listen failed" : cloud.status().message()) << "\n";
    return kExitFailure;
  }

  // The controller's AWS client talks to simcloud with its test key; it signs on the wall clock.
  Result<AwsEnvironment> environment = AwsEnvironment::FromConfig(
      FixedEnv({{"AWS_REGION", workload->region}, {"AWS_ENDPOINT_URL", (*cloud)->endpoint()}}),
      SharedConfig{});
  StaticCredentialsProvider credentials(
      Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, "simcloud test key"});
  AwsClient aws(transport, credentials, *environment, wall, random, sleeper);
  MetricsRegistry metrics;
  Result<AwsCallMetrics> aws_metrics = AwsCallMetrics::Register(metrics);
  aws.set_observer([m = *aws_metrics](const AwsCallRecord& r) { m.Record(r); });
  Ec2Client ec2(aws);
  GlueClient glue(aws);
  SimulatedNow sim_now((*cloud)->sim());
  config->store.kind = "memory";
  MemoryStore store;
  PrintingNotifier printer(context.out);
  ControllerServerOptions server_options;
  server_options.host = listen->first;
  server_options.port = listen->second;
  server_options.tick_every = timing->tick_every;
  Result<std::unique_ptr<ControllerServer>> server = ControllerServer::Start(
      ControllerServerDeps{*config, store, ec2, nullptr, transport, sim_now, random, metrics, &printer},
      server_options);
  if (!server.ok()) {
    context.err << "glueguard: the controller did not start: " << server.status().message() << "\n";
    return kExitFailure;
  }
  context.out << fmt::format(
      "glueguard demo: the seed's three subnets, simulated time x{} from {}\n"
      "  dashboard       {}/   (open it in a browser)\n"
      "  controller API  {}   (curl {}/v1/subnets, {}/metrics)\n"
      "  simcloud        {}   (AWS CLI: AWS_ACCESS_KEY_ID=AKIDEXAMPLE "
      "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY aws --endpoint-url {} ...)\n"
      "Ctrl-C stops it.\n\n",
      speed, FormatTime((*cloud)->sim().Now()), (*server)->url(), (*server)->url(), (*server)->url(),
      (*server)->url(), (*cloud)->endpoint(), (*cloud)->endpoint());
  context.out.flush();

  // The launcher: asks the API like an Airflow HttpSensor in reschedule mode, starts admitted runs.
  std::vector<PendingLaunch> pending;
  Summary summary;
  const std::string api = (*server)->url() + "/v1/admissions";
  Time last_status = (*cloud)->sim().Now();
  while (true) {
    if (stop_signals.WaitFor(timing->launcher_every)) break;
    const Time now = (*cloud)->sim().Now();
    (*cloud)->sim().With([](World&) { return 0; });  // runs the world up to now: arrivals reach the hook
    std::deque<LaunchRequest> arrived;
    {
      // Taken out under the lock and handled outside it: the hook runs under the world's lock, so holding
      // this one while calling into the world would invert the order.
      std::lock_guard<std::mutex> lock(incoming_mu);
      arrived.swap(incoming);
    }
    {
      for (const LaunchRequest& r : arrived) {
        const SimJob* job = (*cloud)->sim().With([&](World& w) -> const SimJob* {
          auto it = w.jobs().find(r.job);
          return it == w.jobs().end() ? nullptr : &it->second;
        });
        if (!job) continue;
        if (r.bypass_admission) {
          StartJobRunRequest start;
          start.job_name = r.job;
          start.number_of_workers = r.workers;
          const bool started = glue.StartJobRun(start).ok();
          context.out << fmt::format("{}  {:<13} {:<40} bypass: started from the console, never asked\n",
                                     Clock5(now), job->category, r.key);
          if (!started) ++summary.start_failures;
          continue;
        }
        pending.push_back(PendingLaunch{r, job->category, now, now, false});
        ++summary.launches;
      }
    }
    for (auto it = pending.begin(); it != pending.end();) {
      if (it->next_poke > now) {
        ++it;
        continue;
      }
      HttpRequest request;
      request.method = "POST";
      request.url = api;
      request.headers = {{"Content-Type", "application/json"}};
      if (!config->server.token.empty())
        request.headers.push_back({"Authorization", "Bearer " + config->server.token});
      request.body =
          nlohmann::json{
              {"category", it->category}, {"workers", it->request.workers}, {"run_id", it->request.key}}
              .dump();
      Result<HttpResponse> response = transport.Send(request);
      Result<Decision> d =
          response.ok() ? ParseDecisionJson(response->body) : Result<Decision>(response.status());
      if (!d.ok()) {
        context.err << "glueguard demo: no decision: " << d.status().ToString() << "\n";
        it->next_poke = now + std::chrono::seconds(60);
        ++it;
        continue;
      }
      if (d->outcome == Outcome::kWait) {
        if (!it->held) {
          it->held = true;
          ++summary.held;
          context.out << fmt::format("{}  {:<13} {:<40} WAIT   {}\n", Clock5(now), it->category,
                                     it->request.key, d->reason);
        }
        it->next_poke = now + std::max<Duration>(d->retry_after, std::chrono::seconds(10));
        ++it;
        continue;
      }
      if (d->outcome == Outcome::kAdmit) {
        ++summary.admitted;
        if (it->held) {
          ++summary.recovered;
          summary.longest_wait = std::max(summary.longest_wait, now - it->requested);
        }
        StartJobRunRequest start;
        start.job_name = it->request.job;
        start.number_of_workers = it->request.workers;
        Result<std::string> run = glue.StartJobRun(start);
        if (!run.ok()) ++summary.start_failures;
        context.out << fmt::format(
            "{}  {:<13} {:<40} ADMIT  {}{}\n", Clock5(now), it->category, it->request.key, d->reason,
            it->held ? fmt::format(" (after {})", FormatDuration(now - it->requested)) : "");
      } else {
        ++summary.rejected;
        context.out << fmt::format("{}  {:<13} {:<40} REJECT {}\n", Clock5(now), it->category,
                                   it->request.key, d->reason);
      }
      it = pending.erase(it);
    }
    if (now - last_status >= std::chrono::hours(1)) {
      last_status = now;
      std::string line = fmt::format("{}  subnets:", Clock5(now));
      for (const SubnetStatus& s : (*server)->controller().Subnets()) {
        if (!s.poller.latest) continue;
        line += fmt::format("  {} {}/{}", s.config->name, s.poller.latest->total_enis,
                            s.config->cidr.UsableIps());
      }
      context.out << line << "\n";
    }
    context.out.flush();
  }

  (*server)->Stop();
  const int64_t exhaustion = (*cloud)->sim().With([](World& w) { return w.stats().exhaustion_failures; });
  const int64_t runs = (*cloud)->sim().With([](World& w) { return w.stats().runs_started; });
  (*cloud)->Stop();
  context.out << fmt::format(
      "\nglueguard demo: stopped at simulated {}.\n"
      "  launches asking   {}\n  admitted          {}\n  held              {} ({} admitted after waiting, "
      "the "
      "longest {})\n  rejected          {}\n  job runs started  {}\n  IP-exhaustion failures  {}\n  alerts  "
      "{}\n",
      FormatTime((*cloud)->sim().Now()), summary.launches, summary.admitted, summary.held, summary.recovered,
      FormatDuration(summary.longest_wait), summary.rejected, runs, exhaustion, printer.count());
  return kExitOk;
}

}  // namespace glueguard
