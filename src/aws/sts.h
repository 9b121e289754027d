// AWS Security Token Service: who am I, and temporary credentials for a role. Query protocol over AwsClient.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "base/status.h"

namespace glueguard {

// GetCallerIdentity's result.
struct CallerIdentity {
  std::string user_id;  // "AIDA..." for a user, "AROA...:session" for an assumed role
  std::string account;  // 12 digits
  std::string arn;
};

// Temporary credentials for a role, from AssumeRole or AssumeRoleWithWebIdentity.
struct AssumedRole {
  Credentials credentials;      // always with a session token and an expiration
  std::string arn;              // AssumedRoleUser/Arn: arn:aws:sts::123456789012:assumed-role/Role/session
  std::string assumed_role_id;  // AssumedRoleUser/AssumedRoleId: "AROA...:session"
};

struct AssumeRoleRequest {
  std::string role_arn;
  std::string role_session_name;           // 2..64 characters of [\w+=,.@-]
  std::optional<int> duration_seconds;     // 900..43200; unset = the role's default (1 h)
  std::optional<std::string> external_id;  // when the role's trust policy asks for one
};

struct AssumeRoleWithWebIdentityRequest {
  std::string role_arn;
  std::string role_session_name;
  std::string web_identity_token;  // the OIDC token itself (not a file name); secret
  std::optional<int> duration_seconds;
};

// The STS operations glueguard uses. Implementations are thread-safe.
class StsApi {
 public:
  virtual ~StsApi() = default;
  // Errors: as AwsClient::Query (PermissionDenied for AccessDenied, ExpiredToken, InvalidClientTokenId, ...);
  // Internal for a reply that cannot be parsed.
  virtual Result<CallerIdentity> GetCallerIdentity() = 0;
  // Signed with the credentials the implementation was built with: the caller's, not the role's.
  virtual Result<AssumedRole> AssumeRole(const AssumeRoleRequest& request) = 0;
  // Sent unsigned: the web identity token is the proof.
  virtual Result<AssumedRole> AssumeRoleWithWebIdentity(const AssumeRoleWithWebIdentityRequest& request) = 0;
};

// StsApi over an AwsClient, which decides the endpoint (AwsEnvironment::Endpoint for kStsService) and signs
// with its CredentialsProvider.
class StsClient final : public StsApi {
 public:
  // Borrows `client`, which must outlive this object.
  explicit StsClient(AwsClient& client) : client_(client) {}
  // An StsClient owning its own AwsClient over the given dependencies; every reference (including
  // `credentials`) must outlive the returned object.
  static std::unique_ptr<StsClient> Create(HttpTransport& transport, CredentialsProvider& credentials,
                                           const AwsEnvironment& environment, Clock& clock, Random& random,
                                           Sleeper& sleeper);

  Result<CallerIdentity> GetCallerIdentity() override;
  Result<AssumedRole> AssumeRole(const AssumeRoleRequest& request) override;
  Result<AssumedRole> AssumeRoleWithWebIdentity(const AssumeRoleWithWebIdentityRequest& request) override;

 private:
  explicit StsClient(std::unique_ptr<AwsClient> owned) : owned_(std::move(owned)), client_(*owned_) {}

  std::unique_ptr<AwsClient> owned_;  // null when borrowed
  AwsClient& client_;
};

// Makes an StsApi whose signed calls are signed with `credentials`. The returned object borrows
// `credentials`, which must outlive it. This is how credential providers call STS with credentials other than
// the ones they provide (AssumeRole signs with the source profile's credentials). Must be thread-safe to
// call.
using StsFactory = std::function<std::unique_ptr<StsApi>(CredentialsProvider& credentials)>;

// The production StsFactory: StsClient::Create over these dependencies, which must outlive every StsApi made.
StsFactory MakeStsFactory(HttpTransport& transport, const AwsEnvironment& environment, Clock& clock,
                          Random& random, Sleeper& sleeper);

// Reply parsers, exposed for tests and fuzzing. Any input, however malformed, gives a value or an Internal
// error with a message (never a crash); messages never contain credentials.
//
// <GetCallerIdentityResponse><GetCallerIdentityResult><UserId/><Account/><Arn/>...
Result<CallerIdentity> ParseGetCallerIdentityResponse(std::string_view xml);
// <{operation}Response><{operation}Result><Credentials>{AccessKeyId, SecretAccessKey, SessionToken,
// Expiration}</Credentials><AssumedRoleUser>{Arn, AssumedRoleId}</AssumedRoleUser>...; `operation` is
// "AssumeRole" or "AssumeRoleWithWebIdentity". Credentials::source is set to "sts <operation>".
Result<AssumedRole> ParseAssumeRoleResponse(std::string_view xml, std::string_view operation);

}  // namespace glueguard
