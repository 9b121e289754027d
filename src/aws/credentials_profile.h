// Credentials from a profile of the shared config files (~/.aws/credentials, ~/.aws/config).
#pragma once

#include <string>
#include <vector>

#include "aws/credentials.h"
#include "aws/shared_config.h"
#include "aws/sts.h"
#include "base/clock.h"

namespace glueguard {

struct ProfileCredentialsOptions {
  // True when the user named the profile (AWS_PROFILE): a profile missing from both files is then an
  // InvalidArgument that stops the chain, instead of NotFound.
  bool profile_named_explicitly = false;
  // How long a credential_process command may run before it is killed.
  Duration process_timeout = std::chrono::minutes(1);
};

// Resolves a profile's credentials the way the SDKs do, on every Get():
//   1. role_arn + source_profile: the source profile's credentials (resolved the same way, so roles chain;
//      a profile may name itself as source to use its own static keys), then STS AssumeRole signed with them,
//      with the profile's role_session_name (default "glueguard-<unix millis>"), external_id and
//      duration_seconds. A cycle of source profiles is an InvalidArgument listing it.
//   2. role_arn + web_identity_token_file: STS AssumeRoleWithWebIdentity with the file's token.
//   3. aws_access_key_id + aws_secret_access_key (+ aws_session_token): static keys.
//   4. credential_process: RunCredentialProcess.
// NotFound when the profile does not exist (unless named explicitly) or has none of these keys. Other
// errors (InvalidArgument for inconsistent settings: a key without its secret, role_arn without a source,
// mfa_serial, credential_source; STS and credential_process errors) name the profile and never a secret.
// Thread-safe if `sts` is.
class ProfileCredentialsProvider final : public CredentialsProvider {
 public:
  // Borrows `config` and `clock`, which must outlive this object.
  ProfileCredentialsProvider(const SharedConfig& config, std::string profile, StsFactory sts, Clock& clock,
                             ProfileCredentialsOptions options = {})
      : config_(config),
        profile_(std::move(profile)),
        sts_(std::move(sts)),
        clock_(clock),
        options_(options) {}

  Result<Credentials> Get() override;

 private:
  // `visited` holds the profiles already on the source_profile path, outermost first.
  Result<Credentials> Resolve(const std::string& profile, std::vector<std::string>& visited);
  Result<Credentials> StaticKeys(const std::string& profile);
  Result<Credentials> AssumeRole(const std::string& profile, const std::string& role_arn,
                                 const Credentials& source);

  const SharedConfig& config_;
  const std::string profile_;
  const StsFactory sts_;
  Clock& clock_;
  const ProfileCredentialsOptions options_;
};

}  // namespace glueguard
