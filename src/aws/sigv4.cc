#include "aws/sigv4.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include "net/url.h"
#include "base/strings.h"

namespace glueguard {

namespace {

std::string Hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0xf]);
  }
  return out;
}

// RFC 3986 5.2.4 dot-segment removal; also drops empty segments (repeated slashes), as AWS expects.
std::string NormalizePath(std::string_view path) {
  if (path.empty()) return "/";
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const std::string_view segment =
        path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string out = path.front() == '/' ? "/" : "";
  for (size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out.push_back('/');
    out.append(segments[i]);
  }
  if (path.back() == '/' && !segments.empty()) out.push_back('/');
  return out;
}

std::string CanonicalQuery(std::string_view query) {
  if (query.empty()) return "";
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  size_t start = 0;
  while (start <= query.size()) {
    const size_t amp = query.find('&', start);
    const std::string_view pair =
        query.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    const size_t eq = pair.find('=');
    pairs.emplace_back(pair.substr(0, eq), eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out.append(key);
    out.push_back('=');
    out.append(value);
  }
  return out;
}

// Trims and collapses runs of whitespace (as Python's str.split does for ASCII) to one space.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (const char ch : value) {
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(ch);
  }
  return out;
}

bool NeverSigned(const std::string& lower_name) {
  return lower_name == "user-agent" || lower_name == "expect" || lower_name == "x-amzn-trace-id" ||
         lower_name == "authorization";
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return Hex(digest, sizeof digest);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string AmzDate(Time t) {
  const std::time_t secs = static_cast<std::time_t>(ToUnixMillis(t) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04d}{:02d}{:02d}T{:02d}{:02d}{:02d}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
}

SigningResult SignV4(const SigningRequest& request, const Credentials& credentials, std::string_view region,
                     std::string_view service, Time now) {
  SigningResult result;
  result.amz_date = AmzDate(now);
  const std::string date = result.amz_date.substr(0, 8);

  // Lower-cased name -> values in order. The signer's own headers replace any the caller set.
  std::map<std::string, std::vector<std::string>> signed_headers;
  for (const HttpHeader& h : request.headers) {
    std::string name = ToLower(h.name);
    if (NeverSigned(name) || name == "x-amz-date" ||
        (name == "x-amz-security-token" && !credentials.session_token.empty())) {
      continue;
    }
    signed_headers[name].push_back(h.value);
  }
  if (signed_headers.find("host") == signed_headers.end()) signed_headers["host"] = {request.host};
  signed_headers["x-amz-date"] = {result.amz_date};
  result.headers_to_add.push_back({"X-Amz-Date", result.amz_date});
  if (!credentials.session_token.empty()) {
    signed_headers["x-amz-security-token"] = {credentials.session_token};
    result.headers_to_add.push_back({"X-Amz-Security-Token", credentials.session_token});
  }

  std::string canonical_headers;
  for (const auto& [name, values] : signed_headers) {
    canonical_headers += name;
    canonical_headers.push_back(':');
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) canonical_headers.push_back(',');
      canonical_headers += CanonicalHeaderValue(values[i]);
    }
    canonical_headers.push_back('\n');
    if (!result.signed_headers.empty()) result.signed_headers.push_back(';');
    result.signed_headers += name;
  }

  std::string method = request.method;
  for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  result.canonical_request = fmt::format("{}\n{}\n{}\n{}\n{}\n{}", method,
                                         UriEncode(NormalizePath(request.path), "/~"), CanonicalQuery(request.query),
                                         canonical_headers, result.signed_headers, Sha256Hex(request.body));
  const std::string scope = fmt::format("{}/{}/{}/aws4_request", date, region, service);
  result.string_to_sign =
      fmt::format("AWS4-HMAC-SHA256\n{}\n{}\n{}", result.amz_date, scope, Sha256Hex(result.canonical_request));

  const std::string k_date = HmacSha256("AWS4" + credentials.secret_access_key, date);
  const std::string k_region = HmacSha256(k_date, region);
  const std::string k_service = HmacSha256(k_region, service);
  const std::string k_signing = HmacSha256(k_service, "aws4_request");
  const std::string signature = HmacSha256(k_signing, result.string_to_sign);
  result.signature = Hex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
  result.authorization = fmt::format("AWS4-HMAC-SHA256 Credential={}/{}, SignedHeaders={}, Signature={}",
                                     credentials.access_key_id, scope, result.signed_headers, result.signature);
  result.headers_to_add.push_back({"Authorization", result.authorization});
  return result;
}

}  // namespace glueguard
