// AWS Signature Version 4, as a pure function of the request, the credentials, the scope and the time.
#pragma once

#include <string>
#include <string_view>

#include "net/http.h"
#include "base/time.h"

namespace glueguard {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
  Time expiration{};          // epoch = does not expire
  std::string source;         // which provider gave them ("environment", "profile default", ...); never secret

  bool expires() const { return expiration != Time{}; }
};

struct SigningRequest {
  std::string method;   // "GET", "POST", ...
  std::string host;     // the Host header's value; used when `headers` has no Host
  std::string path;     // as in the URL; normalised and encoded by the signer as botocore does
  std::string query;    // as in the URL (already percent-encoded), without '?'
  HttpHeaders headers;  // every header to sign; X-Amz-Date and X-Amz-Security-Token are set by the signer
  std::string body;
};

struct SigningResult {
  std::string amz_date;           // "20150830T123600Z"
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;     // "content-type;host;x-amz-date"
  std::string signature;          // lower-case hex
  std::string authorization;      // the Authorization header's value
  // The headers to add to the request as sent: X-Amz-Date, X-Amz-Security-Token when there is a token, and
  // Authorization.
  HttpHeaders headers_to_add;
};

// Signs `request` for `region` and `service` (the signing name: ec2, glue, sqs, monitoring, ...) at `now`.
// The canonical request follows botocore: the path has dot segments and repeated slashes removed and is then
// percent-encoded ('/' and '~' kept); the query's pairs are sorted as written; header names are lower-cased,
// values trimmed with inner whitespace runs collapsed, repeated headers joined with ','; the payload hash is
// SHA-256 of the body. User-Agent, Expect and X-Amzn-Trace-Id are never signed.
SigningResult SignV4(const SigningRequest& request, const Credentials& credentials, std::string_view region,
                     std::string_view service, Time now);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
// Raw HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);
// "YYYYMMDDTHHMMSSZ".
std::string AmzDate(Time t);

}  // namespace glueguard
