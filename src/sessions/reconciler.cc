#include "sessions/reconciler.h"

#include <fmt/format.h>

#include <set>

namespace glueguard {

Result<SweepStats> SessionReconciler::Sweep(const HandleOptions& options) {
  std::vector<Session> sessions;
  std::set<std::string> described;
  std::vector<std::string> ids;
  ListSessionsRequest request;
  do {
    Result<SessionPage> page = glue_.ListSessions(request);
    if (!page.ok()) return page.status().WithContext("ListSessions");
    for (Session& s : page->sessions) {
      described.insert(s.id);
      sessions.push_back(std::move(s));
    }
    ids.insert(ids.end(), page->ids.begin(), page->ids.end());
    request.next_token = page->next_token;
  } while (!request.next_token.empty());
  for (const std::string& id : ids) {
    if (described.count(id) > 0) continue;
    Result<Session> s = glue_.GetSession(id);
    if (!s.ok() && s.status().code() == StatusCode::kNotFound) continue;  // ended meanwhile
    if (!s.ok()) return s.status().WithContext(fmt::format("GetSession {}", id));
    sessions.push_back(*s);
  }

  SweepStats stats;
  for (const Session& s : sessions) {
    if (s.status != "PROVISIONING" && s.status != "READY") continue;
    ++stats.live;
    if (s.created_on > clock_.Now() - grace_) {
      ++stats.too_young;
      continue;
    }
    Result<bool> known = ledger_.SessionKnown(s.id);
    if (!known.ok()) return known.status();
    if (*known) continue;
    ++stats.unannounced;
    Result<HandleResult> handled = handler_.HandleLiveSession(s, options);
    if (!handled.ok()) return handled.status();
    if (handled->outcome == EventOutcome::kViolation || handled->outcome == EventOutcome::kDeadLettered) {
      ++stats.violations;
      if (log_) log_(fmt::format("reconcile: session {} had no event and is out of bounds", s.id));
    }
  }
  return stats;
}

}  // namespace glueguard
