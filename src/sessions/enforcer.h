// SessionEnforcer: ends a Glue interactive session — waits, bounded, for it to leave PROVISIONING, then
// StopSession and DeleteSession. A session already gone (EntityNotFoundException at any step) is success; one
// already stopped (IllegalSessionStateException on stop) is deleted.
#pragma once

#include <string>

#include "aws/glue.h"
#include "base/clock.h"

namespace glueguard {

class SessionEnforcer {
 public:
  // Every dependency must outlive the enforcer. `provisioning_wait` bounds the wait for PROVISIONING to end;
  // GetSession is asked every `poll_every` meanwhile.
  SessionEnforcer(GlueApi& glue, Clock& clock, Sleeper& sleeper, Duration provisioning_wait,
                  Duration poll_every = std::chrono::seconds(3))
      : glue_(glue),
        clock_(clock),
        sleeper_(sleeper),
        provisioning_wait_(provisioning_wait),
        poll_every_(poll_every) {}

  // Stops and deletes session `id`, never waiting past `deadline` (nor provisioning_wait). Ok when the
  // session is gone. DeadlineExceeded when it was still PROVISIONING at the end of the wait; otherwise Glue's
  // error (reason() is the Glue exception name), for the caller to retry. Thread-safe.
  Status End(const std::string& id, Time deadline);

 private:
  GlueApi& glue_;
  Clock& clock_;
  Sleeper& sleeper_;
  const Duration provisioning_wait_;
  const Duration poll_every_;
};

}  // namespace glueguard
