#include "sessions/enforcer.h"

#include <fmt/format.h>

#include <algorithm>

namespace glueguard {
namespace {

bool Gone(const Status& s) { return s.code() == StatusCode::kNotFound; }

}  // namespace

Status SessionEnforcer::End(const std::string& id, Time deadline) {
  const Time wait_until = std::min(deadline, clock_.Now() + provisioning_wait_);
  std::string status;
  while (true) {
    Result<Session> session = glue_.GetSession(id);
    if (!session.ok()) {
      if (Gone(session.status())) return Status::Ok();
      return session.status().WithContext(fmt::format("GetSession {}", id));
    }
    status = session->status;
    if (status != "PROVISIONING") break;
    if (clock_.Now() + poll_every_ > wait_until) {
      return Status::DeadlineExceeded(
          fmt::format("session {} was still PROVISIONING after {}; it will be ended on the next attempt", id,
                      FormatDuration(provisioning_wait_)));
    }
    sleeper_.Sleep(poll_every_);
  }
  if (status == "READY" || status == "STOPPING") {
    Status stop = glue_.StopSession(id);
    if (Gone(stop)) return Status::Ok();
    // IllegalSessionStateException: it stopped or failed on its own meanwhile; deleting still applies.
    if (!stop.ok() && stop.code() != StatusCode::kFailedPrecondition) {
      return stop.WithContext(fmt::format("StopSession {}", id));
    }
  }
  Status deleted = glue_.DeleteSession(id);
  if (!deleted.ok() && !Gone(deleted)) return deleted.WithContext(fmt::format("DeleteSession {}", id));
  return Status::Ok();
}

}  // namespace glueguard
