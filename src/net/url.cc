#include "net/url.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "base/strings.h"

namespace glueguard {

std::string Url::Authority() const {
  const bool default_port =
      port == 0 || (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  return default_port ? host : fmt::format("{}:{}", host, port);
}

std::string Url::Origin() const { return scheme + "://" + Authority(); }

Result<Url> ParseUrl(std::string_view text) {
  Url url;
  const size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    return Status::InvalidArgument(fmt::format("'{}' is not an absolute URL (no scheme://)", text));
  }
  url.scheme = std::string(text.substr(0, scheme_end));
  for (char& c : url.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (url.scheme != "http" && url.scheme != "https") {
    return Status::InvalidArgument(fmt::format("'{}': only http and https URLs are supported", text));
  }
  std::string_view rest = text.substr(scheme_end + 3);
  const size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  std::string_view tail = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos)
    authority = authority.substr(at + 1);
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    const std::string_view port_text = authority.substr(colon + 1);
    const int port = ParseWholeNumber<int>(port_text).value_or(0);
    if (port < 1 || port > 65535) {
      return Status::InvalidArgument(fmt::format("'{}': port '{}' is not 1..65535", text, port_text));
    }
    url.port = port;
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return Status::InvalidArgument(fmt::format("'{}' has no host", text));
  url.host = std::string(authority);
  if (const size_t hash = tail.find('#'); hash != std::string_view::npos) tail = tail.substr(0, hash);
  const size_t q = tail.find('?');
  url.path = std::string(tail.substr(0, q));
  if (url.path.empty()) url.path = "/";
  if (q != std::string_view::npos) url.query = std::string(tail.substr(q + 1));
  return url;
}

std::string UriEncode(std::string_view text, std::string_view keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        keep.find(ch) != std::string_view::npos) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string UriDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && text[i] == '+' ? ' ' : text[i]);
  }
  return out;
}

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += UriEncode(key);
    out.push_back('=');
    out += UriEncode(value);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> FormDecode(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= body.size()) {
    const size_t amp = body.find('&', start);
    const std::string_view pair =
        body.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      out.emplace_back(UriDecode(pair.substr(0, eq), true),
                       eq == std::string_view::npos ? std::string() : UriDecode(pair.substr(eq + 1), true));
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return out;
}

}  // namespace glueguard
