#include "simcloud/sigv4_verifier.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>

#include "aws/sigv4.h"
#include "base/strings.h"

namespace glueguard {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kSignatureMismatch =
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details.";
constexpr std::string_view kInvalidToken = "The security token included in the request is invalid.";
constexpr std::string_view kEc2AuthFailure = "AWS was not able to validate the provided access credentials";

// What went wrong, independent of how a protocol words it.
enum class Failure { kMissing, kIncomplete, kUnknownKey, kExpired, kMismatch };

AwsError Word(Failure failure, WireProtocol protocol, const std::string& detail) {
  const bool ec2 = protocol == WireProtocol::kEc2;
  const bool json = protocol == WireProtocol::kJson;
  switch (failure) {
    case Failure::kMissing:
      if (ec2) {
        return {
            401, "MissingAuthenticationToken",
            "The request must contain either a valid (registered) AWS access key ID or X.509 certificate."};
      }
      return {json ? 400 : 403, json ? "MissingAuthenticationTokenException" : "MissingAuthenticationToken",
              "Request is missing Authentication Token"};
    case Failure::kIncomplete:
      return {400, json ? "IncompleteSignatureException" : "IncompleteSignature", detail};
    case Failure::kUnknownKey:
      if (ec2) return {401, "AuthFailure", std::string(kEc2AuthFailure)};
      return {json ? 400 : 403, json ? "UnrecognizedClientException" : "InvalidClientTokenId",
              std::string(kInvalidToken)};
    case Failure::kExpired:
      if (ec2) return {400, "RequestExpired", "Request has expired."};
      return {json ? 400 : 403, json ? "InvalidSignatureException" : "SignatureDoesNotMatch", detail};
    case Failure::kMismatch:
      if (ec2) return {401, "AuthFailure", std::string(kEc2AuthFailure)};
      return {json ? 400 : 403, json ? "InvalidSignatureException" : "SignatureDoesNotMatch",
              detail.empty() ? std::string(kSignatureMismatch) : detail};
  }
  return {500, "InternalFailure", "unreachable"};
}


std::vector<std::string_view> Split(std::string_view s, char separator) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t end = s.find(separator, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

std::string SkewMinutes(Duration max_skew) {
  return fmt::format("{} min.", std::chrono::duration_cast<std::chrono::minutes>(max_skew).count());
}

}  // namespace

Result<SigV4Authorization> ParseSigV4Authorization(std::string_view header) {
  const std::string_view trimmed = Trim(header);
  const size_t space = trimmed.find(' ');
  const std::string_view algorithm = trimmed.substr(0, space);
  const std::string_view rest =
      space == std::string_view::npos ? std::string_view() : trimmed.substr(space + 1);
  std::optional<std::string> credential, signed_headers, signature;
  // Parts are separated by commas and/or whitespace: "Credential=A /B" has a part "/B" without '='.
  std::string separated(rest);
  std::replace_if(
      separated.begin(), separated.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); },
      ',');
  for (const std::string_view part : Split(separated, ',')) {
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument(
          fmt::format("'{}' not a valid key=value pair (missing equal-sign) in Authorization header: '{}'.",
                      part, header));
    }
    const std::string_view key = part.substr(0, eq);
    const std::string value(part.substr(eq + 1));
    if (key == "Credential") credential = value;
    if (key == "SignedHeaders") signed_headers = value;
    if (key == "Signature") signature = value;
  }
  std::string missing;
  if (!credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (!signed_headers) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!missing.empty()) return Status::InvalidArgument(fmt::format("{}Authorization={}", missing, header));
  if (algorithm != kAlgorithm) {
    return Status::InvalidArgument(fmt::format("Unsupported AWS 'algorithm': '{}'.", algorithm));
  }
  const std::vector<std::string_view> scope = Split(*credential, '/');
  if (scope.size() != 5) {
    return Status::InvalidArgument(fmt::format(
        "Credential should have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got "
        "'{}'",
        *credential));
  }
  if (scope[4] != "aws4_request") {
    return Status::InvalidArgument(fmt::format(
        "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'.", scope[4]));
  }
  SigV4Authorization out;
  out.access_key_id = std::string(scope[0]);
  out.date = std::string(scope[1]);
  out.region = std::string(scope[2]);
  out.service = std::string(scope[3]);
  for (const std::string_view name : Split(*signed_headers, ';')) {
    if (!name.empty()) out.signed_headers.push_back(ToLower(name));
  }
  out.signature = *signature;
  return out;
}

Result<Time> ParseAmzDate(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument(fmt::format(
        "Date must be in ISO-8601 'basic format'. Got '{}'. See http://en.wikipedia.org/wiki/ISO_8601",
        text));
  };
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return bad();
  const std::string iso =
      fmt::format("{}-{}-{}T{}:{}:{}Z", text.substr(0, 4), text.substr(4, 2), text.substr(6, 2),
                  text.substr(9, 2), text.substr(11, 2), text.substr(13, 2));
  Result<Time> t = ParseTime(iso);
  if (!t.ok() || AmzDate(*t) != text) return bad();
  return t;
}

SigV4Verdict VerifySigV4(const ServerRequest& request, std::string_view service, WireProtocol protocol,
                         const CredentialLookup& credentials, Time now, Duration max_skew) {
  auto fail = [protocol](Failure failure, const std::string& detail = "") {
    return SigV4Verdict{std::nullopt, Word(failure, protocol, detail)};
  };
  const std::string* header = request.Header("Authorization");
  if (header == nullptr) return fail(Failure::kMissing);
  Result<SigV4Authorization> authorization = ParseSigV4Authorization(*header);
  if (!authorization.ok()) return fail(Failure::kIncomplete, authorization.status().message());
  const std::string* amz_date = request.Header("X-Amz-Date");
  if (amz_date == nullptr) {
    return fail(Failure::kIncomplete, fmt::format("Authorization header requires existence of either a "
                                                  "'X-Amz-Date' or a 'Date' header. Authorization={}",
                                                  *header));
  }
  Result<Time> signed_at = ParseAmzDate(*amz_date);
  if (!signed_at.ok()) return fail(Failure::kIncomplete, signed_at.status().message());

  const std::optional<SimCredential> credential = credentials(authorization->access_key_id);
  if (!credential) return fail(Failure::kUnknownKey);
  const std::string* token = request.Header("X-Amz-Security-Token");
  if ((token == nullptr ? std::string() : *token) != credential->session_token)
    return fail(Failure::kUnknownKey);

  if (*signed_at < now - max_skew) {
    return fail(Failure::kExpired,
                fmt::format("Signature expired: {} is now earlier than {} ({} - {})", *amz_date,
                            AmzDate(now - max_skew), AmzDate(now), SkewMinutes(max_skew)));
  }
  if (*signed_at > now + max_skew) {
    return fail(Failure::kExpired,
                fmt::format("Signature not yet current: {} is still later than {} ({} + {})", *amz_date,
                            AmzDate(now + max_skew), AmzDate(now), SkewMinutes(max_skew)));
  }
  if (authorization->date != amz_date->substr(0, 8)) {
    return fail(
        Failure::kMismatch,
        fmt::format("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
                    "HTTP: '{}' != '{}', from '{}'.",
                    authorization->date, amz_date->substr(0, 8), *amz_date));
  }
  if (!service.empty() && authorization->service != service) {
    return fail(Failure::kMismatch,
                fmt::format("Credential should be scoped to correct service: '{}'. ", service));
  }
  const std::vector<std::string>& listed = authorization->signed_headers;
  if (std::find(listed.begin(), listed.end(), "host") == listed.end()) {
    return fail(Failure::kMismatch,
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }

  // Rebuild what the client signed: exactly the listed headers, as received, at the client's own time.
  SigningRequest to_sign;
  to_sign.method = request.method;
  to_sign.path = request.path;
  to_sign.query = request.query;
  to_sign.body = request.body;
  if (const std::string* host = request.Header("Host")) to_sign.host = *host;
  for (const HttpHeader& h : request.headers) {
    if (std::find(listed.begin(), listed.end(), ToLower(h.name)) != listed.end())
      to_sign.headers.push_back(h);
  }
  Credentials keys;
  keys.access_key_id = credential->access_key_id;
  keys.secret_access_key = credential->secret_access_key;
  if (token != nullptr && std::find(listed.begin(), listed.end(), "x-amz-security-token") != listed.end()) {
    keys.session_token = *token;
  }
  const SigningResult expected =
      SignV4(to_sign, keys, authorization->region, authorization->service, *signed_at);
  const std::string& sent = authorization->signature;
  if (expected.signature.size() != sent.size() ||
      CRYPTO_memcmp(expected.signature.data(), sent.data(), sent.size()) != 0) {
    return fail(Failure::kMismatch);
  }
  return SigV4Verdict{
      Caller{credential->access_key_id, credential->account_id,
             fmt::format("arn:aws:iam::{}:user/{}", credential->account_id, credential->user_name),
             authorization->region},
      {}};
}

}  // namespace glueguard
