// The default credentials chain: the providers every AWS SDK asks in turn, and a cache in front of them.
// The providers themselves are in credentials_env.h, credentials_profile.h and credentials_remote.h.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws/credentials.h"
#include "aws/environment.h"
#include "net/http.h"
#include "aws/sts.h"
#include "base/clock.h"
#include "base/mutex.h"

namespace glueguard {

// Asks each provider in order and returns the first credentials found. A provider's NotFound moves on to the
// next; any other error stops the chain and is returned with the provider's name as context. When no provider
// has credentials: NotFound listing every provider tried and why it had none. Thread-safe if the providers
// are.
class ChainCredentialsProvider final : public CredentialsProvider {
 public:
  struct Link {
    std::string name;  // "environment", "profile default", ...: for messages
    std::unique_ptr<CredentialsProvider> provider;
  };
  explicit ChainCredentialsProvider(std::vector<Link> links) : links_(std::move(links)) {}

  Result<Credentials> Get() override;

 private:
  std::vector<Link> links_;
};

// Caches what `inner` returns. Credentials without an expiration are kept forever; others are refreshed when
// `refresh_window` or less remains before they expire. If a refresh fails while the cached credentials are
// still valid, they are returned and the refresh is tried again after kRetryInterval (or at expiry, if
// sooner); once they have expired, the refresh's error is returned. Credentials arriving already inside the
// window are used and refreshed again after kRetryInterval, so `inner` is not asked on every call.
// Thread-safe: one caller refreshes at a time while the others wait for its result.
class CachingCredentialsProvider final : public CredentialsProvider {
 public:
  static constexpr Duration kDefaultRefreshWindow = std::chrono::minutes(15);
  static constexpr Duration kRetryInterval = std::chrono::minutes(1);

  // Borrows `clock`, which must outlive this object.
  CachingCredentialsProvider(std::unique_ptr<CredentialsProvider> inner, Clock& clock,
                             Duration refresh_window = kDefaultRefreshWindow)
      : inner_(std::move(inner)), clock_(clock), refresh_window_(refresh_window) {}

  Result<Credentials> Get() override GG_EXCLUDES(mu_);

 private:
  const std::unique_ptr<CredentialsProvider> inner_;
  Clock& clock_;
  const Duration refresh_window_;
  Mutex mu_;
  std::optional<Credentials> cached_ GG_GUARDED_BY(mu_);
  Time next_refresh_ GG_GUARDED_BY(mu_) = {};  // meaningful when cached_ expires
};

// The default chain, cached (CachingCredentialsProvider around ChainCredentialsProvider), in the SDKs' order:
//   1. environment: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN;
//   2. profile environment.shared_config().profile(): static keys, role_arn + source_profile (AssumeRole),
//      role_arn + web_identity_token_file, credential_process;
//   3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME);
//   4. container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI;
//   5. EC2 instance metadata (IMDSv2, then v1), unless AWS_EC2_METADATA_DISABLED=true.
// Variables come from environment.env(). STS calls go through `sts`: the provider passes the credentials to
// sign with (the source profile's for AssumeRole; none for the unsigned AssumeRoleWithWebIdentity), so `sts`
// must not use the chain itself (MakeStsFactory satisfies this). Every reference must outlive the returned
// provider, which is thread-safe. Errors: InvalidArgument for a container full URI with a disallowed host or
// a malformed metadata endpoint; everything else is reported by Get().
Result<std::unique_ptr<CredentialsProvider>> MakeDefaultCredentialsChain(const AwsEnvironment& environment,
                                                                         HttpTransport& transport,
                                                                         StsFactory sts, Clock& clock,
                                                                         Sleeper& sleeper);

}  // namespace glueguard
