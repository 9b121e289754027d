// glueguard admit / wait / release / report-failure: the launcher's side of admission, for Airflow's
// BashSensor and scripts. With a server (--server or GLUEGUARD_URL) they ask the controller's API; without
// one they decide on their own from AWS and the configured store, like a standalone sensor.
//
// Exit codes of admit: 0 admit, 75 wait (EX_TEMPFAIL: BashSensor's retry_exit_code), 1 reject or failure (the
// reason on stderr), 2 usage. A controller that cannot be reached (refused, reset, 502/503/504), after a few
// quick retries, is a wait (75), not a failure: a restart or a deploy of the controller must never fail a
// launch. The sensor's own timeout (max_wait) stays the loud backstop.
#include <fmt/format.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <ostream>

#include "aws/ec2.h"
#include "aws/retry.h"
#include "base/json_limits.h"
#include "cli/aws_runtime.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "controller/api.h"
#include "controller/controller.h"
#include "store/open_store.h"

namespace glueguard {
namespace {

constexpr int kExitWait = 75;

// How the launcher retries a controller it cannot reach: a few attempts, full-jitter backoff from 200 ms,
// so that the whole budget stays within about two seconds (a poke, not a wait).
constexpr int kControllerAttempts = 4;
constexpr Duration kControllerBackoffBase = std::chrono::milliseconds(200);
constexpr Duration kControllerBackoffCap = std::chrono::seconds(1);

// Where decisions come from: the controller's API, or a controller built in this process.
class Admissions {
 public:
  virtual ~Admissions() = default;
  virtual Result<Decision> Admit(const AdmissionRequest& request) = 0;
  virtual Status Release(const std::string& reservation_id) = 0;
  virtual Status ReportFailure(const std::string& category_or_subnet) = 0;
};

class RemoteAdmissions final : public Admissions {
 public:
  RemoteAdmissions(std::string url, std::string token) : url_(std::move(url)), token_(std::move(token)) {
    while (!url_.empty() && url_.back() == '/') url_.pop_back();
  }

  Result<Decision> Admit(const AdmissionRequest& request) override {
    nlohmann::json body = {
        {"category", request.category}, {"workers", request.workers}, {"run_id", request.run_id}};
    if (request.priority) body["priority"] = *request.priority;
    Result<HttpResponse> response = Send("POST", "/v1/admissions", body.dump());
    if (!response.ok()) return response.status();
    if (response->status != 200 && response->status != 409) return Failure(*response);
    return ParseDecisionJson(response->body);
  }

  Status Release(const std::string& reservation_id) override {
    Result<HttpResponse> response = Send("DELETE", "/v1/admissions/" + reservation_id, "");
    if (!response.ok()) return response.status();
    return response->status == 204 ? Status::Ok() : Failure(*response);
  }

  Status ReportFailure(const std::string& target) override {
    Result<HttpResponse> response = Send("POST", "/v1/failures", nlohmann::json{{"category", target}}.dump());
    if (!response.ok()) return response.status();
    return response->status == 202 ? Status::Ok() : Failure(*response);
  }

 private:
  // Sends the request, retrying a connection failure or a 502/503/504 (every call is idempotent: an admission
  // is keyed by its run id). Unavailable when the controller still cannot be reached.
  Result<HttpResponse> Send(const std::string& method, const std::string& path, std::string body) {
    HttpRequest r;
    r.method = method;
    r.url = url_ + path;
    r.body = std::move(body);
    r.timeout = std::chrono::seconds(60);
    if (!r.body.empty()) r.headers.push_back({"Content-Type", "application/json"});
    if (!token_.empty()) r.headers.push_back({"Authorization", "Bearer " + token_});
    Status last;
    for (int attempt = 1; attempt <= kControllerAttempts; ++attempt) {
      if (attempt > 1) sleeper_.Sleep(Backoff(attempt - 1, random_, kControllerBackoffBase, kControllerBackoffCap));
      Result<HttpResponse> response = transport_.Send(r);
      if (response.ok() && response->status != 502 && response->status != 503 && response->status != 504) {
        return response;
      }
      last = response.ok() ? Failure(*response) : response.status();
    }
    return Status::Unavailable(fmt::format("the controller at {} could not be reached after {} attempts: {}", url_,
                                           kControllerAttempts, last.message()));
  }

  static Status Failure(const HttpResponse& response) {
    const nlohmann::json j = CheckJsonDepth(response.body, "the reply").ok()
                                 ? nlohmann::json::parse(response.body, nullptr, false)
                                 : nlohmann::json();
    std::string message = response.body;
    if (!j.is_discarded() && j.contains("error") && j["error"].is_object()) {
      message = j["error"].value("message", response.body);
    }
    const std::string text = fmt::format("the controller answered HTTP {}: {}", response.status, message);
    if (response.status == 404) return Status::NotFound(text);
    if (response.status == 400) return Status::InvalidArgument(text);
    if (response.status == 401 || response.status == 403) return Status::PermissionDenied(text);
    return Status::Unavailable(text);
  }

  std::string url_;
  std::string token_;
  CurlTransport transport_;
  SystemSleeper sleeper_;
  SystemRandom random_;
};

// A controller in this process: the store is the configured one (shared with other local runs and a server
// on the same file), the EC2 view is observed on demand.
class LocalAdmissions final : public Admissions {
 public:
  static Result<std::unique_ptr<LocalAdmissions>> Create(const std::string& config_path,
                                                         const EnvLookup& env) {
    std::unique_ptr<LocalAdmissions> a(new LocalAdmissions());
    Result<Config> config = LoadConfigFile(config_path, env);
    if (!config.ok()) return config.status();
    a->config_ = std::make_unique<Config>(*config);
    Result<std::unique_ptr<ObservationStore>> store = OpenStore(a->config_->store);
    if (!store.ok()) return store.status();
    a->store_ = std::move(*store);
    Result<std::unique_ptr<AwsRuntime>> aws = AwsRuntime::Create(env, a->config_->region);
    if (!aws.ok()) return aws.status();
    a->aws_ = std::move(*aws);
    a->ec2_ = std::make_unique<Ec2Client>(*a->aws_->client);
    Result<std::unique_ptr<Controller>> controller = Controller::Create(ControllerDeps{
        *a->config_, *a->store_, *a->ec2_, a->notifier_, a->aws_->clock, a->aws_->random, a->metrics_});
    if (!controller.ok()) return controller.status();
    a->controller_ = std::move(*controller);
    return a;
  }

  Result<Decision> Admit(const AdmissionRequest& request) override { return controller_->Admit(request); }
  Status Release(const std::string& id) override { return controller_->Release(id); }
  Status ReportFailure(const std::string& target) override { return controller_->ReportFailure(target); }

 private:
  LocalAdmissions() = default;
  std::unique_ptr<Config> config_;
  std::unique_ptr<ObservationStore> store_;
  std::unique_ptr<AwsRuntime> aws_;
  std::unique_ptr<Ec2Client> ec2_;
  RecordingNotifier notifier_;  // a one-shot command sends no alerts; the server does
  MetricsRegistry metrics_;
  std::unique_ptr<Controller> controller_;
};

const std::vector<FlagSpec>& ConnectionFlags() {
  static const std::vector<FlagSpec> flags = {
      {"server", "the controller's URL (default $GLUEGUARD_URL); without one, decide locally", true, false,
       "URL"},
      {"token", "bearer token for the controller (default $GLUEGUARD_API_TOKEN)", true, false, "TOKEN"},
      {"config", "glueguard configuration, to decide locally (default $GLUEGUARD_CONFIG)", true, false,
       "FILE"},
  };
  return flags;
}

Result<std::unique_ptr<Admissions>> Connect(const Flags& flags, const EnvLookup& env) {
  std::optional<std::string> server = flags.Get("server");
  if (!server) server = env("GLUEGUARD_URL");
  if (server && !server->empty()) {
    std::string token = flags.Get("token").value_or(env("GLUEGUARD_API_TOKEN").value_or(""));
    return std::unique_ptr<Admissions>(std::make_unique<RemoteAdmissions>(*server, std::move(token)));
  }
  std::optional<std::string> config = flags.Get("config");
  if (!config) config = env("GLUEGUARD_CONFIG");
  if (!config || config->empty()) {
    return Status::InvalidArgument(
        "give --server URL (or GLUEGUARD_URL) or --config FILE (or GLUEGUARD_CONFIG)");
  }
  Result<std::unique_ptr<LocalAdmissions>> local = LocalAdmissions::Create(*config, env);
  if (!local.ok()) return local.status();
  return std::unique_ptr<Admissions>(std::move(*local));
}

// The command's own flags and the connection flags.
std::vector<FlagSpec> WithConnectionFlags(std::vector<FlagSpec> own) {
  for (const FlagSpec& f : ConnectionFlags()) own.push_back(f);
  return own;
}

// The request from --category/--workers/--run-id/--priority; InvalidArgument naming the problem.
Result<AdmissionRequest> ReadRequest(const Flags& flags) {
  AdmissionRequest r;
  r.category = flags.Get("category").value_or("");
  r.run_id = flags.Get("run-id").value_or("");
  if (r.category.empty()) return Status::InvalidArgument("--category is required");
  if (r.run_id.empty()) return Status::InvalidArgument("--run-id is required (e.g. dag_id/run_id/task_id)");
  const std::string workers = flags.Get("workers").value_or("");
  char* end = nullptr;
  const long n = std::strtol(workers.c_str(), &end, 10);
  if (workers.empty() || *end != '\0' || n < 1 || n > 100000) {
    return Status::InvalidArgument(fmt::format("--workers must be a whole number from 1, not '{}'", workers));
  }
  r.workers = static_cast<int>(n);
  if (std::optional<std::string> p = flags.Get("priority")) {
    errno = 0;
    const long long priority = std::strtoll(p->c_str(), &end, 10);
    if (p->empty() || *end != '\0' || errno == ERANGE || priority < -1'000'000 || priority > 1'000'000) {
      return Status::InvalidArgument(
          fmt::format("--priority must be a whole number from -1000000 to 1000000, not '{}'", *p));
    }
    r.priority = static_cast<int>(priority);
  }
  return r;
}

std::vector<FlagSpec> RequestFlags() {
  return {
      {"category", "the job category (it names the subnet)", true, false, "NAME"},
      {"workers", "the Glue job's NumberOfWorkers", true, false, "N"},
      {"run-id", "the launch's identity, the same on every poke: dag_id/run_id/task_id", true, false, "ID"},
      {"priority", "override the category's priority", true, false, "N"},
      {"output", "text (default) or json", true, false, "FORMAT"}};
}

// Prints a decision and returns its exit code.
int Report(CommandContext& context, const Decision& d, bool json) {
  if (json) {
    context.out << DecisionJson(d) << "\n";
  } else {
    context.out << fmt::format("{} {} ({} workers, subnet {}): {}\n", OutcomeName(d.outcome), d.run_id,
                               d.workers, d.subnet_id, d.reason);
    if (d.outcome == Outcome::kAdmit && !d.reservation_id.empty()) {
      context.out << fmt::format("reservation {}\n", d.reservation_id);
    }
  }
  switch (d.outcome) {
    case Outcome::kAdmit:
      return kExitOk;
    case Outcome::kWait:
      return kExitWait;
    case Outcome::kReject:
      context.err << fmt::format("glueguard: rejected: {}\n", d.reason);
      return kExitFailure;
  }
  return kExitFailure;
}

int AdmitOrWait(CommandContext& context, bool block) {
  const char* usage =
      block ? "glueguard wait --category C --workers N --run-id ID [--server URL | --config FILE]\n\n"
              "Asks until the launch is admitted (exit 0) or rejected (exit 1: it waited longer than\n"
              "max_wait, or can never fit), sleeping what the controller says between asks."
            : "glueguard admit --category C --workers N --run-id ID [--server URL | --config FILE]\n\n"
              "Asks once whether a Glue launch may start now. Exit 0 = admit, 75 = wait (ask again;\n"
              "BashSensor's retry_exit_code), 1 = rejected or failed (the reason on stderr). A controller\n"
              "that cannot be reached (refused, reset, 502/503/504) is retried a few times within about two\n"
              "seconds, then answered 75 with the reason on stderr: a controller restart never fails a launch.";
  int exit_code = kExitOk;
  std::optional<Flags> flags =
      ParseCommandFlags(context, usage, WithConnectionFlags(RequestFlags()), exit_code);
  if (!flags) return exit_code;
  const std::string output = flags->Get("output").value_or("text");
  if (output != "text" && output != "json") {
    context.err << fmt::format("glueguard: --output must be text or json, not '{}'\n", output);
    return kExitUsage;
  }
  Result<AdmissionRequest> request = ReadRequest(*flags);
  if (!request.ok()) {
    context.err << "glueguard: " << request.status().message() << "\nusage: " << usage << "\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<Admissions>> admissions = Connect(*flags, context.env);
  if (!admissions.ok()) {
    context.err << "glueguard: " << admissions.status().message() << "\n";
    return admissions.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  SystemSleeper sleeper;
  while (true) {
    Result<Decision> decision = (*admissions)->Admit(*request);
    if (!decision.ok() && decision.status().code() == StatusCode::kUnavailable) {
      // Not a decision: ask again later, as for a wait. A store or EC2 that is down fails closed the same way.
      context.err << "glueguard: no decision yet, ask again: " << decision.status().message() << "\n";
      if (!block) return kExitWait;
      context.out.flush();
      sleeper.Sleep(std::chrono::seconds(5));
      continue;
    }
    if (!decision.ok()) {
      context.err << "glueguard: no decision: " << decision.status().ToString() << "\n";
      return kExitFailure;
    }
    const int code = Report(context, *decision, output == "json");
    if (!block || code != kExitWait) return code;
    context.out.flush();
    sleeper.Sleep(std::max<Duration>(decision->retry_after, std::chrono::seconds(1)));
  }
}

}  // namespace

int RunAdmit(CommandContext& context) { return AdmitOrWait(context, false); }
int RunWait(CommandContext& context) { return AdmitOrWait(context, true); }

int RunRelease(CommandContext& context) {
  const char* usage =
      "glueguard release --reservation ID [--server URL | --config FILE]\n\n"
      "Ends an admitted launch's reservation (the launch was cancelled before its ENIs appeared).";
  int exit_code = kExitOk;
  std::optional<Flags> flags = ParseCommandFlags(
      context, usage,
      WithConnectionFlags({{"reservation", "the reservation id admit printed", true, false, "ID"}}),
      exit_code);
  if (!flags) return exit_code;
  const std::string id = flags->Get("reservation").value_or("");
  if (id.empty()) {
    context.err << "glueguard: --reservation is required\nusage: " << usage << "\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<Admissions>> admissions = Connect(*flags, context.env);
  if (!admissions.ok()) {
    context.err << "glueguard: " << admissions.status().message() << "\n";
    return kExitUsage;
  }
  const Status s = (*admissions)->Release(id);
  if (!s.ok()) {
    context.err << "glueguard: " << s.message() << "\n";
    return kExitFailure;
  }
  context.out << "released " << id << "\n";
  return kExitOk;
}

int RunReportFailure(CommandContext& context) {
  const char* usage =
      "glueguard report-failure (--category NAME | --subnet ID) [--server URL | --config FILE]\n\n"
      "Reports that a launch failed with IP exhaustion: the subnet admits nothing for cool_off.";
  int exit_code = kExitOk;
  std::optional<Flags> flags = ParseCommandFlags(
      context, usage,
      WithConnectionFlags({{"category", "the failed launch's category", true, false, "NAME"},
                           {"subnet", "or the subnet, by id or name", true, false, "ID"}}),
      exit_code);
  if (!flags) return exit_code;
  if (flags->Has("category") == flags->Has("subnet")) {
    context.err << "glueguard: give exactly one of --category and --subnet\nusage: " << usage << "\n";
    return kExitUsage;
  }
  const std::string target = flags->Get("category").value_or(flags->Get("subnet").value_or(""));
  Result<std::unique_ptr<Admissions>> admissions = Connect(*flags, context.env);
  if (!admissions.ok()) {
    context.err << "glueguard: " << admissions.status().message() << "\n";
    return kExitUsage;
  }
  const Status s = (*admissions)->ReportFailure(target);
  if (!s.ok()) {
    context.err << "glueguard: " << s.message() << "\n";
    return kExitFailure;
  }
  context.out << "reported an IP-exhaustion failure for " << target << "; admission cools off\n";
  return kExitOk;
}

}  // namespace glueguard
