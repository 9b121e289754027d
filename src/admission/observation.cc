#include "admission/observation.h"

#include <fmt/format.h>

namespace glueguard {

Status ValidateObservation(const Observation& o) {
  if (o.subnet_id.empty()) return Status::InvalidArgument("observation has no subnet id");
  if (o.total_enis < 0 || o.in_use < 0 || o.available < 0 || o.other < 0) {
    return Status::InvalidArgument(fmt::format("observation of {} has a negative ENI count", o.subnet_id));
  }
  if (o.total_enis != o.in_use + o.available + o.other) {
    return Status::InvalidArgument(fmt::format(
        "observation of {}: total {} is not in-use {} + available {} + other {}", o.subnet_id, o.total_enis,
        o.in_use, o.available, o.other));
  }
  return Status::Ok();
}

}  // namespace glueguard
