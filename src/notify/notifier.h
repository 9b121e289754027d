// Notifier: how glueguard tells people something happened (an alert fired or cleared, a session was ended).
// Implementations: SNS (a topic, e-mail or chat behind it), a generic webhook (JSON POST), a fan-out to
// several, and a recording fake for tests.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "net/http.h"
#include "aws/sns.h"
#include "base/mutex.h"
#include "base/status.h"
#include "base/time.h"

namespace glueguard {

struct Notification {
  std::string kind;     // "alert_firing", "alert_resolved", "session_ended", ...
  std::string subject;  // one line, at most 100 characters (SNS's limit for e-mail subjects)
  std::string message;  // what happened, why, and what to do
  Time at{};
  std::map<std::string, std::string> fields;  // machine-readable details: subnet, utilisation, ...
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Delivers one notification. Errors are the channel's (the AWS error, an HTTP failure); the caller logs and
  // counts them. Thread-safe in every implementation.
  virtual Status Notify(const Notification& n) = 0;
};

// Publishes to an SNS topic: Subject = subject, Message = message, the fields as message attributes.
class SnsNotifier final : public Notifier {
 public:
  // `sns` must outlive the notifier.
  SnsNotifier(SnsApi& sns, std::string topic_arn) : sns_(sns), topic_arn_(std::move(topic_arn)) {}
  Status Notify(const Notification& n) override;

 private:
  SnsApi& sns_;
  const std::string topic_arn_;
};

// POSTs {"kind","subject","message","at","fields"} as JSON to a URL; a non-2xx answer is an error naming the
// status. An optional bearer token is sent as Authorization.
class WebhookNotifier final : public Notifier {
 public:
  // `transport` must outlive the notifier.
  WebhookNotifier(HttpTransport& transport, std::string url, std::string bearer_token = "")
      : transport_(transport), url_(std::move(url)), token_(std::move(bearer_token)) {}
  Status Notify(const Notification& n) override;

 private:
  HttpTransport& transport_;
  const std::string url_;
  const std::string token_;
};

// Delivers to every notifier; the first error is returned after all have been tried.
class FanOutNotifier final : public Notifier {
 public:
  void Add(std::unique_ptr<Notifier> notifier) { notifiers_.push_back(std::move(notifier)); }
  bool empty() const { return notifiers_.empty(); }
  Status Notify(const Notification& n) override;

 private:
  std::vector<std::unique_ptr<Notifier>> notifiers_;  // fixed once in use
};

// Keeps every notification; for tests and the demo.
class RecordingNotifier final : public Notifier {
 public:
  Status Notify(const Notification& n) override GG_EXCLUDES(mu_);
  std::vector<Notification> notifications() const GG_EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  std::vector<Notification> notifications_ GG_GUARDED_BY(mu_);
};

// The notifiers a configuration names: SNS when `sns_topic_arn` is set (InvalidArgument if `sns` is nullptr),
// a webhook when `webhook_url` is. Empty (notifications are only logged) when neither is.
Result<std::unique_ptr<FanOutNotifier>> NotifiersFor(const std::string& sns_topic_arn,
                                                     const std::string& webhook_url, SnsApi* sns,
                                                     HttpTransport& transport);

// The JSON body WebhookNotifier sends.
std::string NotificationJson(const Notification& n);

}  // namespace glueguard
