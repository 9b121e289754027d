// libFuzzer target: any bytes as a workload file, then (when it parses) one simulated day of it and a cron
// expression made of its first line. Parsing must give a Workload or an error that says something; a workload
// that parses must simulate without a crash or a hang. Build and run with `make fuzz`.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sim/cron.h"
#include "sim/simulation.h"
#include "sim/workload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  glueguard::Result<glueguard::CronSchedule> cron = glueguard::CronSchedule::Parse(text.substr(0, text.find('\n')));
  if (cron.ok()) {
    (void)cron->Next(glueguard::FromUnixMillis(1'767'571'200'000));
  } else if (cron.status().message().empty()) {
    __builtin_trap();
  }
  glueguard::Result<glueguard::Workload> workload = glueguard::ParseWorkload(text, "fuzz.yaml");
  if (!workload.ok()) {
    if (workload.status().message().empty()) __builtin_trap();
    return 0;
  }
  // Bound the work a parsed workload can ask for: one day, and only modest arrival rates.
  for (const glueguard::WorkloadAdhoc& a : workload->adhoc) {
    if (a.per_day > 1000) return 0;
  }
  for (const glueguard::WorkloadSessions& s : workload->sessions) {
    if (s.per_day > 1000) return 0;
  }
  const glueguard::SimPolicy policy = *glueguard::ParseSimPolicy("rolling-max", workload->admission);
  (void)glueguard::RunSimulation(*workload, policy, 1, 1);
  return 0;
}
