// SQS: the queue operations glueguard needs, in the query protocol as Debian's awscli 2.9 sends it (a form
// POST to the service endpoint with QueueUrl as a parameter). SqsApi is the seam (fakes implement it);
// SqsClient calls SQS through AwsClient. The reply parsers are public free functions so fuzz targets can
// reach them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace glueguard {

class AwsClient;

struct SqsMessageAttribute {
  std::string data_type;     // "String", "Number", "Binary", or "String.<custom>"
  std::string string_value;  // for String and Number types
  std::string binary_value;  // for Binary types: base64, as sent
};

struct SqsMessage {
  std::string message_id;
  std::string receipt_handle;  // what DeleteMessage and ChangeMessageVisibility take
  std::string body;
  std::string md5_of_body;
  std::map<std::string, std::string> attributes;  // SenderId, SentTimestamp, ApproximateReceiveCount, ...
  std::map<std::string, SqsMessageAttribute> message_attributes;
};

struct ReceiveMessageRequest {
  std::string queue_url;
  int max_number_of_messages = 1;  // 1..10
  int wait_time_seconds = 0;       // 0..20; above 0 is a long poll, and the HTTP timeout is made longer
  std::optional<int> visibility_timeout;  // seconds, 0..43200; the queue's default when absent
};

struct SendMessageRequest {
  std::string queue_url;
  std::string message_body;
  std::optional<int> delay_seconds;  // 0..900; the queue's default when absent
  // String message attributes (DataType "String"), sent as MessageAttribute.N.Name / .Value.DataType /
  // .Value.StringValue in the map's (sorted) order.
  std::map<std::string, std::string> message_attributes;
};

// Errors from every method are AwsClient's, with the AWS code as reason(): a missing queue
// ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist") is NotFound, "ReceiptHandleIsInvalid" is
// InvalidArgument, throttling ("RequestThrottled") is Unavailable after the retries. InvalidArgument for a
// request SQS would refuse (an empty queue URL, a number out of range); Internal for an unreadable reply.
// Implementations are thread-safe.
class SqsApi {
 public:
  virtual ~SqsApi() = default;

  // Up to max_number_of_messages messages, with all their attributes and message attributes; empty when the
  // queue had none within the wait.
  virtual Result<std::vector<SqsMessage>> ReceiveMessage(const ReceiveMessageRequest& request) = 0;
  virtual Status DeleteMessage(const std::string& queue_url, const std::string& receipt_handle) = 0;
  // Returns the new message's MessageId.
  virtual Result<std::string> SendMessage(const SendMessageRequest& request) = 0;
  virtual Status ChangeMessageVisibility(const std::string& queue_url, const std::string& receipt_handle,
                                         int visibility_timeout_seconds) = 0;
  // The queue's attributes by name; `names` empty asks for All.
  virtual Result<std::map<std::string, std::string>> GetQueueAttributes(
      const std::string& queue_url, const std::vector<std::string>& names) = 0;
};

// SqsApi over the SQS query protocol. Thread-safe when the AwsClient is.
class SqsClient final : public SqsApi {
 public:
  // `aws` must outlive the client.
  explicit SqsClient(AwsClient& aws) : aws_(aws) {}

  Result<std::vector<SqsMessage>> ReceiveMessage(const ReceiveMessageRequest& request) override;
  Status DeleteMessage(const std::string& queue_url, const std::string& receipt_handle) override;
  Result<std::string> SendMessage(const SendMessageRequest& request) override;
  Status ChangeMessageVisibility(const std::string& queue_url, const std::string& receipt_handle,
                                 int visibility_timeout_seconds) override;
  Result<std::map<std::string, std::string>> GetQueueAttributes(
      const std::string& queue_url, const std::vector<std::string>& names) override;

 private:
  AwsClient& aws_;
};

// Reply parsers: `xml` is the body of a 2xx reply. Internal, with a message saying what is wrong, for XML
// that is malformed or truncated, a root element other than the operation's <OpResponse>, or a message
// without its MessageId or ReceiptHandle. Never throw.
Result<std::vector<SqsMessage>> ParseReceiveMessageResponse(std::string_view xml);
// The MessageId of a <SendMessageResponse>.
Result<std::string> ParseSendMessageResponse(std::string_view xml);
Result<std::map<std::string, std::string>> ParseGetQueueAttributesResponse(std::string_view xml);
// Ok for a well-formed <DeleteMessageResponse> / <ChangeMessageVisibilityResponse> (they carry no result).
Status ParseDeleteMessageResponse(std::string_view xml);
Status ParseChangeMessageVisibilityResponse(std::string_view xml);

}  // namespace glueguard
