// IPv4 subnets as AWS sizes them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace glueguard {

// AWS reserves the first four addresses and the last one of every subnet.
inline constexpr int kAwsReservedIps = 5;
// The prefix lengths a VPC subnet may have.
inline constexpr int kMinSubnetPrefix = 16;
inline constexpr int kMaxSubnetPrefix = 28;

struct Cidr {
  uint32_t network = 0;  // host byte order; host bits are zero
  int prefix = 0;

  // The addresses glueguard can hand out: 2^(32-prefix) - 5.
  int UsableIps() const;
  // "10.0.1.0/26".
  std::string ToString() const;
};

// Parses "a.b.c.d/p". Errors (InvalidArgument, naming the problem): not dotted-quad, an octet over 255,
// a prefix outside /16../28, or host bits set ("10.0.1.5/26" -- did you mean 10.0.1.0/26?).
Result<Cidr> ParseCidr(std::string_view text);

}  // namespace glueguard
