#include "aws/environment.h"

#include <fmt/format.h>

#include <charconv>

#include "base/strings.h"

namespace glueguard {

Result<AwsEnvironment> AwsEnvironment::Load(const EnvLookup& env) {
  Result<SharedConfig> config = SharedConfig::Load(env);
  if (!config.ok()) return config.status();
  return FromConfig(env, std::move(*config));
}

Result<AwsEnvironment> AwsEnvironment::FromConfig(const EnvLookup& env, SharedConfig config) {
  AwsEnvironment out;
  out.env_ = env;
  out.config_ = std::move(config);
  const std::string& profile = out.config_.profile();
  if (auto r = env("AWS_REGION"); r && !r->empty()) {
    out.region_ = *r;
  } else if (auto d = env("AWS_DEFAULT_REGION"); d && !d->empty()) {
    out.region_ = *d;
  } else if (auto p = out.config_.Get(profile, "region")) {
    out.region_ = *p;
  }
  std::optional<std::string> attempts = env("AWS_MAX_ATTEMPTS");
  std::string source = "AWS_MAX_ATTEMPTS";
  if (!attempts) {
    attempts = out.config_.Get(profile, "max_attempts");
    source = "max_attempts of profile " + profile;
  }
  if (attempts) {
    const int n = ParseWholeNumber<int>(*attempts).value_or(0);
    if (n < 1 || n > 20) {
      return Status::InvalidArgument(fmt::format("{} = '{}' is not a whole number 1..20", source, *attempts));
    }
    out.max_attempts_ = n;
  }
  return out;
}

namespace {

bool StsIsGlobal(const EnvLookup& env, const SharedConfig& config) {
  std::optional<std::string> mode = env("AWS_STS_REGIONAL_ENDPOINTS");
  if (!mode) mode = config.Get(config.profile(), "sts_regional_endpoints");
  return mode && ToLower(*mode) == "legacy";
}

}  // namespace

std::string AwsEnvironment::SigningRegion(const ServiceInfo& service) const {
  if (std::string_view(service.id) == "STS" && (region_.empty() || StsIsGlobal(env_, config_))) {
    return "us-east-1";
  }
  return region_;
}

Result<Url> AwsEnvironment::Endpoint(const ServiceInfo& service) const {
  auto parse = [&](const std::string& text, const std::string& from) -> Result<Url> {
    Result<Url> url = ParseUrl(text);
    if (!url.ok()) return url.status().WithContext(fmt::format("endpoint from {}", from));
    return url;
  };
  const bool ignore_configured =
      ParseStrictBool(env_("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").value_or("false")).value_or(false);
  if (!ignore_configured) {
    const std::string service_variable = std::string("AWS_ENDPOINT_URL_") + service.id;
    if (auto v = env_(service_variable); v && !v->empty()) return parse(*v, service_variable);
    if (auto v = env_("AWS_ENDPOINT_URL"); v && !v->empty()) return parse(*v, "AWS_ENDPOINT_URL");
    const std::string& profile = config_.profile();
    if (auto section = config_.Get(profile, "services")) {
      if (auto v = config_.GetService(*section, service.config_key, "endpoint_url")) {
        return parse(*v, fmt::format("[services {}] {}", *section, service.config_key));
      }
    }
    if (auto v = config_.Get(profile, "endpoint_url")) return parse(*v, "endpoint_url of profile " + profile);
  }
  if (std::string_view(service.id) == "STS" && (region_.empty() || StsIsGlobal(env_, config_))) {
    return parse("https://sts.amazonaws.com", "the global STS endpoint");
  }
  if (region_.empty()) {
    return Status::InvalidArgument(fmt::format(
        "no AWS region: set AWS_REGION, AWS_DEFAULT_REGION or `region` in profile {}", config_.profile()));
  }
  const char* suffix = region_.rfind("cn-", 0) == 0 ? "amazonaws.com.cn" : "amazonaws.com";
  return parse(fmt::format("https://{}.{}.{}", service.endpoint_prefix, region_, suffix),
               "the default endpoint");
}

}  // namespace glueguard
