#include "simcloud/front.h"

#include <fmt/format.h>

#include <future>

#include <nlohmann/json.hpp>

namespace glueguard {

namespace {

ServerResponse JsonReply(int status, std::string body) {
  return ServerResponse{status, "application/json", {}, std::move(body)};
}

ServerResponse JsonMessage(int status, std::string_view message) {
  return JsonReply(status, nlohmann::json{{"error", message}}.dump());
}

std::string_view OutcomeOf(int status) {
  if (status >= 500) return "server_error";
  if (status >= 400) return "client_error";
  return "ok";
}

}  // namespace

std::vector<SimCredential> DefaultTestCredentials() {
  SimCredential key;
  key.access_key_id = "AKIDEXAMPLE";
  key.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  key.account_id = "123456789012";
  key.user_name = "simcloud";
  return {key};
}

Front::Front(FrontOptions options, Clock& clock, Random& random, Sleeper& sleeper)
    : options_(std::move(options)), clock_(clock), random_(random), faults_(random, sleeper) {
  for (const SimCredential& c : options_.credentials) credentials_.emplace(c.access_key_id, c);
  inspection_.emplace(std::string(kInspectionPrefix) + "requests", [this](const ServerRequest&) {
    nlohmann::json counts = nlohmann::json::array();
    for (const RequestCount& c : RequestCounts()) {
      counts.push_back(
          {{"service", c.service}, {"operation", c.operation}, {"outcome", c.outcome}, {"count", c.count}});
    }
    return JsonReply(200, counts.dump());
  });
  inspection_.emplace(std::string(kInspectionPrefix) + "faults", [this](const ServerRequest& request) {
    if (request.method == "POST" || request.method == "PUT") {
      Result<std::map<std::string, FaultRates>> config = ParseFaultConfig(request.body);
      if (!config.ok()) return JsonMessage(400, config.status().message());
      if (Status s = faults_.Replace(*config); !s.ok()) return JsonMessage(400, s.message());
    }
    return JsonReply(200,
                     fmt::format(R"({{"config":{},"counters":{}}})", FaultConfigToJson(faults_.Configured()),
                                 FaultCountersToJson(faults_.counters())));
  });
}

Front::~Front() { Stop(); }

Status Front::Register(std::string_view service, ServiceHandler& handler) {
  if (started_) return Status::FailedPrecondition("simcloud: register services before Start()");
  if (FindWireService(service) == nullptr) {
    return Status::InvalidArgument(
        fmt::format("simcloud: unknown service '{}' (expected ec2, glue, sns, sqs, sts)", service));
  }
  if (!handlers_.emplace(std::string(service), &handler).second) {
    return Status::InvalidArgument(fmt::format("simcloud: service '{}' is already registered", service));
  }
  return Status::Ok();
}

Status Front::RegisterInspection(std::string path, InspectionHandler handler) {
  if (started_) return Status::FailedPrecondition("simcloud: register inspection handlers before Start()");
  if (!path.starts_with(kInspectionPrefix) || path.size() == kInspectionPrefix.size()) {
    return Status::InvalidArgument(
        fmt::format("simcloud: inspection path '{}' must start with {}", path, kInspectionPrefix));
  }
  if (!inspection_.emplace(path, std::move(handler)).second) {
    return Status::InvalidArgument(fmt::format("simcloud: inspection path '{}' is already taken", path));
  }
  return Status::Ok();
}

Status Front::Start() {
  MutexLock lock(server_mu_);
  if (started_) return Status::FailedPrecondition("simcloud: already started");
  started_ = true;
  Result<std::unique_ptr<HttpServer>> server =
      HttpServer::StartAsync(options_.server, [this](ServerRequest request, HttpResponder done) {
        ServeAsync(request, std::move(done));
      });
  if (!server.ok()) {
    started_ = false;  // nothing started: registering and starting again are allowed
    return server.status();
  }
  server_ = std::move(*server);
  port_ = server_->port();
  return Status::Ok();
}

int Front::port() const { return port_; }

std::string Front::endpoint() const { return fmt::format("http://{}:{}", options_.server.host, port()); }

void Front::Stop() {
  MutexLock lock(server_mu_);
  if (stopped_ || !started_) return;
  stopped_ = true;
  for (const auto& [name, handler] : handlers_) handler->Shutdown();
  if (server_) server_->Stop();
}

ServerResponse Front::Serve(const ServerRequest& request) {
  std::promise<ServerResponse> answer;
  std::future<ServerResponse> answered = answer.get_future();
  ServeAsync(request, [&answer](ServerResponse r) { answer.set_value(std::move(r)); });
  return answered.get();
}

void Front::ServeAsync(const ServerRequest& request, HttpResponder done) {
  if (request.path.starts_with(kInspectionPrefix)) return done(Inspect(request));
  ParsedCall parsed = ParseAwsCall(request);
  AwsCall& call = parsed.call;
  call.request_id = NewRequestId(random_);
  if (parsed.error) {
    Count(call, "bad_request");
    return done(ErrorResponse(call, *parsed.error));
  }
  Answer(call, request, std::move(done));
}

void Front::Answer(AwsCall& call, const ServerRequest& request, HttpResponder done) {
  if (options_.verify_signatures) {
    const SigV4Verdict verdict = VerifySigV4(
        request, call.service, call.protocol, [this](std::string_view id) { return FindCredential(id); },
        clock_.Now(), options_.max_clock_skew);
    if (!verdict.ok()) {
      Count(call, "auth_failed");
      return done(ErrorResponse(call, verdict.error));
    }
    call.caller = *verdict.caller;
  } else {
    call.caller = UnverifiedCaller(request);
  }

  const auto handler = handlers_.find(call.service);
  if (handler == handlers_.end() || !handler->second->Handles(call.operation)) {
    Count(call, "unknown_operation");
    return done(ErrorResponse(call, UnknownOperationError(call)));
  }
  const FaultDecision fault = faults_.Apply(call.service);
  if (fault.action == FaultAction::kThrottle || fault.action == FaultAction::kServerError) {
    Count(call, fault.action == FaultAction::kThrottle ? "throttled" : "injected_server_error");
    return done(ErrorResponse(call, fault.error));
  }
  const bool drop = fault.action == FaultAction::kDrop;
  handler->second->HandleAsync(call, [this, done = std::move(done), drop, service = call.service,
                                      operation = call.operation](ServerResponse response) {
    AwsCall counted;
    counted.service = service;
    counted.operation = operation;
    if (drop) {
      // The call took effect; only its response is lost, the nastiest case for a client.
      response.drop_connection = true;
      Count(counted, "dropped");
    } else {
      Count(counted, OutcomeOf(response.status));
    }
    done(std::move(response));
  });
}

ServerResponse Front::Inspect(const ServerRequest& request) {
  const auto it = inspection_.find(request.path);
  if (it == inspection_.end()) {
    return JsonMessage(404, fmt::format("no inspection endpoint at {}", request.path));
  }
  return it->second(request);
}

std::optional<SimCredential> Front::FindCredential(std::string_view access_key_id) const {
  const auto it = credentials_.find(access_key_id);
  if (it == credentials_.end()) return std::nullopt;
  return it->second;
}

Caller Front::UnverifiedCaller(const ServerRequest& request) const {
  std::optional<SimCredential> credential;
  std::string region = "us-east-1";
  if (const std::string* header = request.Header("Authorization")) {
    if (Result<SigV4Authorization> parsed = ParseSigV4Authorization(*header); parsed.ok()) {
      credential = FindCredential(parsed->access_key_id);
      region = parsed->region;
    }
  }
  if (!credential && !options_.credentials.empty()) credential = options_.credentials.front();
  if (!credential) return Caller{"", "", "", region};
  return Caller{credential->access_key_id, credential->account_id,
                fmt::format("arn:aws:iam::{}:user/{}", credential->account_id, credential->user_name),
                region};
}

void Front::Count(const AwsCall& call, std::string_view outcome) {
  MutexLock lock(counts_mu_);
  ++counts_[{call.service, call.operation, std::string(outcome)}];
}

std::vector<RequestCount> Front::RequestCounts() const {
  MutexLock lock(counts_mu_);
  std::vector<RequestCount> out;
  for (const auto& [key, count] : counts_) {
    out.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), count});
  }
  return out;
}

}  // namespace glueguard
