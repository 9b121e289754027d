#include "controller/server.h"

#include <fmt/format.h>

#include <algorithm>

#include "policy/event.h"

namespace glueguard {
namespace {

// Forwards to a notifier the server does not own.
class BorrowedNotifier final : public Notifier {
 public:
  explicit BorrowedNotifier(Notifier& target) : target_(target) {}
  Status Notify(const Notification& n) override { return target_.Notify(n); }

 private:
  Notifier& target_;
};

}  // namespace

Result<std::unique_ptr<ControllerServer>> ControllerServer::Start(ControllerServerDeps deps,
                                                                  ControllerServerOptions options) {
  std::unique_ptr<ControllerServer> s(new ControllerServer());
  const NotifyConfig& notify = deps.config.notify;
  if (!notify.sns_topic_arn.empty()) {
    if (!deps.sns)
      return Status::InvalidArgument("notify.sns_topic_arn is set but no SNS client is available");
    s->notifier_.Add(std::make_unique<SnsNotifier>(*deps.sns, notify.sns_topic_arn));
  }
  if (!notify.webhook_url.empty()) {
    s->notifier_.Add(std::make_unique<WebhookNotifier>(deps.webhook_transport, notify.webhook_url));
  }
  if (deps.extra_notifier) s->notifier_.Add(std::make_unique<BorrowedNotifier>(*deps.extra_notifier));
  Result<std::unique_ptr<Controller>> controller =
      Controller::Create(ControllerDeps{deps.config, deps.store, deps.ec2, s->notifier_, deps.clock,
                                        deps.random, deps.metrics, deps.lease, deps.replica_id, deps.log});
  if (!controller.ok()) return controller.status();
  s->controller_ = std::move(*controller);
  MetricsRegistry& metrics = deps.metrics;
  ControllerApiHooks hooks;
  hooks.dead_letter_count = deps.dead_letter_count;
  hooks.events_handler = deps.events_handler;
  s->api_ = std::make_unique<ControllerApi>(
      *s->controller_, deps.config.server.token, [&metrics] { return RenderPrometheusText(metrics); },
      std::move(hooks));
  ServerOptions server;
  server.host = options.host;
  server.port = options.port;
  // Bodies: admissions and failures are a few hundred bytes (server.max_body_bytes caps them); session
  // events may be as large as EventBridge delivers; reads carry none.
  const size_t max_body = deps.config.server.max_body_bytes;
  server.max_body_bytes = max_body;
  server.body_limit = [max_body](std::string_view method, std::string_view path) -> size_t {
    if (path == "/v1/events") return std::max(max_body, kMaxSessionEventBytes);
    if (method == "GET" || method == "HEAD") return 0;
    return max_body;
  };
  server.threads = 16;
  server.error_log = deps.log;
  ControllerApi* api = s->api_.get();
  Result<std::unique_ptr<HttpServer>> http =
      HttpServer::Start(server, [api](const ServerRequest& r) { return api->Handle(r); });
  if (!http.ok()) return http.status();
  s->http_ = std::move(*http);
  if (options.run_ticker) {
    s->ticker_ = std::make_unique<PeriodicWorker>(options.tick_every,
                                                  [ticked = s->controller_.get()] { ticked->Tick(); });
  }
  return s;
}

ControllerServer::~ControllerServer() { Stop(); }

void ControllerServer::Stop() {
  if (http_) http_->Stop();
  if (ticker_) ticker_->Stop();
}

std::string ControllerServer::url() const {
  return fmt::format("http://{}:{}", http_->host(), http_->port());
}

}  // namespace glueguard
