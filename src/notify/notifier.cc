#include "notify/notifier.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace glueguard {

std::string NotificationJson(const Notification& n) {
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  for (const auto& [k, v] : n.fields) fields[k] = v;
  return nlohmann::ordered_json{{"kind", n.kind},
                                {"subject", n.subject},
                                {"message", n.message},
                                {"at", FormatTime(n.at)},
                                {"fields", fields}}
      .dump();
}

Status SnsNotifier::Notify(const Notification& n) {
  SnsPublishRequest request;
  request.topic_arn = topic_arn_;
  request.subject = n.subject.substr(0, 100);
  request.message = n.message;
  request.message_attributes = n.fields;
  request.message_attributes["kind"] = n.kind;
  Result<std::string> id = sns_.Publish(request);
  return id.ok() ? Status::Ok() : id.status().WithContext("publishing to " + topic_arn_);
}

Status WebhookNotifier::Notify(const Notification& n) {
  HttpRequest request;
  request.method = "POST";
  request.url = url_;
  request.headers = {{"Content-Type", "application/json"}};
  if (!token_.empty()) request.headers.push_back({"Authorization", "Bearer " + token_});
  request.body = NotificationJson(n);
  Result<HttpResponse> response = transport_.Send(request);
  if (!response.ok()) return response.status().WithContext("posting to " + url_);
  if (response->status < 200 || response->status > 299) {
    return Status::Unavailable(fmt::format("posting to {}: HTTP {}", url_, response->status));
  }
  return Status::Ok();
}

Status FanOutNotifier::Notify(const Notification& n) {
  Status first;
  for (const std::unique_ptr<Notifier>& notifier : notifiers_) {
    Status s = notifier->Notify(n);
    if (!s.ok() && first.ok()) first = s;
  }
  return first;
}

Status RecordingNotifier::Notify(const Notification& n) {
  MutexLock lock(mu_);
  notifications_.push_back(n);
  return Status::Ok();
}

std::vector<Notification> RecordingNotifier::notifications() const {
  MutexLock lock(mu_);
  return notifications_;
}

Result<std::unique_ptr<FanOutNotifier>> NotifiersFor(const std::string& sns_topic_arn,
                                                     const std::string& webhook_url, SnsApi* sns,
                                                     HttpTransport& transport) {
  auto fan_out = std::make_unique<FanOutNotifier>();
  if (!sns_topic_arn.empty()) {
    if (sns == nullptr)
      return Status::InvalidArgument("an SNS topic is configured but no SNS client is available");
    fan_out->Add(std::make_unique<SnsNotifier>(*sns, sns_topic_arn));
  }
  if (!webhook_url.empty()) fan_out->Add(std::make_unique<WebhookNotifier>(transport, webhook_url));
  return fan_out;
}

}  // namespace glueguard
