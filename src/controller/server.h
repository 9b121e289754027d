// ControllerServer: the running `glueguard serve`: the Controller, its HTTP API (and the dashboard at `/`)
// on an HttpServer, the notifiers the configuration names, the metrics registry, and a ticker thread that
// calls Controller::Tick about once a second. Stop() (or the destructor) stops accepting requests, lets those
// in progress finish, and joins the ticker: every decision already answered was committed to the store before
// its answer was sent, so nothing is lost on SIGTERM.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "base/periodic_worker.h"
#include "controller/api.h"
#include "controller/controller.h"
#include "metrics/metrics.h"
#include "net/http_server.h"
#include "notify/notifier.h"

namespace glueguard {

struct ControllerServerDeps {
  const Config& config;
  ObservationStore& store;
  Ec2Api& ec2;
  SnsApi* sns = nullptr;             // for notify.sns_topic_arn; nullptr = SNS not available
  HttpTransport& webhook_transport;  // for notify.webhook_url
  Clock& clock;
  Random& random;
  MetricsRegistry& metrics;
  Notifier* extra_notifier = nullptr;  // also told everything (the demo prints alerts); may be nullptr
  // Dead-lettered session events, shown on the dashboard; unset (or nullopt) = session boundaries are not
  // configured. Called from the API's threads.
  std::function<std::optional<int64_t>()> dead_letter_count = nullptr;
  // Answers POST /v1/events after the bearer-token check; unset: 404 "session boundaries are not
  // configured". Called from the API's threads.
  std::function<ServerResponse(const ServerRequest&, bool authenticated)> events_handler = nullptr;
  PollerLease* lease = nullptr;  // ControllerDeps::lease
  std::string replica_id = {};   // ControllerDeps::replica_id
  Log log = Log::Stderr();       // the controller's problems and the server's handler exceptions
};

struct ControllerServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;         // 0 = any free port
  bool run_ticker = true;  // false: the owner calls controller().Tick() (tests)
  Duration tick_every = std::chrono::seconds(1);
};

class ControllerServer {
 public:
  // Builds the controller (loading the store's state), starts the API and the ticker. Errors: the
  // controller's, the server's (port in use), InvalidArgument for a notify section that needs what is not
  // given.
  static Result<std::unique_ptr<ControllerServer>> Start(ControllerServerDeps deps,
                                                         ControllerServerOptions options);
  ~ControllerServer();

  void Stop();
  int port() const { return http_->port(); }
  std::string url() const;
  Controller& controller() { return *controller_; }

 private:
  ControllerServer() = default;

  FanOutNotifier notifier_;
  std::unique_ptr<Controller> controller_;
  std::unique_ptr<ControllerApi> api_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<PeriodicWorker> ticker_;
};

}  // namespace glueguard
