#include "aws/credentials_profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "aws/credentials_env.h"
#include "aws/credentials_process.h"
#include "base/strings.h"

namespace glueguard {

namespace {

// The profile's value for `key`; nullopt when absent or empty.
std::optional<std::string> Setting(const SharedConfig& config, const std::string& profile, const char* key) {
  std::optional<std::string> value = config.Get(profile, key);
  if (value && value->empty()) return std::nullopt;
  return value;
}

Result<std::optional<int>> DurationSetting(const SharedConfig& config, const std::string& profile) {
  std::optional<std::string> text = Setting(config, profile, "duration_seconds");
  if (!text) return std::optional<int>();
  const int seconds = ParseWholeNumber<int>(*text).value_or(0);
  if (seconds <= 0) {
    return Status::InvalidArgument(
        fmt::format("profile {}: duration_seconds = '{}' is not a positive whole number", profile, *text));
  }
  return std::optional<int>(seconds);
}

std::string JoinPath(const std::vector<std::string>& visited, const std::string& last) {
  std::string path;
  for (const std::string& p : visited) path += p + " -> ";
  return path + last;
}

}  // namespace

Result<Credentials> ProfileCredentialsProvider::Get() {
  if (!config_.HasProfile(profile_)) {
    const std::string message = fmt::format("profile {} is not in the shared config files", profile_);
    if (options_.profile_named_explicitly) return Status::InvalidArgument(message);
    return Status::NotFound(message);
  }
  std::vector<std::string> visited;
  return Resolve(profile_, visited);
}

Result<Credentials> ProfileCredentialsProvider::Resolve(const std::string& profile,
                                                        std::vector<std::string>& visited) {
  visited.push_back(profile);
  if (std::optional<std::string> role_arn = Setting(config_, profile, "role_arn")) {
    if (Setting(config_, profile, "mfa_serial")) {
      return Status::InvalidArgument(
          fmt::format("profile {}: mfa_serial is not supported (it needs an interactive MFA code)", profile));
    }
    if (std::optional<std::string> source_profile = Setting(config_, profile, "source_profile")) {
      if (*source_profile != profile) {
        if (std::find(visited.begin(), visited.end(), *source_profile) != visited.end()) {
          return Status::InvalidArgument(
              fmt::format("source_profile cycle: {}", JoinPath(visited, *source_profile)));
        }
        if (!config_.HasProfile(*source_profile)) {
          return Status::InvalidArgument(
              fmt::format("profile {}: source_profile {} does not exist", profile, *source_profile));
        }
      }
      // A profile naming itself as its source uses its own static keys for the call.
      Result<Credentials> source =
          *source_profile == profile ? StaticKeys(profile) : Resolve(*source_profile, visited);
      if (!source.ok()) {
        const Status& s = source.status();
        if (s.code() != StatusCode::kNotFound) return s;
        return Status::InvalidArgument(fmt::format("profile {}: source_profile {} has no credentials: {}",
                                                   profile, *source_profile, s.message()));
      }
      return AssumeRole(profile, *role_arn, *source);
    }
    if (std::optional<std::string> token_file = Setting(config_, profile, "web_identity_token_file")) {
      Result<std::optional<int>> duration = DurationSetting(config_, profile);
      if (!duration.ok()) return duration.status();
      WebIdentitySettings settings{*role_arn, *token_file,
                                   Setting(config_, profile, "role_session_name").value_or(""), *duration,
                                   fmt::format("web identity (profile {})", profile)};
      return WebIdentityCredentialsProvider(std::move(settings), sts_, clock_).Get();
    }
    if (Setting(config_, profile, "credential_source")) {
      return Status::InvalidArgument(
          fmt::format("profile {}: credential_source is not supported; use source_profile", profile));
    }
    return Status::InvalidArgument(
        fmt::format("profile {}: role_arn needs source_profile or web_identity_token_file", profile));
  }
  Result<Credentials> keys = StaticKeys(profile);
  if (keys.ok() || keys.status().code() != StatusCode::kNotFound) return keys;
  if (std::optional<std::string> command = Setting(config_, profile, "credential_process")) {
    return RunCredentialProcess(*command, profile, options_.process_timeout);
  }
  return Status::NotFound(fmt::format(
      "profile {} has no aws_access_key_id, role_arn, web_identity_token_file or credential_process",
      profile));
}

Result<Credentials> ProfileCredentialsProvider::StaticKeys(const std::string& profile) {
  std::optional<std::string> key = Setting(config_, profile, "aws_access_key_id");
  if (!key) return Status::NotFound(fmt::format("profile {} has no aws_access_key_id", profile));
  std::optional<std::string> secret = Setting(config_, profile, "aws_secret_access_key");
  if (!secret) {
    return Status::InvalidArgument(
        fmt::format("profile {} has aws_access_key_id but no aws_secret_access_key", profile));
  }
  Credentials credentials;
  credentials.access_key_id = std::move(*key);
  credentials.secret_access_key = std::move(*secret);
  credentials.session_token = Setting(config_, profile, "aws_session_token").value_or("");
  credentials.source = fmt::format("profile {}", profile);
  return credentials;
}

Result<Credentials> ProfileCredentialsProvider::AssumeRole(const std::string& profile,
                                                           const std::string& role_arn,
                                                           const Credentials& source) {
  AssumeRoleRequest request;
  request.role_arn = role_arn;
  request.role_session_name =
      Setting(config_, profile, "role_session_name").value_or(DefaultRoleSessionName(clock_));
  request.external_id = Setting(config_, profile, "external_id");
  Result<std::optional<int>> duration = DurationSetting(config_, profile);
  if (!duration.ok()) return duration.status();
  request.duration_seconds = *duration;
  StaticCredentialsProvider source_provider(source);
  std::unique_ptr<StsApi> sts = sts_(source_provider);
  Result<AssumedRole> role = sts->AssumeRole(request);
  if (!role.ok()) {
    return role.status().WithContext(
        fmt::format("profile {}: assume role {} with {}", profile, role_arn, source.source));
  }
  role->credentials.source = fmt::format("profile {} (role {})", profile, role_arn);
  return std::move(role->credentials);
}

}  // namespace glueguard
