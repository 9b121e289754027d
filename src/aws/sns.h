// SNS: publishing glueguard's notifications. SnsApi is the seam (fakes implement it); SnsClient calls SNS's
// query protocol through AwsClient. The reply parser is a public free function so fuzz targets can reach it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace glueguard {

class AwsClient;

struct SnsPublishRequest {
  std::string topic_arn;
  std::string message;
  std::optional<std::string> subject;  // not sent when absent
  // String message attributes (DataType "String"), sent as MessageAttributes.entry.N.Name /
  // .Value.DataType / .Value.StringValue in the map's (sorted) order.
  std::map<std::string, std::string> message_attributes;
};

class SnsApi {
 public:
  virtual ~SnsApi() = default;
  // Publishes one message and returns its MessageId. Errors are AwsClient's: the AWS code is reason() (e.g.
  // "NotFound" for a missing topic -> NotFound, "AuthorizationError"), InvalidArgument for an empty topic ARN
  // or message, Internal for an unreadable reply. Thread-safe.
  virtual Result<std::string> Publish(const SnsPublishRequest& request) = 0;
};

// SnsApi over the SNS query protocol. Thread-safe when the AwsClient is.
class SnsClient final : public SnsApi {
 public:
  // `aws` must outlive the client.
  explicit SnsClient(AwsClient& aws) : aws_(aws) {}

  Result<std::string> Publish(const SnsPublishRequest& request) override;

 private:
  AwsClient& aws_;
};

// The MessageId of a <PublishResponse><PublishResult>. Internal, with a message, for malformed or truncated
// XML, another root element, or no MessageId. Never throws.
Result<std::string> ParsePublishResponse(std::string_view xml);

}  // namespace glueguard
