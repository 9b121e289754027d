#include "controller/api.h"
#include "controller/api_json.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

#include "base/json_limits.h"
#include "controller/dashboard_assets.h"

namespace glueguard {
namespace {

// The largest priority a launch may give, either sign: far beyond any configured category's, small enough
// that no arithmetic on it overflows.
constexpr int64_t kMaxPriority = 1'000'000;

using nlohmann::json;
using nlohmann::ordered_json;

ServerResponse Json(int status, const ordered_json& body) { return ApiJson(status, body); }

ServerResponse Error(int status, const std::string& code, const std::string& message) {
  return ApiError(status, code, message);
}

double Seconds(Duration d) { return static_cast<double>(d.count()) / 1000.0; }

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

ServerResponse ApiJson(int status, const ordered_json& body) {
  ServerResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump() + "\n";
  return r;
}

ServerResponse ApiError(int status, const std::string& code, const std::string& message) {
  return ApiJson(status, ordered_json{{"error", {{"code", code}, {"message", message}}}});
}

std::string DecisionJson(const Decision& d) {
  ordered_json j = {{"outcome", OutcomeName(d.outcome)},
                    {"code", DecisionCodeName(d.code)},
                    {"reason", d.reason},
                    {"category", d.category},
                    {"subnet", d.subnet_id},
                    {"run_id", d.run_id},
                    {"workers", d.workers},
                    {"priority", d.priority},
                    {"capacity", d.capacity},
                    {"total", d.total},
                    {"free", d.free},
                    {"buffer", d.buffer},
                    {"reserved", d.reserved},
                    {"needed", d.needed},
                    {"reservation_id", d.reservation_id},
                    {"retry_after_seconds", Seconds(d.retry_after)},
                    {"waited_seconds", Seconds(d.waited)},
                    {"decided_at", FormatTime(d.decided_at)},
                    {"observed_at", d.observed_at == Time{} ? "" : FormatTime(d.observed_at)}};
  return j.dump();
}

Result<Decision> ParseDecisionJson(std::string_view text) {
  GG_RETURN_IF_ERROR(CheckJsonDepth(text, "the decision"));
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("the decision is not a JSON object");
  try {
    Decision d;
    const std::optional<Outcome> outcome = ParseOutcome(j.at("outcome").get<std::string>());
    const std::optional<DecisionCode> code = ParseDecisionCode(j.at("code").get<std::string>());
    if (!outcome || !code) return Status::InvalidArgument("the decision has an unknown outcome or code");
    d.outcome = *outcome;
    d.code = *code;
    d.reason = j.value("reason", "");
    d.category = j.value("category", "");
    d.subnet_id = j.value("subnet", "");
    d.run_id = j.value("run_id", "");
    d.workers = j.value("workers", 0);
    d.priority = j.value("priority", 0);
    d.capacity = j.value("capacity", 0);
    d.total = j.value("total", 0);
    d.free = j.value("free", 0);
    d.buffer = j.value("buffer", 0);
    d.reserved = j.value("reserved", 0);
    d.needed = j.value("needed", 0);
    d.reservation_id = j.value("reservation_id", "");
    d.retry_after = Duration{static_cast<int64_t>(j.value("retry_after_seconds", 0.0) * 1000)};
    d.waited = Duration{static_cast<int64_t>(j.value("waited_seconds", 0.0) * 1000)};
    if (Result<Time> t = ParseTime(j.value("decided_at", "")); t.ok()) d.decided_at = *t;
    if (Result<Time> t = ParseTime(j.value("observed_at", "")); t.ok()) d.observed_at = *t;
    return d;
  } catch (const json::exception& e) {
    return Status::InvalidArgument(fmt::format("the decision is malformed: {}", e.what()));
  }
}

ServerResponse ControllerApi::Handle(const ServerRequest& request) {
  const std::string& path = request.path;
  const std::string& method = request.method;
  if (path == "/v1/admissions") {
    if (method != "POST") return Error(405, "method_not_allowed", "use POST /v1/admissions");
    if (auto denied = CheckWrite(request)) return *denied;
    return PostAdmission(request);
  }
  if (StartsWith(path, "/v1/admissions/")) {
    if (method != "DELETE")
      return Error(405, "method_not_allowed", "use DELETE /v1/admissions/{reservation_id}");
    if (auto denied = CheckWrite(request)) return *denied;
    return DeleteAdmission(path.substr(std::string_view("/v1/admissions/").size()));
  }
  if (path == "/v1/failures") {
    if (method != "POST") return Error(405, "method_not_allowed", "use POST /v1/failures");
    if (auto denied = CheckWrite(request)) return *denied;
    return PostFailure(request);
  }
  if (path == "/v1/events") {
    if (method != "POST") return Error(405, "method_not_allowed", "use POST /v1/events");
    if (auto denied = CheckWrite(request)) return *denied;
    return PostEvents(request);
  }
  if (method != "GET" && method != "HEAD") return Error(405, "method_not_allowed", method + " " + path);
  if (std::optional<ServerResponse> asset = DashboardAsset(request)) return *asset;
  if (path == "/v1/subnets") return GetSubnets();
  if (path == "/v1/summary") return GetSummary(request);
  if (StartsWith(path, "/v1/subnets/")) {
    const std::string rest = path.substr(std::string_view("/v1/subnets/").size());
    const size_t slash = rest.find('/');
    if (slash != std::string::npos && rest.substr(slash) == "/observations") {
      return GetObservations(rest.substr(0, slash), request);
    }
    if (slash != std::string::npos && rest.substr(slash) == "/series") {
      return GetSeries(rest.substr(0, slash), request);
    }
    if (slash != std::string::npos && rest.substr(slash) == "/cleanup-tail") {
      return GetCleanupTail(rest.substr(0, slash));
    }
    return Error(404, "not_found", "no such resource: " + path);
  }
  if (path == "/metrics") {
    ServerResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = render_metrics_();
    return r;
  }
  if (path == "/healthz") return Json(200, ordered_json{{"status", "ok"}});
  if (path == "/readyz") {
    const bool ready = controller_.Ready();
    return Json(ready ? 200 : 503, ordered_json{{"ready", ready}});
  }
  return Error(404, "not_found", "no such resource: " + path);
}

std::optional<ServerResponse> ControllerApi::CheckWrite(const ServerRequest& request) const {
  if (token_.empty()) return std::nullopt;
  const std::string* auth = request.Header("Authorization");
  if (!auth || !StartsWith(*auth, "Bearer ")) {
    return Error(401, "unauthorized", "this endpoint needs 'Authorization: Bearer <token>'");
  }
  const std::string given = auth->substr(7);
  if (given.size() != token_.size() || CRYPTO_memcmp(given.data(), token_.data(), token_.size()) != 0) {
    return Error(403, "forbidden", "the bearer token is not the configured one");
  }
  return std::nullopt;
}

ServerResponse ControllerApi::PostAdmission(const ServerRequest& request) {
  if (Status deep = CheckJsonDepth(request.body, "the body"); !deep.ok()) {
    return Error(400, "bad_request", deep.message());
  }
  const json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return Error(400, "bad_request",
                 "the body must be a JSON object {\"category\", \"workers\", \"run_id\"}");
  }
  AdmissionRequest r;
  if (!body.contains("category") || !body["category"].is_string() ||
      body["category"].get<std::string>().empty()) {
    return Error(400, "bad_request", "\"category\" is required: the job category, a string");
  }
  if (!body.contains("workers") || !body["workers"].is_number_integer()) {
    return Error(400, "bad_request", "\"workers\" is required: the job's NumberOfWorkers, a whole number");
  }
  if (!body.contains("run_id") || !body["run_id"].is_string() || body["run_id"].get<std::string>().empty() ||
      body["run_id"].get<std::string>().size() > 512) {
    return Error(400, "bad_request",
                 "\"run_id\" is required: the launch's stable identity, 1-512 characters");
  }
  for (const auto& [key, value] : body.items()) {
    if (key != "category" && key != "workers" && key != "run_id" && key != "priority") {
      return Error(400, "bad_request", fmt::format("unknown field \"{}\"", key));
    }
  }
  r.category = body["category"].get<std::string>();
  const int64_t workers = body["workers"].get<int64_t>();
  if (workers < 1 || workers > 100000) return Error(400, "bad_request", "\"workers\" must be 1..100000");
  r.workers = static_cast<int>(workers);
  r.run_id = body["run_id"].get<std::string>();
  if (body.contains("priority")) {
    // An integer that does not fit int64 (or is negative past it) is stored by the parser as unsigned or
    // float: both are refused here, before any narrowing.
    const json& priority = body["priority"];
    if (!priority.is_number_integer() ||
        (priority.is_number_unsigned() && priority.get<uint64_t>() > uint64_t{kMaxPriority}) ||
        priority.get<int64_t>() < -kMaxPriority || priority.get<int64_t>() > kMaxPriority) {
      return Error(400, "bad_request",
                   fmt::format("\"priority\" must be a whole number from {} to {}", -kMaxPriority, kMaxPriority));
    }
    r.priority = static_cast<int>(priority.get<int64_t>());
  }
  Result<Decision> decision = controller_.Admit(r);
  if (!decision.ok()) return Error(503, "unavailable", decision.status().ToString());
  ServerResponse response;
  response.status = decision->outcome == Outcome::kReject ? 409 : 200;
  response.content_type = "application/json";
  response.body = DecisionJson(*decision) + "\n";
  if (decision->outcome == Outcome::kWait) {
    response.headers.push_back(
        {"Retry-After", std::to_string(std::max<int64_t>(1, decision->retry_after.count() / 1000))});
  }
  return response;
}

ServerResponse ControllerApi::DeleteAdmission(const std::string& id) {
  if (id.empty() || id.find('/') != std::string::npos)
    return Error(404, "not_found", "no reservation id given");
  const Status s = controller_.Release(id);
  if (s.code() == StatusCode::kNotFound) return Error(404, "not_found", s.message());
  if (!s.ok()) return Error(503, "unavailable", s.ToString());
  ServerResponse r;
  r.status = 204;
  return r;
}

ServerResponse ControllerApi::PostFailure(const ServerRequest& request) {
  if (Status deep = CheckJsonDepth(request.body, "the body"); !deep.ok()) {
    return Error(400, "bad_request", deep.message());
  }
  const json body = json::parse(request.body, nullptr, false);
  std::string target;
  if (!body.is_discarded() && body.is_object()) {
    if (body.contains("category") && body["category"].is_string())
      target = body["category"].get<std::string>();
    if (body.contains("subnet") && body["subnet"].is_string()) target = body["subnet"].get<std::string>();
  }
  if (target.empty())
    return Error(400, "bad_request", "the body must be {\"category\": NAME} or {\"subnet\": ID}");
  const Status s = controller_.ReportFailure(target);
  if (s.code() == StatusCode::kNotFound || s.code() == StatusCode::kInvalidArgument) {
    return Error(404, "not_found", s.message());
  }
  if (!s.ok()) return Error(503, "unavailable", s.ToString());
  return Json(202, ordered_json{{"accepted", target}});
}

ServerResponse ControllerApi::GetSubnets() {
  ordered_json subnets = ordered_json::array();
  const std::vector<FiringAlert> firing = controller_.FiringAlerts();
  for (const SubnetStatus& s : controller_.Subnets()) {
    const int capacity = s.config->cidr.UsableIps();
    ordered_json j = {{"id", s.config->id},
                      {"name", s.config->name},
                      {"cidr", s.config->cidr.ToString()},
                      {"capacity", capacity},
                      {"buffer", s.buffer_ips},
                      {"reserved", s.reserved_ips},
                      {"waiters", s.waiters},
                      {"stale", s.stale},
                      {"priority_floor_active", s.priority_floor_active},
                      {"alert_threshold", s.config->alert_threshold},
                      {"alert_clear", s.config->alert_clear}};
    if (s.cool_off_until != Time{}) j["cool_off_until"] = FormatTime(s.cool_off_until);
    if (s.poller.latest) {
      const Observation& o = *s.poller.latest;
      j["latest"] = {{"observed_at", FormatTime(o.observed_at)},
                     {"total", o.total_enis},
                     {"in_use", o.in_use},
                     {"available", o.available},
                     {"other", o.other},
                     {"free", capacity - o.total_enis},
                     {"utilisation", capacity ? static_cast<double>(o.total_enis) / capacity : 0.0}};
    }
    if (!s.poller.last_error.ok()) j["last_error"] = s.poller.last_error.ToString();
    j["observations"] = s.poller.observations;
    j["observation_failures"] = s.poller.failures;
    j["alert_firing"] = false;
    for (const FiringAlert& a : firing) {
      if (a.subnet_id == s.config->id) {
        j["alert_firing"] = true;
        j["alert_since"] = FormatTime(a.since);
      }
    }
    subnets.push_back(j);
  }
  return Json(200, ordered_json{{"subnets", subnets}});
}

ServerResponse ControllerApi::GetObservations(const std::string& subnet, const ServerRequest& request) {
  int limit = 50;
  for (const auto& [k, v] : request.query_params) {
    if (k != "limit") continue;
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n < 1 || n > 1000)
      return Error(400, "bad_request", "limit must be 1..1000");
    limit = static_cast<int>(n);
  }
  Result<std::vector<Observation>> observations = controller_.Observations(subnet, limit);
  if (observations.status().code() == StatusCode::kNotFound)
    return Error(404, "not_found", observations.status().message());
  if (!observations.ok()) return Error(503, "unavailable", observations.status().ToString());
  ordered_json list = ordered_json::array();
  for (const Observation& o : *observations) {
    list.push_back({{"observed_at", FormatTime(o.observed_at)},
                    {"total", o.total_enis},
                    {"in_use", o.in_use},
                    {"available", o.available},
                    {"other", o.other},
                    {"run_id", o.run_id},
                    {"reason", o.reason}});
  }
  return Json(200, ordered_json{{"subnet", subnet}, {"observations", list}});
}

}  // namespace glueguard
