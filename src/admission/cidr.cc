#include "admission/cidr.h"

#include <fmt/format.h>

#include <charconv>

namespace glueguard {

int Cidr::UsableIps() const { return (1 << (32 - prefix)) - kAwsReservedIps; }

std::string Cidr::ToString() const {
  return fmt::format("{}.{}.{}.{}/{}", network >> 24, (network >> 16) & 0xff, (network >> 8) & 0xff,
                     network & 0xff, prefix);
}

namespace {

// Parses a decimal number of 1-3 digits with no sign or leading '+'.
bool ParseSmallNumber(std::string_view text, int max, int& out) {
  if (text.empty() || text.size() > 3) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= 0 && out <= max;
}

}  // namespace

Result<Cidr> ParseCidr(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return Status::InvalidArgument(fmt::format("CIDR '{}' has no prefix length; write it like 10.0.1.0/26", text));
  }
  const std::string_view address = text.substr(0, slash);
  uint32_t network = 0;
  size_t start = 0;
  for (int i = 0; i < 4; ++i) {
    const size_t dot = i < 3 ? address.find('.', start) : address.size();
    if (dot == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format("CIDR '{}': '{}' is not a dotted-quad IPv4 address", text, address));
    }
    int octet = 0;
    if (!ParseSmallNumber(address.substr(start, dot - start), 255, octet)) {
      return Status::InvalidArgument(
          fmt::format("CIDR '{}': '{}' is not an IPv4 address (each part is 0..255)", text, address));
    }
    network = (network << 8) | static_cast<uint32_t>(octet);
    start = dot + 1;
  }
  int prefix = 0;
  if (!ParseSmallNumber(text.substr(slash + 1), 32, prefix)) {
    return Status::InvalidArgument(fmt::format("CIDR '{}': the prefix length is not a number 0..32", text));
  }
  if (prefix < kMinSubnetPrefix || prefix > kMaxSubnetPrefix) {
    return Status::InvalidArgument(fmt::format("CIDR '{}': a VPC subnet must be /{} to /{}, not /{}", text,
                                               kMinSubnetPrefix, kMaxSubnetPrefix, prefix));
  }
  const uint32_t mask = ~uint32_t{0} << (32 - prefix);
  if ((network & ~mask) != 0) {
    const Cidr aligned{network & mask, prefix};
    return Status::InvalidArgument(
        fmt::format("CIDR '{}' has host bits set; did you mean {}?", text, aligned.ToString()));
  }
  return Cidr{network, prefix};
}

}  // namespace glueguard
