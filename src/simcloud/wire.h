// The server side of AWS's wire protocols, shared by simcloud's services: which service and operation a
// request is (EC2 query, the query protocol of SNS/SQS/STS, JSON 1.1 for Glue), the parameters it carries,
// and the exact shapes of successful and error responses in each protocol, as captured from Debian's
// awscli 2.9 and botocore 1.29 (aws-protocol-facts §1.7 and §2). Everything here is a pure function of its
// arguments.
#pragma once

#include <map>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/ec2.h"  // Ec2Filter, shared with the client side
#include "base/random.h"
#include "net/http_server.h"

namespace glueguard {

enum class WireProtocol {
  kEc2,    // form POST; XML reply without a result wrapper; errors <Response><Errors><Error>
  kQuery,  // form POST; XML reply <OpResponse><OpResult>..<ResponseMetadata>; errors <ErrorResponse>
  kJson,   // JSON 1.1 POST with X-Amz-Target <prefix>.<Op>; errors {"__type","message"}
};

// A service simcloud speaks. `name` is both the SigV4 signing name and the key handlers are registered under.
struct WireService {
  std::string_view name;  // "ec2", "glue", "sns", "sqs", "sts"
  WireProtocol protocol;
  std::string_view api_version;    // query/EC2: the Version parameter, "2016-11-15"
  std::string_view xml_namespace;  // query/EC2: the xmlns of replies
  std::string_view target_prefix;  // JSON: X-Amz-Target is <prefix>.<Operation>
};

// The service called `name`, or nullptr when simcloud does not speak it.
const WireService* FindWireService(std::string_view name);
// Every service simcloud speaks, in a fixed order.
const std::vector<WireService>& WireServices();

// An error as AWS answers it. The protocol decides the shape (ErrorResponse below).
struct AwsError {
  int http_status = 400;
  std::string code;          // "InvalidParameterValue", "ThrottlingException", ...
  std::string message;       // may be empty (the JSON body then has no "message")
  bool sender_fault = true;  // the query protocol's <Type>: Sender (the caller's fault) or Receiver
};

// Who made a verified call.
struct Caller {
  std::string access_key_id;
  std::string account_id;     // 12 digits
  std::string principal_arn;  // arn:aws:iam::<account>:user/<name>
  std::string region;         // the credential scope's region: where the caller thinks the service is
};

using FormParams = std::vector<std::pair<std::string, std::string>>;

// One AWS API call, decoded from an HTTP request.
struct AwsCall {
  std::string service;  // "ec2", "glue", "sns", "sqs", "sts"; empty when it could not be told
  WireProtocol protocol = WireProtocol::kQuery;
  std::string operation;   // "DescribeNetworkInterfaces", "GetSession", "SendMessage"
  FormParams params;       // query/EC2: the URL query then the form body, decoded, in order (Action included)
  std::string json_body;   // JSON: the body as sent
  std::string request_id;  // set by the front; every response carries it
  Caller caller;           // set by the front once the signature verified
  std::string host;        // the Host header, "127.0.0.1:18080": SQS builds queue URLs from it
  std::string path;        // the request path as sent, "/" (SQS may address a queue by path)
};

// A service's operations. Implementations must be thread-safe: the front calls them from many threads.
class ServiceHandler {
 public:
  virtual ~ServiceHandler() = default;
  // True when `operation` is one this handler implements; the front answers the others with InvalidAction /
  // UnknownOperationException without calling Handle.
  virtual bool Handles(std::string_view operation) const = 0;
  // Answers one verified call: a success (Ec2Response, QueryResponse, JsonResponse) or an ErrorResponse.
  virtual ServerResponse Handle(const AwsCall& call) = 0;
  // The same, answered through `done` (exactly once, from any thread): what the front calls, so a call that
  // waits (a long poll) holds no thread. The default answers at once with Handle's response.
  virtual void HandleAsync(const AwsCall& call, std::function<void(ServerResponse)> done) { done(Handle(call)); }
  // Called once when the front stops: calls waiting (long polls) must be answered promptly, and later calls
  // must not wait.
  virtual void Shutdown() {}
};

// What ParseAwsCall made of a request. When `error` is set, `call` holds whatever could be told (service,
// protocol, operation) so the error can be answered in the right shape.
struct ParsedCall {
  AwsCall call;
  std::optional<AwsError> error;
};

// Tells the service, protocol and operation of `request`:
// - an X-Amz-Target "<prefix>.<Op>" names a JSON service by prefix ("AWSGlue" -> glue); an unknown prefix is
//   UnknownOperationException;
// - otherwise the parameters (URL query and form body) must carry Action; the service is the SigV4 credential
//   scope's (ec2, sns, sqs, sts) or, for an unsigned request, the one whose Version matches. No Action is
//   MissingAction; a service simcloud does not speak is InvalidAction.
// Sets host and path; leaves request_id and caller to the caller.
ParsedCall ParseAwsCall(const ServerRequest& request);

// A fresh request id in AWS's form, a random UUID: "fc45294c-006b-457b-bab9-012f5b3b0e40".
std::string NewRequestId(Random& random);

// ---- Responses. Each sets the status, the content type, and x-amzn-RequestId (query and JSON). ----

// EC2 success: <OpResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>..</requestId>
// {body_xml}</OpResponse>. `body_xml` must already be escaped (XmlElement helps).
ServerResponse Ec2Response(const AwsCall& call, std::string_view body_xml);
// Query success: <OpResponse xmlns=NS><OpResult>{result_xml}</OpResult><ResponseMetadata><RequestId>..
// </RequestId></ResponseMetadata></OpResponse>; without <OpResult> when `result_xml` is empty.
ServerResponse QueryResponse(const AwsCall& call, std::string_view result_xml);
// JSON success: `json` as the body ("{}" when empty), Content-Type application/x-amz-json-1.1.
ServerResponse JsonResponse(const AwsCall& call, std::string json);
// `error` in the shape of call.protocol (the namespace of call.service):
//   EC2:   <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>
//   query: <ErrorResponse xmlns=NS><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/>
//   JSON:  {"__type":"Code","message":"..."} with x-amzn-RequestId and x-amzn-ErrorType headers
ServerResponse ErrorResponse(const AwsCall& call, const AwsError& error);

// ---- Common errors, worded as AWS words them. ----

// InvalidAction (query/EC2, "The action X is not valid for this web service.") or UnknownOperationException
// (JSON), HTTP 400.
AwsError UnknownOperationError(const AwsCall& call);
// MissingParameter, HTTP 400: "The request must contain the parameter <name>."
AwsError MissingParameterError(std::string_view name);
// InvalidParameterValue, HTTP 400, with `message`.
AwsError InvalidParameterValueError(std::string message);

// ---- XML ----

// Escapes & < > " ' and CR (as &#xD;, which XML parsers would otherwise turn into LF).
std::string XmlEscape(std::string_view text);
// <name>escaped text</name>
std::string XmlElement(std::string_view name, std::string_view text);

// ---- Parameters of query/EC2 calls ----

// The first value of `name`, or nullptr.
const std::string* FindParam(const FormParams& params, std::string_view name);
// The values of <prefix>.1, <prefix>.2, ... ordered by index (gaps allowed, first of a repeated index wins).
// EC2 "NetworkInterfaceId", "SubnetId"; SQS "AttributeName", "MessageAttributeName"; non-flattened query
// lists pass "<Name>.member".
std::vector<std::string> IndexedValues(const FormParams& params, std::string_view prefix);
// The parameters under <prefix>.N., grouped by N in index order, with "<prefix>.N." removed from each name:
// "Filter" turns Filter.1.Name / Filter.1.Value.1 into the group {Name, Value.1}.
std::vector<FormParams> IndexedGroups(const FormParams& params, std::string_view prefix);

// The EC2 filters of a call: Filter.N.Name with its Filter.N.Value.M, in index order.
std::vector<Ec2Filter> Ec2Filters(const FormParams& params);

struct MessageAttributeValue {
  std::string data_type;     // "String", "Number", "Binary", or those with ".custom"
  std::string string_value;  // String and Number types
  std::string binary_value;  // Binary types: base64, as sent
  bool operator==(const MessageAttributeValue&) const = default;
};
// Message attributes by name: SQS's flattened "MessageAttribute" (MessageAttribute.N.Name, .N.Value.DataType,
// .N.Value.StringValue, .N.Value.BinaryValue) or SNS's "MessageAttributes.entry". Entries without a name are
// skipped.
std::map<std::string, MessageAttributeValue> MessageAttributes(const FormParams& params,
                                                               std::string_view prefix);

// Lower-case hex MD5 of `data`: SQS's MD5OfMessageBody / MD5OfBody.
std::string Md5Hex(std::string_view data);
// SQS's MD5OfMessageAttributes: MD5 over the attributes sorted by name, each encoded as length-prefixed
// (4-byte big-endian) name, data type, a transport byte (1 string/number, 2 binary) and length-prefixed value
// (binary values base64-decoded). "" for no attributes.
std::string Md5OfMessageAttributes(const std::map<std::string, MessageAttributeValue>& attributes);

}  // namespace glueguard
