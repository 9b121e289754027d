// URLs and the percent-encodings AWS requests use.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace glueguard {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // a name or an IPv4 address
  int port = 0;        // 0 = the scheme's default
  std::string path;    // "/" when the URL has none
  std::string query;   // without '?', as written

  // host, with ":port" when the port is not the scheme's default: the Host header's value.
  std::string Authority() const;
  // scheme://authority
  std::string Origin() const;
};

// Parses an absolute http or https URL. InvalidArgument names what is wrong.
Result<Url> ParseUrl(std::string_view text);

// RFC 3986 percent-encoding: A-Z a-z 0-9 - _ . ~ stay, every other byte becomes %XX (upper-case hex).
// Characters in `keep` also stay (e.g. "/" for paths).
std::string UriEncode(std::string_view text, std::string_view keep = "");

// Decodes %XX escapes (and, when `plus_is_space`, '+' as a space). Malformed escapes stay as they are.
std::string UriDecode(std::string_view text, bool plus_is_space = false);

// application/x-www-form-urlencoded body of `params`, in order: key=value joined by '&', each part UriEncoded.
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& params);

// Splits a form body into decoded key/value pairs, in order.
std::vector<std::pair<std::string, std::string>> FormDecode(std::string_view body);

}  // namespace glueguard
