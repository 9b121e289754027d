#include "aws/credentials_env.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "aws/credentials_parse.h"

namespace glueguard {

namespace {

// The variable's value; nullopt when unset or empty (the SDKs treat both alike).
std::optional<std::string> NonEmpty(const EnvLookup& env, const char* name) {
  std::optional<std::string> value = env(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

// Credentials that are never there: the web identity call is unsigned and must not need any.
class NoCredentialsProvider final : public CredentialsProvider {
 public:
  Result<Credentials> Get() override {
    return Status::Internal("AssumeRoleWithWebIdentity is unsigned and asked for credentials");
  }
};

}  // namespace

Result<Credentials> EnvironmentCredentialsProvider::Get() {
  std::optional<std::string> key = NonEmpty(env_, "AWS_ACCESS_KEY_ID");
  if (!key) return Status::NotFound("AWS_ACCESS_KEY_ID is not set");
  std::optional<std::string> secret = NonEmpty(env_, "AWS_SECRET_ACCESS_KEY");
  if (!secret) return Status::InvalidArgument("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  Credentials credentials;
  credentials.access_key_id = std::move(*key);
  credentials.secret_access_key = std::move(*secret);
  if (auto token = NonEmpty(env_, "AWS_SESSION_TOKEN")) {
    credentials.session_token = std::move(*token);
  } else if (auto legacy = NonEmpty(env_, "AWS_SECURITY_TOKEN")) {
    credentials.session_token = std::move(*legacy);
  }
  if (auto expiration = NonEmpty(env_, "AWS_CREDENTIAL_EXPIRATION")) {
    Result<Time> parsed = ParseExpiration(*expiration);
    if (!parsed.ok()) return parsed.status().WithContext("AWS_CREDENTIAL_EXPIRATION");
    credentials.expiration = *parsed;
  }
  credentials.source = "environment";
  return credentials;
}

std::string DefaultRoleSessionName(const Clock& clock) {
  return fmt::format("glueguard-{}", ToUnixMillis(clock.Now()));
}

Result<std::string> ReadTokenFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::Unavailable(fmt::format("cannot open {} '{}': {}", what, path, std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Unavailable(fmt::format("cannot read {} '{}'", what, path));
  std::string token = text.str();
  while (!token.empty() &&
         (token.back() == '\n' || token.back() == '\r' || token.back() == ' ' || token.back() == '\t')) {
    token.pop_back();
  }
  return token;
}

std::unique_ptr<WebIdentityCredentialsProvider> WebIdentityCredentialsProvider::FromEnv(const EnvLookup& env,
                                                                                        StsFactory sts,
                                                                                        Clock& clock) {
  std::optional<WebIdentitySettings> settings;
  std::optional<std::string> token_file = NonEmpty(env, "AWS_WEB_IDENTITY_TOKEN_FILE");
  std::optional<std::string> role_arn = NonEmpty(env, "AWS_ROLE_ARN");
  if (token_file && role_arn) {
    settings =
        WebIdentitySettings{*role_arn, *token_file, NonEmpty(env, "AWS_ROLE_SESSION_NAME").value_or(""),
                            std::nullopt, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)"};
  }
  return std::make_unique<WebIdentityCredentialsProvider>(std::move(settings), std::move(sts), clock);
}

Result<Credentials> WebIdentityCredentialsProvider::Get() {
  if (!settings_) return Status::NotFound("AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not both set");
  const WebIdentitySettings& s = *settings_;
  const std::string context = fmt::format("{}: role {}", s.source, s.role_arn);
  Result<std::string> token = ReadTokenFile(s.token_file, "web identity token file");
  if (!token.ok()) return token.status().WithContext(context);
  if (token->empty()) {
    return Status::InvalidArgument(
        fmt::format("{}: web identity token file '{}' is empty", context, s.token_file));
  }
  AssumeRoleWithWebIdentityRequest request;
  request.role_arn = s.role_arn;
  request.role_session_name = s.session_name.empty() ? DefaultRoleSessionName(clock_) : s.session_name;
  request.web_identity_token = std::move(*token);
  request.duration_seconds = s.duration_seconds;
  NoCredentialsProvider unsigned_call;
  std::unique_ptr<StsApi> sts = sts_(unsigned_call);
  Result<AssumedRole> role = sts->AssumeRoleWithWebIdentity(request);
  if (!role.ok()) return role.status().WithContext(context);
  role->credentials.source = s.source;
  return std::move(role->credentials);
}

}  // namespace glueguard
