// glueguard demo: the whole system on one laptop, telling the story glueguard exists for. simcloud runs a
// slow-cleanup morning on the seed's three subnets (examples/workloads/demo-story.yaml) on an accelerated
// clock; the controller observes it through the EC2 API and answers admissions on its HTTP API; a launcher
// plays Airflow: every launch of the workload asks the API, waits when told to, and starts its Glue job run on
// simcloud when admitted, while console runs start without asking. One line per decision and alert. At the
// end of the story (or on Ctrl-C): a doctor pass over the simulated account, what happened, and the same
// day replayed by the simulator with and without admission, side by side.
#include <fmt/format.h>

#include <deque>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "net/curl_transport.h"
#include "aws/ec2.h"
#include "aws/environment.h"
#include "aws/glue.h"
#include "base/env.h"
#include "base/mutex.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/demo_timing.h"
#include "cli/flags.h"
#include "controller/api.h"
#include "controller/server.h"
#include "doctor/doctor.h"
#include "sim/simulation.h"
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
  Status Notify(const Notification& n) override GG_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    out_ << fmt::format("{}  ALERT {}\n", FormatTime(n.at).substr(11, 5), n.subject) << std::flush;
    ++count_;
    return Status::Ok();
  }
  int count() const GG_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    return count_;
  }

 private:
  std::ostream& out_;  // written under mu_
  mutable Mutex mu_;
  int count_ GG_GUARDED_BY(mu_) = 0;
};

// The workload's launches on their way to the launcher: the world's launch hook puts them here (under the
// world's lock) and the launcher takes them all out, to handle them outside both locks.
class LaunchInbox {
 public:
  void Put(const LaunchRequest& r) GG_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    incoming_.push_back(r);
  }
  std::deque<LaunchRequest> TakeAll() GG_EXCLUDES(mu_) {
    std::deque<LaunchRequest> out;
    MutexLock lock(mu_);
    out.swap(incoming_);
    return out;
  }

 private:
  Mutex mu_;
  std::deque<LaunchRequest> incoming_ GG_GUARDED_BY(mu_);
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

// "HH:MM" as a time of day; nullopt when it is not one.
std::optional<Duration> ParseTimeOfDay(const std::string& text) {
  int hour = -1, minute = -1;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%d:%d%c", &hour, &minute, &extra) != 2 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59) {
    return std::nullopt;
  }
  return std::chrono::hours(hour) + std::chrono::minutes(minute);
}

// doctor over the simulated account, as a platform team would run it on a schedule: a quiet pass every
// simulated hour keeps its ledger (when each lingering ENI was first seen), and the pass at the end of the
// story is printed (subnets over their alert, lingering ENIs and whether anything could own them, stuck
// runs). Dry runs: they report what --apply would do.
class DemoDoctor {
 public:
  DemoDoctor(const Config& config, const Workload& workload, Ec2Client& ec2, GlueClient& glue,
             ObservationStore& store, const Clock& clock, Sleeper& sleeper)
      : ledger_(MakeMemoryEniLedger()),
        deps_{config, ec2, glue, nullptr, &store, *ledger_, clock, sleeper, {}} {
    for (const WorkloadJob& job : workload.jobs) options_.jobs.push_back(job.name);
  }

  void QuietPass() { (void)RunDoctorPass(deps_, options_); }

  void PrintedPass(std::ostream& out) {
    Result<DoctorReport> report = RunDoctorPass(deps_, options_);
    out << "\nglueguard doctor (dry run, as `glueguard doctor --config ...` prints it):\n";
    if (!report.ok()) {
      out << "  the pass could not run: " << report.status().message() << "\n";
      return;
    }
    constexpr size_t kListed = 5;
    if (report->enis.size() > kListed) {
      report->notes.push_back(fmt::format("the demo lists {} of the {} lingering Glue ENIs", kListed,
                                          report->enis.size()));
      report->enis.resize(kListed);
    }
    if (report->actions.size() > kListed) {
      report->notes.push_back(fmt::format("the demo lists {} of the {} planned actions", kListed,
                                          report->actions.size()));
      report->actions.resize(kListed);
    }
    out << FormatDoctorTable(*report);
  }

 private:
  std::unique_ptr<EniLedger> ledger_;
  DoctorOptions options_;
  const DoctorDeps deps_;
};

// The same day replayed by the simulator (the demo's world seed, the whole day) without admission, under
// the configured buffer policy, and with exact knowledge (the oracle), side by side.
void PrintSideBySide(const Workload& workload, uint64_t seed, std::ostream& out) {
  struct Column {
    std::string title;
    SimulationResult result;
  };
  std::vector<Column> columns;
  for (const auto& [title, spec] : std::vector<std::pair<std::string, std::string>>{
           {"without glueguard", "none"}, {"with glueguard", "rolling-max"}, {"exact (oracle)", "oracle"}}) {
    Result<SimPolicy> policy = ParseSimPolicy(spec, workload.admission);
    if (!policy.ok()) return;
    columns.push_back({title, RunSimulation(workload, *policy, 1, seed)});
  }
  const auto row = [&](const std::string& label, auto value) {
    std::string line = fmt::format("  {:<34}", label);
    for (const Column& c : columns) line += fmt::format("{:>20}", value(c.result));
    out << line << "\n";
  };
  out << fmt::format("\nThe same day, replayed by the simulator ({}, seed {}, the whole day):\n",
                     workload.description, seed);
  std::string header = fmt::format("  {:<34}", "");
  for (const Column& c : columns) header += fmt::format("{:>20}", c.title);
  out << header << "\n";
  row("job runs started", [](const SimulationResult& r) { return std::to_string(r.runs); });
  row("runs FAILED for lack of IPs", [](const SimulationResult& r) { return std::to_string(r.exhaustion_failures); });
  row("launches held, then started", [](const SimulationResult& r) { return std::to_string(r.held_recovered); });
  row("launches failed loudly (max_wait)", [](const SimulationResult& r) { return std::to_string(r.timeouts); });
  row("holds a perfect view would skip", [](const SimulationResult& r) { return std::to_string(r.needless_holds); });
  row("peak utilisation", [](const SimulationResult& r) { return fmt::format("{:.0f} %", 100 * r.peak_utilisation); });
  out << "A run that fails for lack of IPs fails mid-start, after the DAG has moved on; a launch glueguard holds\n"
         "either starts when the IPs are there or fails loudly at max_wait, where a retry can pick it up.\n"
         "Holds a perfect view would skip are the price of the rolling-max buffer, which counts lingering ENIs\n"
         "once in the free count and again in the buffer (docs/admission.md).\n";
}

// The buffer policies over a month of the same workload: the forecast needs a week of ENI history (measured
// cleanup tails, uncontrolled growth) before it stops deciding as rolling-max, so one day cannot show it.
void PrintForecastMonth(const Workload& workload, uint64_t seed, std::ostream& out) {
  constexpr int kDays = 30;
  std::vector<std::pair<std::string, SimulationResult>> columns;
  for (const std::string spec : {"rolling-max", "forecast", "oracle"}) {
    Result<SimPolicy> policy = ParseSimPolicy(spec, workload.admission);
    if (!policy.ok()) return;
    columns.emplace_back(spec, RunSimulation(workload, *policy, kDays, seed));
  }
  out << fmt::format("\nThe same workload over {} days, by buffer policy (buffer.policy in the configuration):\n",
                     kDays);
  std::string header = fmt::format("  {:<34}", "");
  for (const auto& [title, r] : columns) header += fmt::format("{:>14}", title);
  out << header << "\n";
  const auto row = [&](const std::string& label, auto value) {
    std::string line = fmt::format("  {:<34}", label);
    for (const auto& [title, r] : columns) line += fmt::format("{:>14}", value(r));
    out << line << "\n";
  };
  row("runs FAILED for lack of IPs", [](const SimulationResult& r) { return std::to_string(r.exhaustion_failures); });
  row("holds a perfect view would skip", [](const SimulationResult& r) { return std::to_string(r.needless_holds); });
  row("launches failed loudly (max_wait)", [](const SimulationResult& r) { return std::to_string(r.timeouts); });
  row("wait per launch (mean s)", [](const SimulationResult& r) {
    return fmt::format("{:.1f}", r.launches > 0 ? r.wait_total_ms / 1000.0 / static_cast<double>(r.launches) : 0.0);
  });
  out << "The forecast allows only for the growth admission does not control and counts the lingering ENIs\n"
         "due to be deleted by then, learned from each ENI's timeline (docs/admission.md#the-forecast-policy).\n";
}

}  // namespace

int RunDemo(CommandContext& context) {
  const char* usage =
      "glueguard demo [--speed X] [--until HH:MM] [--listen HOST:PORT] [--workload FILE] [--config FILE]\n"
      "               [--start HH:MM]\n\n"
      "Plays a slow-cleanup morning on the seed's three subnets on a clock X times real time: simcloud runs\n"
      "the workload, the controller observes it through the EC2 API, and a launcher sends every launch through\n"
      "the admission API before starting it, as Airflow would. You see launches held while ENIs linger and\n"
      "admitted as they drain, a console run in the wrong subnet tripping the 80 % alert, and the dashboard\n"
      "live throughout. At --until (or on Ctrl-C) it prints a doctor pass, what happened, and the same day\n"
      "replayed by the simulator with and without glueguard, side by side, then stops. About three minutes.\n"
      "The controller's ticker and the launcher follow the simulated clock. A speed at which a subnet's\n"
      "view would go stale before it could be observed again is refused (above 1200 with the example\n"
      "configuration).";
  std::vector<FlagSpec> specs = {
      {"speed",
       "simulated seconds per real second (default 80; at most 1200 with the example configuration)", true,
       false, "X"},
      {"until", "the simulated time of day the story ends at (default 09:00)", true, false, "HH:MM"},
      {"listen", "where the controller's API listens (default 127.0.0.1:8080)", true, false, "HOST:PORT"},
      {"workload", "the workload (default examples/workloads/demo-story.yaml)", true, false, "FILE"},
      {"config", "the controller's configuration (default examples/glueguard.yaml)", true, false, "FILE"},
      {"start", "the simulated time of day to start at (default 04:50, before the morning launches)", true,
       false, "HH:MM"},
      {"help", "show this help", false}};
  int exit_code = kExitOk;
  std::optional<Flags> flags = ParseCommandFlags(context, usage, specs, exit_code);
  if (!flags) return exit_code;
  double speed = 80;
  if (!ReadNumberFlag(*flags, context.err, "speed", 1, 3600, speed)) return kExitUsage;
  const std::string start_text = flags->Get("start").value_or("04:50");
  const std::optional<Duration> start_at = ParseTimeOfDay(start_text);
  if (!start_at) {
    context.err << fmt::format("glueguard: --start must be HH:MM, not '{}'\n", start_text);
    return kExitUsage;
  }
  const std::string until_text = flags->Get("until").value_or("09:00");
  const std::optional<Duration> until_at = ParseTimeOfDay(until_text);
  if (!until_at || *until_at <= *start_at) {
    context.err << fmt::format("glueguard: --until must be HH:MM after --start ({}), not '{}'\n", start_text,
                               until_text);
    return kExitUsage;
  }
  Result<std::pair<std::string, int>> listen = ParseHostPort(flags->Get("listen").value_or("127.0.0.1:8080"));
  if (!listen.ok()) {
    context.err << "glueguard: --listen " << listen.status().message() << "\n";
    return kExitUsage;
  }
  const std::string workload_path = flags->Get("workload").value_or("examples/workloads/demo-story.yaml");
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
  LaunchInbox incoming;
  SystemClock wall;
  SystemRandom random;
  SystemSleeper sleeper;
  CurlTransport transport;
  SimCloudOptions cloud_options;
  cloud_options.world.speed = speed;
  cloud_options.world.fast_forward = *start_at;
  cloud_options.world.launch_hook = [&incoming](const LaunchRequest& r) { incoming.Put(r); };
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
      "The story ends at simulated {}; Ctrl-C ends it sooner.\n\n",
      speed, FormatTime((*cloud)->sim().Now()), (*server)->url(), (*server)->url(), (*server)->url(),
      (*server)->url(), (*cloud)->endpoint(), (*cloud)->endpoint(), until_text);
  context.out.flush();

  // The launcher: asks the API like an Airflow HttpSensor in reschedule mode, starts admitted runs.
  std::vector<PendingLaunch> pending;
  Summary summary;
  const std::string api = (*server)->url() + "/v1/admissions";
  Time last_status = (*cloud)->sim().Now();
  DemoDoctor doctor(*config, *workload, ec2, glue, store, sim_now, sleeper);
  const Time story_end = workload->start + *until_at;
  while (true) {
    if (stop_signals.WaitFor(timing->launcher_every)) break;
    const Time now = (*cloud)->sim().Now();
    if (now >= story_end) break;
    (*cloud)->sim().With([](World&) { return 0; });  // runs the world up to now: arrivals reach the hook
    // Taken out under the inbox's lock and handled outside it: the hook runs under the world's lock, so
    // holding the inbox's while calling into the world would invert the order.
    const std::deque<LaunchRequest> arrived = incoming.TakeAll();
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
      doctor.QuietPass();
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
  doctor.PrintedPass(context.out);
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
  PrintSideBySide(*workload, cloud_options.world.seed, context.out);
  PrintForecastMonth(*workload, cloud_options.world.seed, context.out);
  return kExitOk;
}

}  // namespace glueguard
