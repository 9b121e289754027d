#include "app/admissions.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "app/aws_runtime.h"
#include "aws/ec2.h"
#include "aws/retry.h"
#include "base/json_limits.h"
#include "base/strings.h"
#include "controller/api.h"
#include "controller/controller.h"
#include "net/curl_transport.h"
#include "store/open_store.h"

namespace glueguard {
namespace {

// How the launcher retries a controller it cannot reach: a few attempts, full-jitter backoff from 200 ms,
// so that the whole budget stays within about two seconds (a poke, not a wait).
constexpr int kControllerAttempts = 4;
constexpr Duration kControllerBackoffBase = std::chrono::milliseconds(200);
constexpr Duration kControllerBackoffCap = std::chrono::seconds(1);

// One controller, or several replicas of it: a request goes to the one that answered last, and on a
// connection failure or a 502/503/504 at once to the next; after a round over all of them without an answer,
// a backoff, for at most kControllerAttempts rounds.
class RemoteAdmissions final : public Admissions {
 public:
  RemoteAdmissions(std::vector<std::string> urls, std::string token, HttpTransport& transport, Sleeper& sleeper,
                   Random& random)
      : urls_(std::move(urls)), token_(std::move(token)), transport_(transport), sleeper_(sleeper), random_(random) {}

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
  // Sends the request, retrying a connection failure or a 502/503/504 on the next controller (every call is
  // idempotent: an admission is keyed by its run id). Unavailable when no controller could be reached.
  Result<HttpResponse> Send(const std::string& method, const std::string& path, std::string body) {
    HttpRequest r;
    r.method = method;
    r.body = std::move(body);
    r.timeout = std::chrono::seconds(60);
    if (!r.body.empty()) r.headers.push_back({"Content-Type", "application/json"});
    if (!token_.empty()) r.headers.push_back({"Authorization", "Bearer " + token_});
    Status last;
    for (int round = 1; round <= kControllerAttempts; ++round) {
      if (round > 1) sleeper_.Sleep(Backoff(round - 1, random_, kControllerBackoffBase, kControllerBackoffCap));
      for (size_t k = 0; k < urls_.size(); ++k) {
        const size_t index = (current_ + k) % urls_.size();
        r.url = urls_[index] + path;
        Result<HttpResponse> response = transport_.Send(r);
        if (response.ok() && response->status != 502 && response->status != 503 && response->status != 504) {
          current_ = index;
          return response;
        }
        const Status why = response.ok() ? Failure(*response) : response.status();
        last = urls_.size() == 1 ? why : Status::Unavailable(fmt::format("{}: {}", urls_[index], why.message()));
      }
    }
    if (urls_.size() == 1) {
      return Status::Unavailable(fmt::format("the controller at {} could not be reached after {} attempts: {}",
                                             urls_[0], kControllerAttempts, last.message()));
    }
    return Status::Unavailable(fmt::format("none of the {} controllers could be reached after {} attempts each; last: {}",
                                           urls_.size(), kControllerAttempts, last.message()));
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

  const std::vector<std::string> urls_;
  size_t current_ = 0;  // the controller that answered last
  std::string token_;
  HttpTransport& transport_;
  Sleeper& sleeper_;
  Random& random_;
};

// A RemoteAdmissions with the process's own HTTP client, sleeps and randomness.
class OwningRemoteAdmissions final : public Admissions {
 public:
  OwningRemoteAdmissions(std::vector<std::string> urls, std::string token)
      : remote_(std::move(urls), std::move(token), transport_, sleeper_, random_) {}
  Result<Decision> Admit(const AdmissionRequest& request) override { return remote_.Admit(request); }
  Status Release(const std::string& id) override { return remote_.Release(id); }
  Status ReportFailure(const std::string& target) override { return remote_.ReportFailure(target); }

 private:
  CurlTransport transport_;
  SystemSleeper sleeper_;
  SystemRandom random_;
  RemoteAdmissions remote_;
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
    Result<std::unique_ptr<AwsRuntime>> aws = AwsRuntime::Create(env, a->config_->region);
    if (!aws.ok()) return aws.status();
    a->aws_ = std::move(*aws);
    Result<std::unique_ptr<ObservationStore>> store = OpenStore(a->config_->store, a->aws_->client.get());
    if (!store.ok()) return store.status();
    a->store_ = std::move(*store);
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
  std::unique_ptr<AwsRuntime> aws_;  // before the store, whose DynamoDB client uses it
  std::unique_ptr<ObservationStore> store_;
  std::unique_ptr<Ec2Client> ec2_;
  RecordingNotifier notifier_;  // a one-shot command sends no alerts; the server does
  MetricsRegistry metrics_;
  std::unique_ptr<Controller> controller_;
};

}  // namespace

Result<std::vector<std::string>> ParseControllerUrls(std::string_view text) {
  std::vector<std::string> urls;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    std::string url(Trim(text.substr(start, comma - start)));
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.empty()) {
      return Status::InvalidArgument(fmt::format("the controller list '{}' has an empty entry", text));
    }
    if (!url.starts_with("http://") && !url.starts_with("https://")) {
      return Status::InvalidArgument(
          fmt::format("controller '{}' is not an http:// or https:// URL", url));
    }
    urls.push_back(std::move(url));
    start = comma + 1;
  }
  return urls;
}

Result<std::unique_ptr<Admissions>> MakeRemoteAdmissions(std::string_view urls, std::string token,
                                                         HttpTransport& transport, Sleeper& sleeper,
                                                         Random& random) {
  GG_ASSIGN_OR_RETURN(std::vector<std::string> list, ParseControllerUrls(urls));
  return std::unique_ptr<Admissions>(
      std::make_unique<RemoteAdmissions>(std::move(list), std::move(token), transport, sleeper, random));
}

Result<std::unique_ptr<Admissions>> MakeRemoteAdmissions(std::string_view urls, std::string token) {
  GG_ASSIGN_OR_RETURN(std::vector<std::string> list, ParseControllerUrls(urls));
  return std::unique_ptr<Admissions>(std::make_unique<OwningRemoteAdmissions>(std::move(list), std::move(token)));
}

Result<std::unique_ptr<Admissions>> MakeLocalAdmissions(const std::string& config_path, const EnvLookup& env) {
  Result<std::unique_ptr<LocalAdmissions>> local = LocalAdmissions::Create(config_path, env);
  if (!local.ok()) return local.status();
  return std::unique_ptr<Admissions>(std::move(*local));
}

}  // namespace glueguard
