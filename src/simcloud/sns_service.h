// simcloud's SNS: topics and a record of every message published to them, behind the query protocol
// (aws-protocol-facts §2.5). Operations: Publish, CreateTopic, ListTopics. Nothing is delivered to
// subscribers; the inspection endpoint reads what was published.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/mutex.h"
#include "base/random.h"
#include "base/status.h"
#include "simcloud/wire.h"

namespace glueguard {

struct SnsServiceOptions {
  std::string account_id = "123456789012";  // the account in the ARNs CreateTopic makes
  std::string region = "us-east-1";         // their region when the caller's is unknown
  std::vector<std::string> topic_arns;      // topics that exist from the start
};

// One Publish, as recorded.
struct SnsPublished {
  std::string message_id;
  std::string topic_arn;
  std::string subject;  // empty when none was sent
  std::string message;
  std::map<std::string, MessageAttributeValue> attributes;
  Time published{};
  std::string publisher;  // the caller's access key id
};

// Thread-safe.
class SnsService final : public ServiceHandler {
 public:
  // `clock` (publish times) and `random` (message ids) must outlive the service.
  SnsService(Clock& clock, Random& random, SnsServiceOptions options = {});

  bool Handles(std::string_view operation) const override;
  // Errors as SNS answers them: NotFound (404, "Topic does not exist") for an unknown topic, InvalidParameter
  // (400) for a missing or empty message, a subject over 100 characters, a bad topic name.
  ServerResponse Handle(const AwsCall& call) override;

  // Adds a topic; Ok when it exists. InvalidArgument for something that is not an SNS topic ARN.
  Status AddTopic(const std::string& topic_arn) GG_EXCLUDES(mu_);
  std::vector<std::string> Topics() const GG_EXCLUDES(mu_);
  // Every message published since the start, oldest first.
  std::vector<SnsPublished> Published() const GG_EXCLUDES(mu_);

 private:
  ServerResponse Publish(const AwsCall& call) GG_EXCLUDES(mu_);
  ServerResponse CreateTopic(const AwsCall& call) GG_EXCLUDES(mu_);
  ServerResponse ListTopics(const AwsCall& call) GG_EXCLUDES(mu_);

  Clock& clock_;
  Random& random_;
  const SnsServiceOptions options_;
  mutable Mutex mu_;
  std::set<std::string> topics_ GG_GUARDED_BY(mu_);
  std::vector<SnsPublished> published_ GG_GUARDED_BY(mu_);
};

}  // namespace glueguard
