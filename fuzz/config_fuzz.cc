// libFuzzer target: any bytes as a configuration file. It must come back as a Config or an error, never a
// crash, a hang or a leak. Build and run with `make fuzz`.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  glueguard::Result<glueguard::Config> config =
      glueguard::ParseConfig(text, "fuzz.yaml", [](const std::string&) { return std::optional<std::string>(); });
  if (!config.ok() && config.status().message().empty()) __builtin_trap();  // every error must say something
  return 0;
}
