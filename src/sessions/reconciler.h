// SessionReconciler: CloudTrail delivers events on a best-effort basis, so every few minutes the live
// sessions are listed (ListSessions, every page; GetSession for any the page did not describe) and the policy
// is applied to each one no handled event announced. Level-based: a session ended by a sweep is gone by the
// next one.
#pragma once

#include <string>

#include "aws/glue.h"
#include "base/log.h"
#include "sessions/handler.h"

namespace glueguard {

struct SweepStats {
  int live = 0;         // sessions PROVISIONING or READY
  int too_young = 0;    // of those, sessions whose event may still arrive (younger than the grace)
  int unannounced = 0;  // of those, sessions no event announced
  int violations = 0;   // of those, sessions out of bounds (acted on or dead-lettered)
};

class SessionReconciler {
 public:
  // Every dependency must outlive the reconciler.
  // Sessions younger than `grace` are left to their event, which CloudTrail may still be delivering: acting
  // on them first would notify twice.
  SessionReconciler(GlueApi& glue, EventLedger& ledger, SessionEventHandler& handler, Clock& clock,
                    Duration grace = std::chrono::minutes(10), Log log = {})
      : glue_(glue), ledger_(ledger), handler_(handler), clock_(clock), grace_(grace), log_(std::move(log)) {}

  // One sweep. Errors: listing failed, or the store did (nothing is lost: the next sweep sees the same).
  Result<SweepStats> Sweep(const HandleOptions& options);

 private:
  GlueApi& glue_;
  EventLedger& ledger_;
  SessionEventHandler& handler_;
  Clock& clock_;
  const Duration grace_;
  Log log_;
};

}  // namespace glueguard
