// libFuzzer target: the scalar parsers that read outside input (CIDRs, buffer policy specs, durations, times).
// Each must return a value or an error with a message. A value must also survive a round trip.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "admission/buffer_policy.h"
#include "admission/cidr.h"
#include "base/time.h"

namespace {

template <typename T>
void Check(const glueguard::Result<T>& r) {
  if (!r.ok() && r.status().message().empty()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cidr = glueguard::ParseCidr(text);
  Check(cidr);
  if (cidr.ok() && glueguard::ParseCidr(cidr->ToString())->network != cidr->network) __builtin_trap();
  auto policy = glueguard::ParseBufferPolicy(text);
  Check(policy);
  if (policy.ok() && glueguard::ParseBufferPolicy(policy->ToString())->ToString() != policy->ToString()) {
    __builtin_trap();
  }
  Check(glueguard::ParseDuration(text));
  auto time = glueguard::ParseTime(text);
  Check(time);
  if (time.ok() && *glueguard::ParseTime(glueguard::FormatTime(*time)) != *time) __builtin_trap();
  return 0;
}
