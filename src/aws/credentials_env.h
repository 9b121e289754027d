// Credentials named by environment variables: static keys (AWS_ACCESS_KEY_ID, ...) and a web identity token
// file exchanged with STS (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, as EKS IRSA sets them).
#pragma once

#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/sts.h"
#include "base/clock.h"
#include "base/env.h"

namespace glueguard {

// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN (or the legacy AWS_SECURITY_TOKEN) and
// AWS_CREDENTIAL_EXPIRATION when set. The variables are read on every Get(). NotFound when AWS_ACCESS_KEY_ID
// is unset or empty; InvalidArgument naming the missing variable when the key is set without its secret, or
// naming AWS_CREDENTIAL_EXPIRATION when that is malformed. Thread-safe if `env` is.
class EnvironmentCredentialsProvider final : public CredentialsProvider {
 public:
  explicit EnvironmentCredentialsProvider(EnvLookup env) : env_(std::move(env)) {}
  Result<Credentials> Get() override;

 private:
  EnvLookup env_;
};

// What AssumeRoleWithWebIdentity needs, from the environment or from a profile.
struct WebIdentitySettings {
  std::string role_arn;
  std::string token_file;    // read on every Get(), since the token is rotated on disk
  std::string session_name;  // empty = "glueguard-<unix millis>" at the time of the call
  std::optional<int> duration_seconds;
  std::string source;  // for Credentials::source and messages, e.g. "web identity (environment)"
};

// Exchanges the token in a file for role credentials with STS AssumeRoleWithWebIdentity (unsigned).
// Errors: Unavailable naming the file when it cannot be read, InvalidArgument when it is empty, and STS's
// errors with context. Never puts the token in a message. Thread-safe.
class WebIdentityCredentialsProvider final : public CredentialsProvider {
 public:
  // `settings` = nullopt makes a provider that always answers NotFound (nothing configured). `sts` is called
  // once per Get(); `clock` must outlive this object.
  WebIdentityCredentialsProvider(std::optional<WebIdentitySettings> settings, StsFactory sts, Clock& clock)
      : settings_(std::move(settings)), sts_(std::move(sts)), clock_(clock) {}

  // From AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN and AWS_ROLE_SESSION_NAME, read now. Get() is NotFound
  // unless both the token file and the role ARN are set.
  static std::unique_ptr<WebIdentityCredentialsProvider> FromEnv(const EnvLookup& env, StsFactory sts,
                                                                 Clock& clock);

  Result<Credentials> Get() override;

 private:
  std::optional<WebIdentitySettings> settings_;
  StsFactory sts_;
  Clock& clock_;
};

// "glueguard-<unix millis>": the role session name used when none is configured.
std::string DefaultRoleSessionName(const Clock& clock);

// Reads a small file (a token) whole, with trailing whitespace and newlines removed. Unavailable naming
// `what` and the path when it cannot be read; the content is never put in a message.
Result<std::string> ReadTokenFile(const std::string& path, std::string_view what);

}  // namespace glueguard
