// Parsing what credential sources send back: the ISO-8601 expiration times and the JSON documents of the
// container endpoint, the EC2 instance metadata service and credential_process. Pure functions; no I/O.
#pragma once

#include <string>
#include <string_view>

#include "aws/sigv4.h"
#include "base/status.h"
#include "base/time.h"

namespace glueguard {

// An AWS credential expiration: "2026-11-23T07:03:00Z", with optional fractional seconds, and also with a
// "+00:00" (or "-00:00") suffix in place of "Z". Other offsets are not UTC and are InvalidArgument.
Result<Time> ParseExpiration(std::string_view text);

// The names of the fields of a credentials JSON document, which differ by source.
struct CredentialsJsonFields {
  const char* access_key_id = "AccessKeyId";
  const char* secret_access_key = "SecretAccessKey";
  const char* session_token = "Token";  // "SessionToken" for credential_process
  const char* expiration = "Expiration";
};

// Parses a JSON object holding credentials. The access key and secret are required strings; the session token
// and expiration are optional (an absent expiration means the credentials do not expire). `source` goes into
// Credentials::source and into error messages. Errors (InvalidArgument) name the field that is missing or
// malformed and never contain any value from the document, so a secret cannot leak into a log.
Result<Credentials> ParseCredentialsJson(std::string_view json, const CredentialsJsonFields& fields,
                                         std::string_view source);

}  // namespace glueguard
