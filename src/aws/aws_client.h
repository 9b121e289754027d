// AwsClient: one signed, retried AWS call over an HttpTransport. Protocol-level only: operations (ec2.h,
// glue.h, ...) build the parameters and parse the replies.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/credentials.h"
#include "aws/environment.h"
#include "net/http.h"
#include "aws/retry.h"
#include "aws/service.h"
#include "base/clock.h"
#include "base/random.h"

namespace glueguard {

struct AwsResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
  std::string request_id;
};

struct AwsCallOptions {
  bool sign = true;  // false for the few unsigned calls (STS AssumeRoleWithWebIdentity)
  Duration timeout = std::chrono::seconds(30);
};

// What one call did, for metrics: reported once per call after its last attempt.
struct AwsCallRecord {
  std::string_view service;    // the service id, "EC2"
  std::string_view operation;  // "DescribeNetworkInterfaces"
  int attempts = 0;
  int throttled = 0;           // attempts that were throttled
  Duration latency{0};         // first attempt to last response, backoff included
  const Status* status = nullptr;  // the outcome
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

class AwsClient {
 public:
  // Every reference must outlive the client.
  AwsClient(HttpTransport& transport, CredentialsProvider& credentials, const AwsEnvironment& environment,
            Clock& clock, Random& random, Sleeper& sleeper);

  // A query- or EC2-protocol call: POSTs Action, Version and `params` as a form to the service's endpoint.
  // Returns the successful reply. Errors carry the AWS error code as reason() and the code, message and request
  // id in the message; see MakeAwsError for the status codes.
  Result<AwsResponse> Query(const ServiceInfo& service, std::string_view action, const QueryParams& params,
                            const AwsCallOptions& options = {});
  // A JSON-protocol call: POSTs `json_body` with X-Amz-Target <prefix>.<operation>.
  Result<AwsResponse> Json(const ServiceInfo& service, std::string_view operation, std::string json_body,
                           const AwsCallOptions& options = {});

  // Called after every call (from the calling thread). Set once, before the client is shared.
  void set_observer(std::function<void(const AwsCallRecord&)> observer) { observer_ = std::move(observer); }

  const AwsEnvironment& environment() const { return environment_; }

 private:
  Result<AwsResponse> Call(const ServiceInfo& service, std::string_view operation, const std::string& content_type,
                           const std::string& target, std::string body, const AwsCallOptions& options);

  HttpTransport& transport_;
  CredentialsProvider& credentials_;
  const AwsEnvironment& environment_;
  Clock& clock_;
  Random& random_;
  Sleeper& sleeper_;
  RetryQuota quota_;
  std::function<void(const AwsCallRecord&)> observer_;
};

// The Status for an AWS error reply: reason() is the AWS code. Codes: Unavailable for throttling and 5xx,
// NotFound for *NotFound* codes, PermissionDenied for 403 and AccessDenied*/UnauthorizedOperation,
// FailedPrecondition for conditional-check and concurrent-modification failures, InvalidArgument otherwise.
Status MakeAwsError(std::string_view service, std::string_view operation, int http_status, const std::string& code,
                    const std::string& message, const std::string& request_id);

// Extracts code, message and request id from an error reply of `protocol`. A body that is not a recognisable
// error gives the code "HTTP<status>" and the start of the body as message.
struct AwsErrorFields {
  std::string code;
  std::string message;
  std::string request_id;
};
AwsErrorFields ParseAwsError(AwsProtocol protocol, const HttpResponse& response);

}  // namespace glueguard
