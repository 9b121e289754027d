// The controller's HTTP API, as a pure function from a request to a response (the HttpServer calls it).
//
// Launchers:
//   POST   /v1/admissions                 {"category", "workers", "run_id", "priority"?} -> the decision:
//                                         200 admit, 200 wait (with Retry-After), 409 reject (a sensor's
//                                         response_check looks at "outcome"; a reject fails the task loudly)
//   DELETE /v1/admissions/{reservation}   204, or 404
//   POST   /v1/failures                   {"category"} or {"subnet"}: a launch failed with IP exhaustion;
//                                         202
//   POST   /v1/events                     session events, handed to the events handler; 404 when session
//                                         boundaries are not configured
// Reading:
//   GET    /v1/subnets                    every subnet: capacity, latest observation, buffer, reservations,
//                                         alert
//   GET    /v1/subnets/{id}/observations  ?limit=N (default 50, at most 1000), newest first
//   GET    /v1/subnets/{id}/series        ?range=1h|6h|24h|7d (default 1h): the ENI chart, at most 300
//                                         points (the max of each bucket), with launches and holds as marks
//   GET    /v1/summary                    ?range=...: the dashboard's numbers, per subnet and across subnets
//   GET    /metrics                       Prometheus text
//   GET    /healthz                       200 while the process serves
//   GET    /readyz                        200 when every subnet has a fresh view, else 503
//   GET    /, /assets/{file}              the dashboard page and its scripts (dashboard_assets.h)
//
// {id} is a subnet's id or name. Errors are JSON {"error": {"code", "message"}}. With a token configured,
// writes need "Authorization: Bearer <token>" (401 without it, 403 with a wrong one). Bodies are limited by
// the server.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "controller/controller.h"
#include "net/http_server.h"

namespace glueguard {

// What other components plug into the API.
struct ControllerApiHooks {
  // Dead-lettered session events; unset, or nullopt, when session boundaries are not configured.
  std::function<std::optional<int64_t>()> dead_letter_count;
  // Answers POST /v1/events once the bearer token is checked; unset: 404.
  // POST /v1/events, once the write check passed; `authenticated` is false when the API has no token.
  std::function<ServerResponse(const ServerRequest&, bool authenticated)> events_handler;
};

class ControllerApi {
 public:
  // `controller` must outlive the API. `render_metrics` produces the /metrics body.
  ControllerApi(Controller& controller, std::string token, std::function<std::string()> render_metrics,
                ControllerApiHooks hooks = {})
      : controller_(controller),
        token_(std::move(token)),
        render_metrics_(std::move(render_metrics)),
        hooks_(std::move(hooks)) {}

  // Thread-safe.
  ServerResponse Handle(const ServerRequest& request);

 private:
  ServerResponse PostAdmission(const ServerRequest& request);
  ServerResponse DeleteAdmission(const std::string& id);
  ServerResponse PostFailure(const ServerRequest& request);
  ServerResponse GetSubnets();
  ServerResponse GetObservations(const std::string& subnet, const ServerRequest& request);
  // In api_dashboard.cc.
  ServerResponse GetSeries(const std::string& subnet, const ServerRequest& request);
  ServerResponse GetSummary(const ServerRequest& request);
  ServerResponse GetCleanupTail(const std::string& subnet);
  ServerResponse PostEvents(const ServerRequest& request);
  // An error response when a write is not authorised; nullopt when it is.
  std::optional<ServerResponse> CheckWrite(const ServerRequest& request) const;

  Controller& controller_;
  const std::string token_;
  const std::function<std::string()> render_metrics_;
  const ControllerApiHooks hooks_;
};

// An API error: {"error":{"code":...,"message":...}} with `status`.
ServerResponse ApiError(int status, const std::string& code, const std::string& message);

// The JSON of a decision, as POST /v1/admissions and `glueguard admit --output json` give it.
std::string DecisionJson(const Decision& d);

// Parses DecisionJson's output back (the admit command reads the server's answer with it). InvalidArgument
// naming the problem for anything else.
Result<Decision> ParseDecisionJson(std::string_view json);

}  // namespace glueguard
