#include "notify/notifier.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "net/curl_transport.h"
#include "testing/loopback_server.h"

namespace glueguard {
namespace {

Notification Sample() {
  Notification n;
  n.kind = "alert_firing";
  n.subject = "glueguard: subnet a at 81% of its IPs";
  n.message = "what happened and what to do";
  n.at = FromUnixMillis(1'767'225'600'000);
  n.fields = {{"subnet", "subnet-1"}, {"utilisation", "0.814"}};
  return n;
}

class FakeSns final : public SnsApi {
 public:
  Result<std::string> Publish(const SnsPublishRequest& request) override {
    requests.push_back(request);
    if (fail) return Status::NotFound("Topic does not exist").WithReason("NotFound");
    return std::string("msg-1");
  }
  std::vector<SnsPublishRequest> requests;
  bool fail = false;
};

TEST(SnsNotifier, PublishesSubjectMessageAndFieldsAsAttributes) {
  FakeSns sns;
  SnsNotifier notifier(sns, "arn:aws:sns:us-east-1:123456789012:alerts");
  ASSERT_TRUE(notifier.Notify(Sample()).ok());
  ASSERT_EQ(sns.requests.size(), 1u);
  EXPECT_EQ(sns.requests[0].topic_arn, "arn:aws:sns:us-east-1:123456789012:alerts");
  EXPECT_EQ(*sns.requests[0].subject, "glueguard: subnet a at 81% of its IPs");
  EXPECT_EQ(sns.requests[0].message_attributes.at("subnet"), "subnet-1");
  EXPECT_EQ(sns.requests[0].message_attributes.at("kind"), "alert_firing");
  sns.fail = true;
  const Status failed = notifier.Notify(Sample());
  EXPECT_EQ(failed.reason(), "NotFound");
  EXPECT_NE(failed.message().find("alerts"), std::string::npos) << failed.message();
}

TEST(WebhookNotifier, PostsTheNotificationAsJsonWithTheToken) {
  testing::LoopbackServer server;
  std::string body, auth;
  server.server().Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    body = req.body;
    auth = req.get_header_value("Authorization");
    res.status = 204;
  });
  server.server().Post("/broken", [](const httplib::Request&, httplib::Response& res) { res.status = 500; });
  CurlTransport transport;
  WebhookNotifier notifier(transport, server.Url("/hook"), "t0ken");
  ASSERT_TRUE(notifier.Notify(Sample()).ok());
  const nlohmann::json j = nlohmann::json::parse(body);
  EXPECT_EQ(j["kind"], "alert_firing");
  EXPECT_EQ(j["fields"]["utilisation"], "0.814");
  EXPECT_EQ(j["at"], "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(auth, "Bearer t0ken");
  WebhookNotifier broken(transport, server.Url("/broken"));
  const Status s = broken.Notify(Sample());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("HTTP 500"), std::string::npos) << s.message();
}

TEST(FanOutNotifier, TriesEveryNotifierAndReturnsTheFirstError) {
  FakeSns failing;
  failing.fail = true;
  auto recording = std::make_unique<RecordingNotifier>();
  RecordingNotifier* seen = recording.get();
  FanOutNotifier fan;
  fan.Add(std::make_unique<SnsNotifier>(failing, "arn:aws:sns:us-east-1:1:t"));
  fan.Add(std::move(recording));
  EXPECT_FALSE(fan.Notify(Sample()).ok());
  EXPECT_EQ(seen->notifications().size(), 1u);
}

}  // namespace
}  // namespace glueguard
