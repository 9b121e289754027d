#include "aws/credentials_parse.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/json_limits.h"

namespace glueguard {

Result<Time> ParseExpiration(std::string_view text) {
  std::string normalized(text);
  for (std::string_view utc_offset : {"+00:00", "-00:00"}) {
    if (normalized.size() > utc_offset.size() && normalized.ends_with(utc_offset)) {
      normalized.resize(normalized.size() - utc_offset.size());
      normalized += 'Z';
      break;
    }
  }
  return ParseTime(normalized);
}

Result<Credentials> ParseCredentialsJson(std::string_view json, const CredentialsJsonFields& fields,
                                         std::string_view source) {
  GG_RETURN_IF_ERROR(CheckJsonDepth(json, source));
  const nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidArgument(fmt::format("{}: the credentials reply is not a JSON object", source));
  }
  auto string_field = [&](const char* name, bool required, std::string& out) -> Status {
    auto it = doc.find(name);
    if (it == doc.end() || it->is_null()) {
      if (!required) return Status::Ok();
      return Status::InvalidArgument(fmt::format("{}: the credentials reply has no {}", source, name));
    }
    if (!it->is_string() || (required && it->get_ref<const std::string&>().empty())) {
      return Status::InvalidArgument(
          fmt::format("{}: {} in the credentials reply is not a non-empty string", source, name));
    }
    out = it->get<std::string>();
    return Status::Ok();
  };
  Credentials credentials;
  credentials.source = std::string(source);
  GG_RETURN_IF_ERROR(string_field(fields.access_key_id, true, credentials.access_key_id));
  GG_RETURN_IF_ERROR(string_field(fields.secret_access_key, true, credentials.secret_access_key));
  GG_RETURN_IF_ERROR(string_field(fields.session_token, false, credentials.session_token));
  std::string expiration;
  GG_RETURN_IF_ERROR(string_field(fields.expiration, false, expiration));
  if (!expiration.empty()) {
    Result<Time> parsed = ParseExpiration(expiration);
    if (!parsed.ok()) return parsed.status().WithContext(fmt::format("{}: {}", source, fields.expiration));
    credentials.expiration = *parsed;
  }
  return credentials;
}

}  // namespace glueguard
