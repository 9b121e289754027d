#include "aws/credentials_remote.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "aws/credentials_env.h"
#include "aws/credentials_parse.h"
#include "base/json_limits.h"
#include "base/strings.h"
#include "net/url.h"

namespace glueguard {

namespace {

constexpr const char* kEcsEndpoint = "http://169.254.170.2";
constexpr const char* kImdsEndpoint = "http://169.254.169.254";
constexpr const char* kImdsIpv6Endpoint = "http://[fd00:ec2::254]";
constexpr const char* kImdsTokenTtlSeconds = "21600";
constexpr const char* kImdsRolesPath = "/latest/meta-data/iam/security-credentials/";
constexpr int kContainerAttempts = 3;
constexpr Duration kContainerRetryWait = std::chrono::seconds(1);
constexpr Duration kImdsTimeout = std::chrono::seconds(1);

std::optional<std::string> NonEmpty(const EnvLookup& env, const char* name) {
  std::optional<std::string> value = env(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

// The host of an absolute URL, lower-cased, without brackets for an IPv6 literal; empty when there is none.
std::string UrlHost(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return "";
  std::string_view authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return "";
    return ToLower(authority.substr(1, close - 1));
  }
  return ToLower(authority.substr(0, authority.find(':')));
}

// True for a dotted-quad IPv4 address in 127.0.0.0/8.
bool IsIpv4Loopback(std::string_view host) {
  int octets = 0;
  while (!host.empty()) {
    const size_t dot = host.find('.');
    const std::string_view part = host.substr(0, dot);
    const int value = ParseWholeNumber<int>(part).value_or(-1);
    if (value < 0 || value > 255) return false;
    if (octets == 0 && value != 127) return false;
    ++octets;
    host = dot == std::string_view::npos ? std::string_view() : host.substr(dot + 1);
    if (dot != std::string_view::npos && host.empty()) return false;
  }
  return octets == 4;
}

// A remote source's malformed reply is the source misbehaving: Internal, with the same message.
Status AsInternal(const Status& status) { return Status(StatusCode::kInternal, status.message()); }

}  // namespace

bool IsAllowedContainerCredentialsUrl(const std::string& url) {
  Result<Url> parsed = ParseUrl(url);
  if (!parsed.ok()) return false;
  const std::string host = UrlHost(url);
  if (host.empty()) return false;
  if (parsed->scheme == "https") return true;
  return host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23" ||
         host == "localhost" || host == "::1" || IsIpv4Loopback(host);
}

Result<std::unique_ptr<ContainerCredentialsProvider>> ContainerCredentialsProvider::FromEnv(
    const EnvLookup& env, HttpTransport& transport, Sleeper& sleeper) {
  std::optional<ContainerEndpoint> endpoint;
  if (auto relative = NonEmpty(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    endpoint =
        ContainerEndpoint{kEcsEndpoint + (relative->starts_with('/') ? *relative : "/" + *relative), "", ""};
  } else if (auto full = NonEmpty(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    if (!IsAllowedContainerCredentialsUrl(*full)) {
      return Status::InvalidArgument(fmt::format(
          "AWS_CONTAINER_CREDENTIALS_FULL_URI '{}' must be https, or http to 169.254.170.2, 169.254.170.23, "
          "fd00:ec2::23, localhost or a loopback address",
          *full));
    }
    endpoint = ContainerEndpoint{*full, "", ""};
  }
  if (endpoint) {
    endpoint->authorization_token = NonEmpty(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN").value_or("");
    endpoint->authorization_token_file = NonEmpty(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE").value_or("");
  }
  return std::make_unique<ContainerCredentialsProvider>(std::move(endpoint), transport, sleeper);
}

Result<Credentials> ContainerCredentialsProvider::Get() {
  if (!endpoint_) {
    return Status::NotFound(
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are unset");
  }
  const std::string source = fmt::format("container credentials {}", endpoint_->url);
  std::string token = endpoint_->authorization_token;
  if (!endpoint_->authorization_token_file.empty()) {
    Result<std::string> from_file =
        ReadTokenFile(endpoint_->authorization_token_file, "container authorization token file");
    if (!from_file.ok()) return from_file.status().WithContext(source);
    token = std::move(*from_file);
  }
  if (token.find_first_of("\r\n") != std::string::npos) {
    return Status::InvalidArgument(fmt::format("{}: the authorization token holds a line break", source));
  }
  HttpRequest request;
  request.method = "GET";
  request.url = endpoint_->url;
  request.headers.push_back({"Accept", "application/json"});
  if (!token.empty()) request.headers.push_back({"Authorization", token});
  request.connect_timeout = std::chrono::seconds(2);
  request.timeout = std::chrono::seconds(5);

  Status last;
  for (int attempt = 1; attempt <= kContainerAttempts; ++attempt) {
    if (attempt > 1) sleeper_.Sleep(kContainerRetryWait);
    Result<HttpResponse> response = transport_.Send(request);
    if (!response.ok()) {
      last = Status::Unavailable(fmt::format("{}: {}", source, response.status().message()));
      continue;
    }
    const int status = response->status;
    if (status >= 200 && status < 300) {
      Result<Credentials> credentials = ParseCredentialsJson(response->body, CredentialsJsonFields{}, source);
      if (!credentials.ok()) return AsInternal(credentials.status());
      credentials->source = "container";
      return credentials;
    }
    if (status == 401 || status == 403) {
      return Status::PermissionDenied(fmt::format("{}: HTTP {}", source, status));
    }
    if (status < 500) return Status::InvalidArgument(fmt::format("{}: HTTP {}", source, status));
    last = Status::Unavailable(fmt::format("{}: HTTP {}", source, status));
  }
  return last.WithContext(fmt::format("after {} attempts", kContainerAttempts));
}

Result<std::unique_ptr<InstanceMetadataCredentialsProvider>> InstanceMetadataCredentialsProvider::FromEnv(
    const EnvLookup& env, const SharedConfig& config, HttpTransport& transport) {
  if (auto disabled = env("AWS_EC2_METADATA_DISABLED"); disabled && ToLower(*disabled) == "true") {
    return std::make_unique<InstanceMetadataCredentialsProvider>(std::nullopt, transport);
  }
  const std::string& profile = config.profile();
  std::string endpoint = kImdsEndpoint;
  std::string from = "the default endpoint";
  std::optional<std::string> mode = NonEmpty(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
  if (!mode) mode = config.Get(profile, "ec2_metadata_service_endpoint_mode");
  if (auto e = NonEmpty(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
    endpoint = *e;
    from = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
  } else if (auto c = config.Get(profile, "ec2_metadata_service_endpoint"); c && !c->empty()) {
    endpoint = *c;
    from = "ec2_metadata_service_endpoint of profile " + profile;
  } else if (mode && ToLower(*mode) == "ipv6") {
    endpoint = kImdsIpv6Endpoint;
  }
  if (!endpoint.starts_with("http://") && !endpoint.starts_with("https://")) {
    return Status::InvalidArgument(fmt::format("{} '{}' is not an http(s) URL", from, endpoint));
  }
  while (endpoint.ends_with('/')) endpoint.pop_back();
  return std::make_unique<InstanceMetadataCredentialsProvider>(std::move(endpoint), transport);
}

Result<Credentials> InstanceMetadataCredentialsProvider::Get() {
  if (!endpoint_) return Status::NotFound("AWS_EC2_METADATA_DISABLED is true");
  const std::string& base = *endpoint_;
  HttpRequest token_request;
  token_request.method = "PUT";
  token_request.url = base + "/latest/api/token";
  token_request.headers.push_back({"x-aws-ec2-metadata-token-ttl-seconds", kImdsTokenTtlSeconds});
  token_request.connect_timeout = kImdsTimeout;
  token_request.timeout = kImdsTimeout;
  Result<HttpResponse> token_response = transport_.Send(token_request);
  if (!token_response.ok()) {
    return Status::NotFound(
        fmt::format("no EC2 instance metadata service at {}: {}", base, token_response.status().message()));
  }
  std::optional<std::string> token;  // nullopt: IMDSv1
  const int token_status = token_response->status;
  if (token_status == 200 && !token_response->body.empty()) {
    token = std::move(token_response->body);
  } else if (token_status == 400) {
    return Status::InvalidArgument(
        fmt::format("instance metadata {}: the token request was refused (HTTP 400)", token_request.url));
  } else if (token_status != 403 && token_status != 404 && token_status != 405) {
    return Status::Unavailable(fmt::format("instance metadata {}: HTTP {}", token_request.url, token_status));
  }

  auto get = [&](const std::string& path) -> Result<HttpResponse> {
    HttpRequest request;
    request.method = "GET";
    request.url = base + path;
    if (token) request.headers.push_back({"x-aws-ec2-metadata-token", *token});
    request.connect_timeout = kImdsTimeout;
    request.timeout = kImdsTimeout;
    Result<HttpResponse> response = transport_.Send(request);
    if (!response.ok()) {
      return Status::Unavailable(
          fmt::format("instance metadata {}: {}", request.url, response.status().message()));
    }
    if (response->status == 404) {
      return Status::NotFound(fmt::format("instance metadata {}: HTTP 404", request.url));
    }
    if (response->status != 200) {
      return Status::Unavailable(fmt::format("instance metadata {}: HTTP {}", request.url, response->status));
    }
    return response;
  };

  Result<HttpResponse> roles = get(kImdsRolesPath);
  if (!roles.ok()) {
    if (roles.status().code() == StatusCode::kNotFound) {
      return Status::NotFound(fmt::format("the EC2 instance has no IAM role ({})", roles.status().message()));
    }
    return roles.status();
  }
  std::string role = roles->body.substr(0, roles->body.find('\n'));
  while (!role.empty() && (role.back() == '\r' || role.back() == ' ')) role.pop_back();
  if (role.empty()) return Status::NotFound("the EC2 instance has no IAM role (empty role list)");

  Result<HttpResponse> document = get(kImdsRolesPath + role);
  if (!document.ok()) {
    const Status& s = document.status();
    return Status::Unavailable(s.message());  // the role just listed must be there: not a NotFound
  }
  const std::string source = fmt::format("instance metadata role {}", role);
  GG_RETURN_IF_ERROR(CheckJsonDepth(document->body, source));
  const nlohmann::json parsed = nlohmann::json::parse(document->body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object()) {
    auto code = parsed.find("Code");
    if (code != parsed.end() && code->is_string() && code->get<std::string>() != "Success") {
      return Status::Unavailable(fmt::format("{}: Code is {}", source, code->get<std::string>()));
    }
  }
  Result<Credentials> credentials = ParseCredentialsJson(document->body, CredentialsJsonFields{}, source);
  if (!credentials.ok()) return AsInternal(credentials.status());
  credentials->source = source;
  return credentials;
}

}  // namespace glueguard
