// Observations built by hand, for tests and benchmarks of admission and the stores.
#pragma once

#include <string>

#include "admission/observation.h"

namespace glueguard::testing {

// A poll's observation of `subnet` at `at`: `in_use` + `available` ENIs (+ `other`, neither).
inline Observation ObservationOf(const std::string& subnet, Time at, int in_use, int available,
                                 int other = 0) {
  Observation o;
  o.subnet_id = subnet;
  o.observed_at = at;
  o.in_use = in_use;
  o.available = available;
  o.other = other;
  o.total_enis = in_use + available + other;
  o.reason = "poll";
  return o;
}

}  // namespace glueguard::testing
