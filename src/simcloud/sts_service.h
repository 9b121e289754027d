// simcloud's STS: GetCallerIdentity, answered from the verified caller (the account and user of the access
// key the request was signed with). Query protocol (aws-protocol-facts §2.7).
#pragma once

#include <string>
#include <string_view>

#include "simcloud/wire.h"

namespace glueguard {

// Stateless and thread-safe.
class StsService final : public ServiceHandler {
 public:
  bool Handles(std::string_view operation) const override { return operation == "GetCallerIdentity"; }
  // <GetCallerIdentityResult><Arn/><UserId/><Account/></GetCallerIdentityResult> for call.caller. The UserId
  // is "AIDA" followed by 17 upper-case characters derived from the access key id, stable across calls.
  ServerResponse Handle(const AwsCall& call) override;
};

// The IAM user id simcloud reports for an access key: "AIDA" + 17 characters of A-Z and 2-7.
std::string SimUserId(std::string_view access_key_id);

}  // namespace glueguard
