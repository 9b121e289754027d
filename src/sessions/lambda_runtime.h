// LambdaRuntime: glueguard as an AWS Lambda function on a custom runtime (provided.al2023, started by the
// package's `bootstrap`, scripts/lambda-zip). The Runtime API loop: GET .../runtime/invocation/next for an
// event, handle it, then POST .../invocation/{id}/response with the outcome as JSON — or
// .../invocation/{id}/error when the event could not be handled, so that Lambda's own retries and the
// function's dead-letter queue keep it. Handling never runs past the invocation's deadline
// (Lambda-Runtime-Deadline-Ms, less a margin to answer in).
#pragma once

#include <string>

#include "base/log.h"
#include "net/http.h"
#include "sessions/handler.h"

namespace glueguard {

class LambdaRuntime {
 public:
  // `api` is AWS_LAMBDA_RUNTIME_API (host:port). Every dependency must outlive the runtime.
  // `durable_dead_letters`: the handler parks failures somewhere that outlives the sandbox (an SQS queue);
  // then a dead-lettered event is answered as handled, not as an error for Lambda to retry.
  LambdaRuntime(HttpTransport& transport, std::string api, SessionEventHandler& handler, Clock& clock,
                Log log = {}, bool durable_dead_letters = false)
      : transport_(transport),
        base_("http://" + api + "/2018-06-01/runtime"),
        handler_(handler),
        clock_(clock),
        log_(std::move(log)),
        durable_dead_letters_(durable_dead_letters) {}

  // Takes one invocation and answers it. Errors: the Runtime API could not be reached or refused the answer.
  Status RunOnce();
  // Runs invocations until the Runtime API fails (as Lambda's own runtimes do: the sandbox is then ended).
  Status Run();

 private:
  HttpTransport& transport_;
  const std::string base_;
  SessionEventHandler& handler_;
  Clock& clock_;
  Log log_;
  const bool durable_dead_letters_;
};

// Reports an initialisation error (a configuration that does not load) through the Runtime API at `api`
// (.../runtime/init/error), so Lambda shows why the function could not start.
Status ReportLambdaInitError(HttpTransport& transport, const std::string& api, const std::string& type,
                             const std::string& message);

// The JSON answer for an invocation: {"outcome", "event_id", "detail"?, "session_id"?, "violations"?:
// [codes], "ended", "notified", "attempts", "dead_letter_id"?}.
std::string HandleResultJson(const HandleResult& result);

}  // namespace glueguard
