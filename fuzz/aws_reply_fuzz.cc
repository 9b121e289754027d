// libFuzzer target: any bytes as the body of an AWS reply, fed to every reply parser (XML and JSON) and to the
// error-shape parser. Each must give a value or an error with a message; never a crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aws/aws_client.h"
#include "aws/dynamodb.h"
#include "aws/ec2.h"
#include "aws/glue.h"
#include "aws/sns.h"
#include "aws/sqs.h"
#include "aws/sts.h"

namespace {

void Check(const glueguard::Status& s) {
  if (!s.ok() && s.message().empty()) __builtin_trap();
}
template <typename T>
void Check(const glueguard::Result<T>& r) {
  Check(r.status());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace glueguard;  // NOLINT(google-build-using-namespace): a fuzz entry point, not a header
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  // XML replies.
  Check(ParseDescribeNetworkInterfacesResponse(body));
  Check(ParseDescribeSubnetsResponse(body));
  Check(ParseNoOutputResponse("DeleteNetworkInterface", body));
  Check(ParsePublishResponse(body));
  Check(ParseReceiveMessageResponse(body));
  Check(ParseSendMessageResponse(body));
  Check(ParseGetQueueAttributesResponse(body));
  Check(ParseGetCallerIdentityResponse(body));
  Check(ParseAssumeRoleResponse(body, "AssumeRole"));
  // JSON replies.
  Check(ParseGetSessionResponse(body));
  Check(ParseListSessionsResponse(body));
  Check(ParseGetJobResponse(body));
  Check(ParseGetJobRunsResponse(body));
  Check(ParseBatchStopJobRunResponse(body));
  Check(ParseGetConnectionResponse(body));
  Check(ParseDescribeTableResponse(body));
  Check(ParseGetItemResponse(body));
  Check(ParseQueryResponse(body));
  // Error shapes of every protocol.
  for (AwsProtocol p : {AwsProtocol::kEc2, AwsProtocol::kQuery, AwsProtocol::kJson}) {
    const AwsErrorFields f = ParseAwsError(p, HttpResponse{400, {}, std::string(body)});
    if (f.code.empty()) __builtin_trap();
  }
  return 0;
}
