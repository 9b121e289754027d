#include "app/demo.h"

#include <fmt/format.h>

#include <deque>
#include <nlohmann/json.hpp>
#include <ostream>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/ec2.h"
#include "aws/environment.h"
#include "aws/glue.h"
#include "base/env.h"
#include "base/mutex.h"
#include "controller/api.h"
#include "controller/server.h"
#include "doctor/doctor.h"
#include "doctor/eni_ledger.h"
#include "net/curl_transport.h"
#include "simcloud/simcloud.h"
#include "store/memory_store.h"

namespace glueguard {
namespace {

std::string Clock5(Time t) { return FormatTime(t).substr(11, 5); }

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

// doctor over the simulated account, as a platform team would run it on a schedule: a quiet pass every
// simulated hour keeps its ledger (when each lingering ENI was first seen), and the pass at the end of the
// story is printed (subnets over their alert, lingering ENIs and whether anything could own them, stuck
// runs). Dry runs: they report what --apply would do.
class DemoDoctor {
 public:
  DemoDoctor(const Config& config, const Workload& workload, Ec2Client& ec2, GlueClient& glue,
             ObservationStore& store, const Clock& clock, Sleeper& sleeper)
      : ledger_(MakeMemoryEniLedger()), deps_{config,   ec2,   glue,    nullptr, &store,
                                              *ledger_, clock, sleeper, {}} {
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
      report->notes.push_back(
          fmt::format("the demo lists {} of the {} lingering Glue ENIs", kListed, report->enis.size()));
      report->enis.resize(kListed);
    }
    if (report->actions.size() > kListed) {
      report->notes.push_back(
          fmt::format("the demo lists {} of the {} planned actions", kListed, report->actions.size()));
      report->actions.resize(kListed);
    }
    out << FormatDoctorTable(*report);
  }

 private:
  std::unique_ptr<EniLedger> ledger_;
  DoctorOptions options_;
  const DoctorDeps deps_;
};

}  // namespace

struct DemoRun::Parts {
  explicit Parts(DemoSetup s, std::ostream& out) : setup(std::move(s)), story(out), printer(out) {}

  DemoSetup setup;
  std::ostream& story;
  LaunchInbox incoming;
  SystemClock wall;
  SystemRandom random;
  SystemSleeper sleeper;
  CurlTransport transport;
  SimCloudOptions cloud_options;
  std::unique_ptr<SimCloud> cloud;
  std::unique_ptr<AwsEnvironment> environment;
  StaticCredentialsProvider credentials{
      Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, "simcloud test key"}};
  std::unique_ptr<AwsClient> aws;
  MetricsRegistry metrics;
  std::unique_ptr<Ec2Client> ec2;
  std::unique_ptr<GlueClient> glue;
  MemoryStore store;
  PrintingNotifier printer;
  std::unique_ptr<ControllerServer> server;
  std::unique_ptr<DemoDoctor> doctor;
  std::vector<PendingLaunch> pending;
  DemoSummary summary;
  Time last_status{};
  int64_t runs = 0;
  int64_t exhaustion = 0;

  void Arrivals(Time now);
  void Poke(Time now);
  void HourlyLine(Time now);
};

Result<std::unique_ptr<DemoRun>> DemoRun::Start(DemoSetup setup, std::ostream& story) {
  auto p = std::make_unique<Parts>(std::move(setup), story);
  const Workload& workload = p->setup.workload;
  // The local cloud; the workload's launches come to the launcher instead of starting by themselves.
  p->cloud_options.world.speed = p->setup.speed;
  p->cloud_options.world.fast_forward = p->setup.start_at;
  p->cloud_options.world.launch_hook = [inbox = &p->incoming](const LaunchRequest& r) { inbox->Put(r); };
  p->cloud_options.sns_topics = {
      fmt::format("arn:aws:sns:{}:{}:glueguard-alerts", workload.region, workload.account_id)};
  Result<std::unique_ptr<SimCloud>> cloud =
      SimCloud::Create(workload, p->cloud_options, p->wall, p->random, p->sleeper, p->transport);
  if (!cloud.ok()) return Status::Unavailable("simcloud did not start: " + cloud.status().message());
  p->cloud = std::move(*cloud);
  if (!p->cloud->Start().ok()) return Status::Unavailable("simcloud did not start: listen failed");

  // The controller's AWS client talks to simcloud with its test key; it signs on the wall clock.
  GG_ASSIGN_OR_RETURN(AwsEnvironment environment,
                      AwsEnvironment::FromConfig(FixedEnv({{"AWS_REGION", workload.region},
                                                           {"AWS_ENDPOINT_URL", p->cloud->endpoint()}}),
                                                 SharedConfig{}));
  p->environment = std::make_unique<AwsEnvironment>(std::move(environment));
  p->aws = std::make_unique<AwsClient>(p->transport, p->credentials, *p->environment, p->wall, p->random,
                                       p->sleeper);
  GG_ASSIGN_OR_RETURN(AwsCallMetrics aws_metrics, AwsCallMetrics::Register(p->metrics));
  p->aws->set_observer([aws_metrics](const AwsCallRecord& r) { aws_metrics.Record(r); });
  p->ec2 = std::make_unique<Ec2Client>(*p->aws);
  p->glue = std::make_unique<GlueClient>(*p->aws);
  p->setup.config.store.kind = "memory";
  ControllerServerOptions options;
  options.host = p->setup.host;
  options.port = p->setup.port;
  options.tick_every = p->setup.tick_every;
  Result<std::unique_ptr<ControllerServer>> server =
      ControllerServer::Start(ControllerServerDeps{p->setup.config, p->store, *p->ec2, nullptr, p->transport,
                                                   p->cloud->sim(), p->random, p->metrics, &p->printer},
                              options);
  if (!server.ok()) return Status::Unavailable("the controller did not start: " + server.status().message());
  p->server = std::move(*server);
  p->doctor = std::make_unique<DemoDoctor>(p->setup.config, workload, *p->ec2, *p->glue, p->store,
                                           p->cloud->sim(), p->sleeper);
  p->last_status = p->cloud->sim().Now();
  return std::unique_ptr<DemoRun>(new DemoRun(std::move(p)));
}

DemoRun::DemoRun(std::unique_ptr<Parts> parts) : p_(std::move(parts)) {}

DemoRun::~DemoRun() {
  if (p_->server) p_->server->Stop();
  if (p_->cloud) p_->cloud->Stop();
}

std::string DemoRun::dashboard_url() const { return p_->server->url(); }
std::string DemoRun::cloud_endpoint() const { return p_->cloud->endpoint(); }
Time DemoRun::Now() const { return p_->cloud->sim().Now(); }
uint64_t DemoRun::world_seed() const { return p_->cloud_options.world.seed; }
const DemoSummary& DemoRun::summary() const { return p_->summary; }
int DemoRun::alerts() const { return p_->printer.count(); }
int64_t DemoRun::runs_started() const { return p_->runs; }
int64_t DemoRun::exhaustion_failures() const { return p_->exhaustion; }

void DemoRun::Step() {
  const Time now = p_->cloud->sim().Now();
  p_->cloud->sim().With([](World&) { return 0; });  // runs the world up to now: arrivals reach the hook
  p_->Arrivals(now);
  p_->Poke(now);
  p_->HourlyLine(now);
  p_->story.flush();
}

void DemoRun::Parts::Arrivals(Time now) {
  // Taken out under the inbox's lock and handled outside it: the hook runs under the world's lock, so
  // holding the inbox's while calling into the world would invert the order.
  const std::deque<LaunchRequest> arrived = incoming.TakeAll();
  for (const LaunchRequest& r : arrived) {
    const SimJob* job = cloud->sim().With([&](World& w) -> const SimJob* {
      auto it = w.jobs().find(r.job);
      return it == w.jobs().end() ? nullptr : &it->second;
    });
    if (!job) continue;
    if (r.bypass_admission) {
      StartJobRunRequest start;
      start.job_name = r.job;
      start.number_of_workers = r.workers;
      const bool started = glue->StartJobRun(start).ok();
      story << fmt::format("{}  {:<13} {:<40} bypass: started from the console, never asked\n", Clock5(now),
                           job->category, r.key);
      if (!started) ++summary.start_failures;
      continue;
    }
    pending.push_back(PendingLaunch{r, job->category, now, now, false});
    ++summary.launches;
  }
}

// Asks the API like an Airflow HttpSensor in reschedule mode, and starts admitted runs.
void DemoRun::Parts::Poke(Time now) {
  const std::string api = server->url() + "/v1/admissions";
  for (auto it = pending.begin(); it != pending.end();) {
    if (it->next_poke > now) {
      ++it;
      continue;
    }
    HttpRequest request;
    request.method = "POST";
    request.url = api;
    request.headers = {{"Content-Type", "application/json"}};
    if (!setup.config.server.token.empty())
      request.headers.push_back({"Authorization", "Bearer " + setup.config.server.token});
    request.body =
        nlohmann::json{
            {"category", it->category}, {"workers", it->request.workers}, {"run_id", it->request.key}}
            .dump();
    Result<HttpResponse> response = transport.Send(request);
    Result<Decision> d =
        response.ok() ? ParseDecisionJson(response->body) : Result<Decision>(response.status());
    if (!d.ok()) {
      setup.errors("demo: no decision: " + d.status().ToString());
      it->next_poke = now + std::chrono::seconds(60);
      ++it;
      continue;
    }
    if (d->outcome == Outcome::kWait) {
      if (!it->held) {
        it->held = true;
        ++summary.held;
        story << fmt::format("{}  {:<13} {:<40} WAIT   {}\n", Clock5(now), it->category, it->request.key,
                             d->reason);
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
      if (!glue->StartJobRun(start).ok()) ++summary.start_failures;
      story << fmt::format("{}  {:<13} {:<40} ADMIT  {}{}\n", Clock5(now), it->category, it->request.key,
                           d->reason,
                           it->held ? fmt::format(" (after {})", FormatDuration(now - it->requested)) : "");
    } else {
      ++summary.rejected;
      story << fmt::format("{}  {:<13} {:<40} REJECT {}\n", Clock5(now), it->category, it->request.key,
                           d->reason);
    }
    it = pending.erase(it);
  }
}

// Every simulated hour: a quiet doctor pass (it keeps the ledger of lingering ENIs) and a line of the
// subnets.
void DemoRun::Parts::HourlyLine(Time now) {
  if (now - last_status < std::chrono::hours(1)) return;
  last_status = now;
  doctor->QuietPass();
  std::string line = fmt::format("{}  subnets:", Clock5(now));
  for (const SubnetStatus& s : server->controller().Subnets()) {
    if (!s.poller.latest) continue;
    line +=
        fmt::format("  {} {}/{}", s.config->name, s.poller.latest->total_enis, s.config->cidr.UsableIps());
  }
  story << line << "\n";
}

void DemoRun::Finish(std::ostream& out) {
  p_->server->Stop();
  p_->doctor->PrintedPass(out);
  p_->exhaustion = p_->cloud->sim().With([](World& w) { return w.stats().exhaustion_failures; });
  p_->runs = p_->cloud->sim().With([](World& w) { return w.stats().runs_started; });
  p_->cloud->Stop();
}

}  // namespace glueguard
