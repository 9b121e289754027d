#include "aws/credentials_chain.h"

#include <fmt/format.h>

#include "aws/credentials_env.h"
#include "aws/credentials_profile.h"
#include "aws/credentials_remote.h"

namespace glueguard {

Result<Credentials> ChainCredentialsProvider::Get() {
  std::string tried;
  for (const Link& link : links_) {
    Result<Credentials> credentials = link.provider->Get();
    if (credentials.ok()) return credentials;
    if (credentials.status().code() != StatusCode::kNotFound) {
      return credentials.status().WithContext(fmt::format("credentials from {}", link.name));
    }
    if (!tried.empty()) tried += "; ";
    tried += fmt::format("{} ({})", link.name, credentials.status().message());
  }
  return Status::NotFound(
      fmt::format("no AWS credentials found; tried {}", tried.empty() ? "nothing" : tried));
}

Result<Credentials> CachingCredentialsProvider::Get() {
  MutexLock lock(mu_);
  const Time now = clock_.Now();
  if (cached_ && (!cached_->expires() || now < next_refresh_)) return *cached_;
  Result<Credentials> fresh = inner_->Get();
  if (!fresh.ok()) {
    if (cached_ && now < cached_->expiration) {
      next_refresh_ = std::min(now + kRetryInterval, cached_->expiration);
      return *cached_;
    }
    cached_.reset();
    return fresh.status();
  }
  cached_ = *fresh;
  if (cached_->expires()) {
    next_refresh_ = cached_->expiration - refresh_window_;
    if (next_refresh_ <= now) next_refresh_ = std::min(now + kRetryInterval, cached_->expiration);
  }
  return fresh;
}

Result<std::unique_ptr<CredentialsProvider>> MakeDefaultCredentialsChain(const AwsEnvironment& environment,
                                                                         HttpTransport& transport,
                                                                         StsFactory sts, Clock& clock,
                                                                         Sleeper& sleeper) {
  const EnvLookup& env = environment.env();
  const SharedConfig& config = environment.shared_config();
  Result<std::unique_ptr<ContainerCredentialsProvider>> container =
      ContainerCredentialsProvider::FromEnv(env, transport, sleeper);
  if (!container.ok()) return container.status();
  Result<std::unique_ptr<InstanceMetadataCredentialsProvider>> imds =
      InstanceMetadataCredentialsProvider::FromEnv(env, config, transport);
  if (!imds.ok()) return imds.status();

  ProfileCredentialsOptions profile_options;
  profile_options.profile_named_explicitly =
      env("AWS_PROFILE").has_value() || env("AWS_DEFAULT_PROFILE").has_value();
  std::vector<ChainCredentialsProvider::Link> links;
  links.push_back({"environment", std::make_unique<EnvironmentCredentialsProvider>(env)});
  links.push_back(
      {"profile " + config.profile(),
       std::make_unique<ProfileCredentialsProvider>(config, config.profile(), sts, clock, profile_options)});
  links.push_back({"web identity", WebIdentityCredentialsProvider::FromEnv(env, std::move(sts), clock)});
  links.push_back({"container", std::move(*container)});
  links.push_back({"instance metadata", std::move(*imds)});
  return std::unique_ptr<CredentialsProvider>(std::make_unique<CachingCredentialsProvider>(
      std::make_unique<ChainCredentialsProvider>(std::move(links)), clock));
}

}  // namespace glueguard
