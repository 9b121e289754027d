// Credentials served over HTTP by the platform: the container endpoint (ECS task roles, EKS Pod Identity)
// and the EC2 instance metadata service (IMDSv2, falling back to IMDSv1).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "aws/credentials.h"
#include "net/http.h"
#include "aws/shared_config.h"
#include "base/clock.h"
#include "base/env.h"

namespace glueguard {

// Where the container credentials endpoint is and how to authenticate to it.
struct ContainerEndpoint {
  std::string url;                       // absolute http(s) URL
  std::string authorization_token;       // the Authorization header's value; may be empty
  std::string authorization_token_file;  // read on every Get(); takes precedence over the token when set
};

// GETs the credentials JSON {AccessKeyId, SecretAccessKey, Token, Expiration} from the container endpoint
// (Accept: application/json, Authorization when configured). Connection failures and 5xx replies are tried
// up to 3 times, 1 s apart (waiting on the Sleeper). Errors: NotFound when no endpoint is configured;
// Unavailable when the endpoint cannot be reached or answers 5xx, or the token file cannot be read;
// PermissionDenied for 401/403; InvalidArgument for another status and for a token that holds a line break;
// Internal for a malformed reply. The token is never put in a message. Thread-safe.
class ContainerCredentialsProvider final : public CredentialsProvider {
 public:
  // Borrows `transport` and `sleeper`, which must outlive this object. `endpoint` = nullopt: NotFound.
  ContainerCredentialsProvider(std::optional<ContainerEndpoint> endpoint, HttpTransport& transport,
                               Sleeper& sleeper)
      : endpoint_(std::move(endpoint)), transport_(transport), sleeper_(sleeper) {}

  // From AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (http://169.254.170.2 + value), else
  // AWS_CONTAINER_CREDENTIALS_FULL_URI, with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or
  // AWS_CONTAINER_AUTHORIZATION_TOKEN. A full URI must be https, or http to one of 169.254.170.2,
  // 169.254.170.23, fd00:ec2::23, localhost or a loopback address; anything else is an InvalidArgument.
  static Result<std::unique_ptr<ContainerCredentialsProvider>> FromEnv(const EnvLookup& env,
                                                                       HttpTransport& transport,
                                                                       Sleeper& sleeper);

  Result<Credentials> Get() override;

 private:
  std::optional<ContainerEndpoint> endpoint_;
  HttpTransport& transport_;
  Sleeper& sleeper_;
};

// True when `url` may serve container credentials under the rule FromEnv applies to a full URI.
bool IsAllowedContainerCredentialsUrl(const std::string& url);

// Instance-role credentials from the EC2 instance metadata service:
//   PUT  /latest/api/token (x-aws-ec2-metadata-token-ttl-seconds: 21600) -> token; a 403, 404 or 405 means
//        IMDSv1, and the next calls go without a token;
//   GET  /latest/meta-data/iam/security-credentials/        -> the role name (x-aws-ec2-metadata-token:
//   token) GET  /latest/meta-data/iam/security-credentials/<role>  -> {Code, AccessKeyId, SecretAccessKey,
//   Token,
//        Expiration}
// Each request has a 1 s timeout and is sent once. Errors: NotFound when disabled, when nothing answers the
// first request (not on EC2), or when the instance has no role (404); InvalidArgument for a 400 on the token
// PUT; Unavailable for other failures and for a Code other than "Success"; Internal for a malformed reply.
// Thread-safe.
class InstanceMetadataCredentialsProvider final : public CredentialsProvider {
 public:
  // `endpoint`: "http://169.254.169.254" or another base URL without a trailing path; nullopt = disabled.
  // Borrows `transport`.
  InstanceMetadataCredentialsProvider(std::optional<std::string> endpoint, HttpTransport& transport)
      : endpoint_(std::move(endpoint)), transport_(transport) {}

  // Disabled when AWS_EC2_METADATA_DISABLED=true (any case). The endpoint is
  // AWS_EC2_METADATA_SERVICE_ENDPOINT, else the profile's ec2_metadata_service_endpoint, else
  // http://[fd00:ec2::254] when the endpoint mode (AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE or
  // ec2_metadata_service_endpoint_mode) is IPv6, else http://169.254.169.254. InvalidArgument when the
  // endpoint is not an http(s) URL.
  static Result<std::unique_ptr<InstanceMetadataCredentialsProvider>> FromEnv(const EnvLookup& env,
                                                                              const SharedConfig& config,
                                                                              HttpTransport& transport);

  Result<Credentials> Get() override;

 private:
  std::optional<std::string> endpoint_;
  HttpTransport& transport_;
};

}  // namespace glueguard
