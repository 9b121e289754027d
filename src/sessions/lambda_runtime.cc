#include "sessions/lambda_runtime.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "base/strings.h"

namespace glueguard {
namespace {

// Time kept back from the deadline to answer the Runtime API.
constexpr Duration kAnswerMargin = std::chrono::milliseconds(1500);

}  // namespace

std::string HandleResultJson(const HandleResult& result) {
  nlohmann::ordered_json j;
  j["outcome"] = EventOutcomeName(result.outcome);
  j["event_id"] = result.event_id;
  if (!result.detail.empty()) j["detail"] = result.detail;
  if (result.evaluation) {
    j["session_id"] = result.evaluation->session.id;
    nlohmann::json codes = nlohmann::json::array();
    for (const Violation& v : result.evaluation->violations) codes.push_back(v.code);
    j["violations"] = codes;
  }
  j["ended"] = result.ended;
  j["notified"] = result.notified;
  j["attempts"] = result.attempts;
  if (result.dead_letter_id != 0) j["dead_letter_id"] = result.dead_letter_id;
  return j.dump();
}

Status LambdaRuntime::RunOnce() {
  HttpRequest next;
  next.method = "GET";
  next.url = base_ + "/invocation/next";
  next.timeout = Duration::zero();  // blocks until there is an invocation
  Result<HttpResponse> invocation = transport_.Send(next);
  if (!invocation.ok()) return invocation.status().WithContext("Runtime API invocation/next");
  if (invocation->status != 200) {
    return Status::Unavailable(
        fmt::format("Runtime API invocation/next answered {}: {}", invocation->status, invocation->body));
  }
  const std::string* request_id = FindHeader(invocation->headers, "Lambda-Runtime-Aws-Request-Id");
  if (request_id == nullptr || request_id->empty()) {
    return Status::Unavailable("Runtime API invocation/next sent no Lambda-Runtime-Aws-Request-Id");
  }
  HandleOptions options;
  options.source = "lambda";
  if (const std::string* deadline = FindHeader(invocation->headers, "Lambda-Runtime-Deadline-Ms")) {
    if (const std::optional<int64_t> ms = ParseWholeNumber<int64_t>(*deadline)) {
      options.deadline = FromUnixMillis(*ms) - kAnswerMargin;
    }
  }
  Result<HandleResult> handled = handler_.Handle(invocation->body, options);

  HttpRequest answer;
  answer.method = "POST";
  answer.headers.push_back({"Content-Type", "application/json"});
  if (handled.ok() && (handled->outcome != EventOutcome::kDeadLettered || durable_dead_letters_)) {
    answer.url = base_ + "/invocation/" + *request_id + "/response";
    answer.body = HandleResultJson(*handled);
  } else {
    // Not handled: an error makes Lambda retry the event and, after its retries, keep it in the function's
    // dead-letter queue (the local dead letter, if any, dies with the sandbox).
    const std::string message = handled.ok() ? handled->detail : handled.status().message();
    answer.url = base_ + "/invocation/" + *request_id + "/error";
    answer.headers.push_back({"Lambda-Runtime-Function-Error-Type", "Unhandled"});
    nlohmann::ordered_json error;
    error["errorMessage"] = message;
    error["errorType"] = handled.ok() ? "SessionEventDeadLettered" : "SessionStoreUnavailable";
    error["stackTrace"] = nlohmann::json::array();
    answer.body = error.dump();
    if (log_) log_(fmt::format("invocation {} failed: {}", *request_id, message));
  }
  Result<HttpResponse> sent = transport_.Send(answer);
  if (!sent.ok()) return sent.status().WithContext("Runtime API answer");
  if (sent->status != 202) {
    return Status::Unavailable(
        fmt::format("Runtime API refused the answer ({}): {}", sent->status, sent->body));
  }
  return Status::Ok();
}

Status LambdaRuntime::Run() {
  while (true) {
    Status s = RunOnce();
    if (!s.ok()) return s;
  }
}

Status ReportLambdaInitError(HttpTransport& transport, const std::string& api, const std::string& type,
                             const std::string& message) {
  HttpRequest request;
  request.method = "POST";
  request.url = "http://" + api + "/2018-06-01/runtime/init/error";
  request.headers.push_back({"Content-Type", "application/json"});
  request.headers.push_back({"Lambda-Runtime-Function-Error-Type", type});
  nlohmann::ordered_json error;
  error["errorMessage"] = message;
  error["errorType"] = type;
  error["stackTrace"] = nlohmann::json::array();
  request.body = error.dump();
  Result<HttpResponse> sent = transport.Send(request);
  if (!sent.ok()) return sent.status();
  return Status::Ok();
}

}  // namespace glueguard
