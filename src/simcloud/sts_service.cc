#include "simcloud/sts_service.h"

#include "aws/sigv4.h"

namespace glueguard {

std::string SimUserId(std::string_view access_key_id) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";  // the characters IAM ids use
  const std::string digest = Sha256Hex(access_key_id);
  std::string id = "AIDA";
  for (size_t i = 0; i < 17; ++i)
    id.push_back(kAlphabet[std::stoi(digest.substr(i * 2, 2), nullptr, 16) % 32]);
  return id;
}

ServerResponse StsService::Handle(const AwsCall& call) {
  if (call.operation != "GetCallerIdentity") return ErrorResponse(call, UnknownOperationError(call));
  return QueryResponse(call, XmlElement("Arn", call.caller.principal_arn) +
                                 XmlElement("UserId", SimUserId(call.caller.access_key_id)) +
                                 XmlElement("Account", call.caller.account_id));
}

}  // namespace glueguard
