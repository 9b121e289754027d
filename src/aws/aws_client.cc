#include "aws/aws_client.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "base/json_limits.h"
#include "aws/sigv4.h"

namespace glueguard {

namespace {

constexpr const char* kUserAgent = "glueguard/" GLUEGUARD_VERSION;

std::string Snippet(std::string_view body) {
  std::string out(body.substr(0, 200));
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

AwsErrorFields ParseAwsError(AwsProtocol protocol, const HttpResponse& response) {
  AwsErrorFields fields;
  if (const std::string* id = FindHeader(response.headers, "x-amzn-RequestId")) fields.request_id = *id;
  if (fields.request_id.empty()) {
    if (const std::string* id = FindHeader(response.headers, "x-amz-request-id")) fields.request_id = *id;
  }
  if (protocol == AwsProtocol::kJson) {
    if (const std::string* query_error = FindHeader(response.headers, "x-amzn-query-error")) {
      fields.code = query_error->substr(0, query_error->find(';'));
    }
    const nlohmann::json body = CheckJsonDepth(response.body, "the error reply").ok()
                                    ? nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false)
                                    : nlohmann::json();
    if (body.is_object()) {
      if (fields.code.empty()) {
        for (const char* key : {"__type", "code"}) {
          auto it = body.find(key);
          if (it != body.end() && it->is_string()) {
            const std::string type = it->get<std::string>();
            fields.code = type.substr(type.rfind('#') == std::string::npos ? 0 : type.rfind('#') + 1);
            break;
          }
        }
      }
      for (const char* key : {"message", "Message", "errorMessage"}) {
        auto it = body.find(key);
        if (it != body.end() && it->is_string()) {
          fields.message = it->get<std::string>();
          break;
        }
      }
    }
  } else {
    pugi::xml_document doc;
    if (doc.load_buffer(response.body.data(), response.body.size())) {
      // EC2: <Response><Errors><Error>...</Error></Errors><RequestID>; query: <ErrorResponse><Error>...<RequestId>.
      pugi::xml_node root = doc.document_element();
      pugi::xml_node error = root.child("Errors").child("Error");
      if (!error) error = root.child("Error");
      if (error) {
        fields.code = error.child_value("Code");
        fields.message = error.child_value("Message");
      }
      for (const char* key : {"RequestID", "RequestId", "requestId"}) {
        if (root.child(key)) fields.request_id = root.child_value(key);
      }
    }
  }
  if (fields.code.empty()) {
    fields.code = fmt::format("HTTP{}", response.status);
    if (fields.message.empty()) fields.message = Snippet(response.body);
  }
  return fields;
}

Status MakeAwsError(std::string_view service, std::string_view operation, int http_status, const std::string& code,
                    const std::string& message, const std::string& request_id) {
  std::string text = fmt::format("{} {}: {}", service, operation, code);
  if (!message.empty()) text += ": " + message;
  if (http_status > 0) text += fmt::format(" (HTTP {}", http_status);
  if (!request_id.empty()) text += (http_status > 0 ? ", request id " : " (request id ") + request_id;
  if (http_status > 0 || !request_id.empty()) text += ")";
  StatusCode status_code = StatusCode::kInvalidArgument;
  if (IsThrottlingCode(code) || http_status >= 500 || http_status == 429 || code == "ConnectionError") {
    status_code = StatusCode::kUnavailable;
  } else if (code == "Timeout") {
    status_code = StatusCode::kDeadlineExceeded;
  } else if (Contains(code, "NotFound") || Contains(code, "NoSuchEntity") || code == "QueueDoesNotExist" ||
             code == "AWS.SimpleQueueService.NonExistentQueue") {
    status_code = StatusCode::kNotFound;
  } else if (http_status == 403 || Contains(code, "AccessDenied") || code == "UnauthorizedOperation" ||
             code == "InvalidClientTokenId" || code == "SignatureDoesNotMatch" || code == "ExpiredToken" ||
             code == "AuthFailure") {
    status_code = StatusCode::kPermissionDenied;
  } else if (code == "ConditionalCheckFailedException" || code == "ConcurrentModificationException" ||
             code == "TransactionConflictException" || code == "IllegalSessionStateException" ||
             code == "InvalidNetworkInterface.InUse") {
    status_code = StatusCode::kFailedPrecondition;
  }
  return Status(status_code, text).WithReason(code);
}

AwsClient::AwsClient(HttpTransport& transport, CredentialsProvider& credentials, const AwsEnvironment& environment,
                     Clock& clock, Random& random, Sleeper& sleeper)
    : transport_(transport),
      credentials_(credentials),
      environment_(environment),
      clock_(clock),
      random_(random),
      sleeper_(sleeper) {}

Result<AwsResponse> AwsClient::Query(const ServiceInfo& service, std::string_view action, const QueryParams& params,
                                     const AwsCallOptions& options) {
  QueryParams all;
  all.reserve(params.size() + 2);
  all.emplace_back("Action", std::string(action));
  all.emplace_back("Version", service.api_version);
  all.insert(all.end(), params.begin(), params.end());
  return Call(service, action, "application/x-www-form-urlencoded; charset=utf-8", "", FormEncode(all), options);
}

Result<AwsResponse> AwsClient::Json(const ServiceInfo& service, std::string_view operation, std::string json_body,
                                    const AwsCallOptions& options) {
  return Call(service, operation, std::string("application/x-amz-json-") + service.json_version,
              fmt::format("{}.{}", service.target_prefix, operation), std::move(json_body), options);
}

Result<AwsResponse> AwsClient::Call(const ServiceInfo& service, std::string_view operation,
                                    const std::string& content_type, const std::string& target, std::string body,
                                    const AwsCallOptions& options) {
  const Time started = clock_.Now();
  AwsCallRecord record;
  record.service = service.id;
  record.operation = operation;
  auto finish = [&](Result<AwsResponse> result) {
    record.latency = clock_.Now() - started;
    if (observer_) {
      const Status status = result.ok() ? Status::Ok() : result.status();
      record.status = &status;
      observer_(record);
    }
    return result;
  };

  Result<Url> endpoint = environment_.Endpoint(service);
  if (!endpoint.ok()) return finish(endpoint.status().WithContext(fmt::format("{} {}", service.id, operation)));
  const std::string region = environment_.SigningRegion(service);

  int retry_cost_paid = 0;
  const int max_attempts = environment_.max_attempts();
  for (int attempt = 1;; ++attempt) {
    record.attempts = attempt;
    HttpRequest request;
    request.method = "POST";
    request.url = endpoint->Origin() + endpoint->path + (endpoint->query.empty() ? "" : "?" + endpoint->query);
    request.timeout = options.timeout;
    request.body = body;
    request.headers = {{"Host", endpoint->Authority()}, {"Content-Type", content_type}};
    if (!target.empty()) request.headers.push_back({"X-Amz-Target", target});
    if (options.sign) {
      Result<Credentials> credentials = credentials_.Get();
      if (!credentials.ok()) {
        return finish(credentials.status().WithContext(fmt::format("{} {}: no credentials", service.id, operation)));
      }
      SigningRequest to_sign{"POST", endpoint->Authority(), endpoint->path, endpoint->query, request.headers, body};
      SigningResult signature = SignV4(to_sign, *credentials, region, service.signing_name, clock_.Now());
      for (HttpHeader& h : signature.headers_to_add) request.headers.push_back(std::move(h));
    }
    request.headers.push_back({"User-Agent", kUserAgent});

    Result<HttpResponse> response = transport_.Send(request);
    std::string code;
    int http_status = 0;
    Status failure;
    if (!response.ok()) {
      code = response.status().reason().empty() ? "ConnectionError" : response.status().reason();
      failure = MakeAwsError(service.id, operation, 0, code, response.status().message(), "");
    } else if (response->status >= 200 && response->status < 300) {
      quota_.Release(retry_cost_paid);
      AwsResponse out;
      out.status = response->status;
      out.headers = std::move(response->headers);
      out.body = std::move(response->body);
      if (const std::string* id = FindHeader(out.headers, "x-amzn-RequestId")) out.request_id = *id;
      return finish(std::move(out));
    } else {
      http_status = response->status;
      const AwsErrorFields fields = ParseAwsError(service.protocol, *response);
      code = fields.code;
      failure = MakeAwsError(service.id, operation, http_status, fields.code, fields.message, fields.request_id);
    }
    const RetryKind kind = ClassifyFailure(code, http_status);
    if (kind == RetryKind::kThrottling) ++record.throttled;
    if (kind == RetryKind::kNone || attempt >= max_attempts) {
      if (kind != RetryKind::kNone && attempt > 1) {
        return finish(failure.WithContext(fmt::format("after {} attempts", attempt)));
      }
      return finish(failure);
    }
    if (!quota_.Acquire(kind)) {
      return finish(failure.WithContext("retry quota exhausted, not retried"));
    }
    retry_cost_paid += kind == RetryKind::kTimeout ? RetryQuota::kTimeoutCost : RetryQuota::kRetryCost;
    sleeper_.Sleep(Backoff(attempt, random_));
  }
}

}  // namespace glueguard
