#include "simcloud/faults.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "base/json_limits.h"

namespace glueguard {

namespace {

Status CheckRate(std::string_view service, std::string_view field, double rate) {
  if (std::isnan(rate) || rate < 0 || rate > 1) {
    return Status::InvalidArgument(
        fmt::format("faults for {}: {} must be between 0 and 1, not {}", service, field, rate));
  }
  return Status::Ok();
}

}  // namespace

AwsError ThrottlingError(std::string_view service) {
  if (service == "ec2") return {503, "RequestLimitExceeded", "Request limit exceeded.", true};
  if (service == "glue") return {400, "ThrottlingException", "Rate exceeded", true};
  if (service == "sqs") return {403, "RequestThrottled", "Request is throttled.", true};
  return {400, "Throttling", "Rate exceeded", true};  // SNS, STS
}

AwsError ServerError(std::string_view service, bool ec2_unavailable) {
  if (service == "ec2") {
    if (ec2_unavailable)
      return {503, "Unavailable", "The server is overloaded and can't handle the request.", false};
    return {500, "InternalError", "An internal error has occurred.", false};
  }
  if (service == "glue")
    return {500, "InternalServiceException", "An internal service error occurred.", false};
  return {500, "InternalFailure",
          "The request processing has failed because of an unknown error, exception or failure.", false};
}

Status ValidateFaultRates(std::string_view service, const FaultRates& rates) {
  if (service != kAllServices && FindWireService(service) == nullptr) {
    return Status::InvalidArgument(
        fmt::format("faults: unknown service '{}' (expected ec2, glue, sns, sqs, sts or all)", service));
  }
  GG_RETURN_IF_ERROR(CheckRate(service, "throttle_rate", rates.throttle_rate));
  GG_RETURN_IF_ERROR(CheckRate(service, "server_error_rate", rates.server_error_rate));
  GG_RETURN_IF_ERROR(CheckRate(service, "drop_rate", rates.drop_rate));
  const double sum = rates.throttle_rate + rates.server_error_rate + rates.drop_rate;
  if (sum > 1 + 1e-9) {
    return Status::InvalidArgument(
        fmt::format("faults for {}: throttle_rate + server_error_rate + drop_rate must be at most 1, not {}",
                    service, sum));
  }
  if (rates.latency < Duration(0)) {
    return Status::InvalidArgument(
        fmt::format("faults for {}: latency must not be negative, not {}ms", service, rates.latency.count()));
  }
  return Status::Ok();
}

Status FaultInjector::Set(std::string_view service, const FaultRates& rates) {
  GG_RETURN_IF_ERROR(ValidateFaultRates(service, rates));
  MutexLock lock(mu_);
  rates_[std::string(service)] = rates;
  return Status::Ok();
}

Status FaultInjector::Replace(const std::map<std::string, FaultRates>& config) {
  for (const auto& [service, rates] : config) GG_RETURN_IF_ERROR(ValidateFaultRates(service, rates));
  MutexLock lock(mu_);
  rates_ = {config.begin(), config.end()};
  return Status::Ok();
}

void FaultInjector::Clear() {
  MutexLock lock(mu_);
  rates_.clear();
}

FaultRates FaultInjector::RatesFor(std::string_view service) const {
  MutexLock lock(mu_);
  auto it = rates_.find(service);
  if (it == rates_.end()) it = rates_.find(kAllServices);
  return it == rates_.end() ? FaultRates{} : it->second;
}

std::map<std::string, FaultRates> FaultInjector::Configured() const {
  MutexLock lock(mu_);
  return {rates_.begin(), rates_.end()};
}

FaultDecision FaultInjector::Apply(std::string_view service) {
  const FaultRates rates = RatesFor(service);
  if (rates.latency > Duration(0)) sleeper_.Sleep(rates.latency);
  FaultDecision decision;
  const double faulty = rates.throttle_rate + rates.server_error_rate + rates.drop_rate;
  if (faulty > 0) {
    // Draw only when a fault is possible, so a fault-free run leaves the random sequence to others.
    const double u = random_.Uniform();
    if (u < rates.throttle_rate) {
      decision.action = FaultAction::kThrottle;
      decision.error = ThrottlingError(service);
    } else if (u < rates.throttle_rate + rates.server_error_rate) {
      decision.action = FaultAction::kServerError;
      decision.error = ServerError(service, service == "ec2" && random_.Uniform() < 0.5);
    } else if (u < faulty) {
      decision.action = FaultAction::kDrop;
    }
  }
  MutexLock lock(mu_);
  FaultCounters& counters = counters_[std::string(service)];
  ++counters.calls;
  if (rates.latency > Duration(0)) ++counters.delayed;
  if (decision.action == FaultAction::kThrottle) ++counters.throttled;
  if (decision.action == FaultAction::kServerError) ++counters.server_errors;
  if (decision.action == FaultAction::kDrop) ++counters.dropped;
  return decision;
}

std::map<std::string, FaultCounters> FaultInjector::counters() const {
  MutexLock lock(mu_);
  return {counters_.begin(), counters_.end()};
}

Result<std::map<std::string, FaultRates>> ParseFaultConfig(std::string_view json) {
  GG_RETURN_IF_ERROR(CheckJsonDepth(json, "faults"));
  const nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("faults: the body is not valid JSON");
  if (!doc.is_object()) return Status::InvalidArgument("faults: expected a JSON object of services");
  std::map<std::string, FaultRates> out;
  for (const auto& [service, fields] : doc.items()) {
    if (!fields.is_object()) {
      return Status::InvalidArgument(fmt::format("faults for {}: expected an object of rates", service));
    }
    FaultRates rates;
    for (const auto& [name, value] : fields.items()) {
      if (!value.is_number()) {
        return Status::InvalidArgument(fmt::format("faults for {}: {} must be a number", service, name));
      }
      if (name == "throttle_rate") {
        rates.throttle_rate = value.get<double>();
      } else if (name == "server_error_rate") {
        rates.server_error_rate = value.get<double>();
      } else if (name == "drop_rate") {
        rates.drop_rate = value.get<double>();
      } else if (name == "latency_ms") {
        rates.latency = Duration(static_cast<int64_t>(value.get<double>()));
      } else {
        return Status::InvalidArgument(
            fmt::format("faults for {}: unknown field '{}' (expected throttle_rate, server_error_rate, "
                        "drop_rate, latency_ms)",
                        service, name));
      }
    }
    out[service] = rates;
  }
  return out;
}

std::string FaultConfigToJson(const std::map<std::string, FaultRates>& config) {
  nlohmann::json doc = nlohmann::json::object();
  for (const auto& [service, rates] : config) {
    doc[service] = {{"throttle_rate", rates.throttle_rate},
                    {"server_error_rate", rates.server_error_rate},
                    {"drop_rate", rates.drop_rate},
                    {"latency_ms", rates.latency.count()}};
  }
  return doc.dump();
}

std::string FaultCountersToJson(const std::map<std::string, FaultCounters>& counters) {
  nlohmann::json doc = nlohmann::json::object();
  for (const auto& [service, c] : counters) {
    doc[service] = {{"calls", c.calls},
                    {"throttled", c.throttled},
                    {"server_errors", c.server_errors},
                    {"dropped", c.dropped},
                    {"delayed", c.delayed}};
  }
  return doc.dump();
}

}  // namespace glueguard
