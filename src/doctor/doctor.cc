// One doctor pass: identity, what Glue has alive, stuck runs, then each subnet's ENIs against the ledger.
#include "doctor/doctor.h"

#include <fmt/format.h>

#include <algorithm>

#include "doctor/doctor_internal.h"

namespace glueguard {

using doctor_internal::GlueInventory;
using doctor_internal::LiveOwner;
using doctor_internal::Note;

const char* EniVerdictName(EniVerdict verdict) {
  switch (verdict) {
    case EniVerdict::kOrphan:
      return "orphan";
    case EniVerdict::kInGrace:
      return "in-grace";
    case EniVerdict::kPossiblyOwned:
      return "possibly-owned";
  }
  return "unknown";
}

std::string GlueEniRole(const std::string& description) {
  constexpr std::string_view kPrefix = "Attached to Glue using role: ";
  if (description.rfind(kPrefix, 0) != 0) return "";
  std::string role = description.substr(kPrefix.size());
  while (!role.empty() && role.back() == ' ') role.pop_back();
  return role;
}

bool DoctorReport::NeedsAttention() const {
  for (const SubnetFinding& s : subnets) {
    if (s.over_threshold()) return true;
  }
  for (const DoctorAction& a : actions) {
    if (a.outcome != "done" && a.outcome != "already-gone") return true;
  }
  for (const EniFinding& e : enis) {
    if (e.verdict != EniVerdict::kOrphan) continue;
    const bool handled = std::any_of(actions.begin(), actions.end(), [&](const DoctorAction& a) {
      return a.target == e.eni_id && (a.outcome == "done" || a.outcome == "already-gone");
    });
    if (!handled) return true;
  }
  // Stuck runs always have an action (planned, done, ...), judged above.
  return !sessions.empty() || !problems.empty();
}

const std::vector<PermissionNeed>& DoctorPermissions() {
  static const std::vector<PermissionNeed> needs = {
      {"ec2:DescribeNetworkInterfaces", "count each subnet's ENIs and find Glue ENIs left available", false},
      {"glue:GetJob", "learn the role and connection of each --job", false},
      {"glue:GetJobRuns", "find live and stuck runs of each --job", false},
      {"glue:GetConnection", "place a job or session whose connection is not in the config in its subnet",
       false},
      {"glue:ListSessions", "find live interactive sessions (possible ENI owners, limits)", false},
      {"glue:GetSession", "read a session ListSessions did not describe", false},
      {"sts:GetCallerIdentity", "say who is acting (needs no permission: AWS always allows it)", false},
      {"ec2:DeleteNetworkInterface", "--apply: delete orphaned Glue ENIs past the grace period", true},
      {"glue:BatchStopJobRun", "--apply: force-stop runs stuck in STOPPING", true},
      {"glue:GetJobRun", "--apply: read a force-stopped run back", true},
  };
  return needs;
}

namespace {

SubnetFinding Utilisation(const DoctorDeps& deps, const DoctorOptions& options, const SubnetConfig& subnet,
                          const EniCounts& counts, Time now, std::vector<std::string>& problems) {
  SubnetFinding f;
  f.subnet_id = subnet.id;
  f.name = subnet.name;
  f.capacity = subnet.cidr.UsableIps();
  f.counts = counts;
  f.utilisation = f.capacity > 0 ? static_cast<double>(counts.total) / f.capacity : 0;
  f.alert_threshold = subnet.alert_threshold;
  f.observations = 1;
  f.peak_total = counts.total;
  if (deps.store == nullptr) return f;
  Observation o;
  o.subnet_id = subnet.id;
  o.observed_at = now;
  o.total_enis = counts.total;
  o.in_use = counts.in_use;
  o.available = counts.available;
  o.other = counts.other;
  o.reason = "doctor";
  Status appended = deps.store->AppendObservation(o);
  if (!appended.ok())
    problems.push_back(fmt::format("storing the observation of {}: {}", subnet.id, appended.message()));
  Result<std::vector<Observation>> history =
      deps.store->ObservationsBetween(subnet.id, now - options.trend_window, now + Duration(1));
  if (!history.ok()) {
    problems.push_back(
        fmt::format("reading the observations of {}: {}", subnet.id, history.status().message()));
    return f;
  }
  // The cleanup tail, from the ENI change log the controller keeps in the same store.
  const Duration learn_over = ForecastSettings{}.learn_over;
  Result<std::vector<EniChange>> log = deps.store->EniChangesAfter(subnet.id, now - learn_over);
  if (log.ok()) {
    EniTimeline timeline(subnet.id, learn_over);
    timeline.Record(*log);
    f.cleanup_tail = SummariseTails(timeline, {0.5, 0.95});
  } else {
    problems.push_back(fmt::format("reading the ENI changes of {}: {}", subnet.id, log.status().message()));
  }
  std::vector<Observation> seen = *history;
  if (!appended.ok() || seen.empty() || seen.back().observed_at != now) seen.push_back(o);
  f.observations = static_cast<int>(seen.size());
  for (const Observation& h : seen) f.peak_total = std::max(f.peak_total, h.total_enis);
  f.history_span = seen.back().observed_at - seen.front().observed_at;
  if (f.history_span >= options.trend_min_span && f.history_span > Duration(0)) {
    f.trend_per_hour = static_cast<double>(seen.back().total_enis - seen.front().total_enis) * 3'600'000.0 /
                       static_cast<double>(f.history_span.count());
  }
  return f;
}

// The available Glue ENIs of one subnet, judged against the ledger and the live owners.
Status JudgeEnis(const DoctorDeps& deps, const DoctorOptions& options, const SubnetConfig& subnet,
                 const std::vector<NetworkInterface>& enis, const std::vector<LiveOwner>& owners, Time now,
                 std::vector<EniFinding>& out) {
  std::vector<const NetworkInterface*> available;
  std::vector<std::string> ids;
  for (const NetworkInterface& eni : enis) {
    if (eni.status != "available" || !IsGlueEni(eni)) continue;
    available.push_back(&eni);
    ids.push_back(eni.id);
  }
  Result<std::map<std::string, LedgerEntry>> before = deps.ledger.RecordPass(subnet.id, ids, now);
  if (!before.ok()) return before.status();
  for (const NetworkInterface* eni : available) {
    EniFinding f;
    f.eni_id = eni->id;
    f.subnet_id = subnet.id;
    f.description = eni->description;
    f.role = GlueEniRole(eni->description);
    auto known = before->find(eni->id);
    f.first_seen_now = known == before->end();
    f.first_seen = f.first_seen_now ? now : known->second.first_seen;
    f.refused_deletes = f.first_seen_now ? 0 : known->second.delete_attempts;
    f.available_for = now - f.first_seen;
    for (const LiveOwner& owner : owners) {
      if ((owner.subnet_id == subnet.id || owner.subnet_id == "*") &&
          doctor_internal::RoleMatches(f.role, owner.role))
        f.possible_owners.push_back(owner.label);
    }
    if (!f.possible_owners.empty()) {
      f.verdict = EniVerdict::kPossiblyOwned;
    } else if (f.first_seen_now || f.available_for < options.grace) {
      f.verdict = EniVerdict::kInGrace;
    } else {
      f.verdict = EniVerdict::kOrphan;
    }
    out.push_back(f);
  }
  return Status::Ok();
}

}  // namespace

Result<DoctorReport> RunDoctorPass(const DoctorDeps& deps, const DoctorOptions& options) {
  DoctorReport report;
  report.at = deps.clock.Now();
  report.apply = options.apply;
  const Time now = report.at;
  TokenBucket bucket(options.rate, deps.clock, deps.sleeper);

  if (deps.sts != nullptr) {
    Result<CallerIdentity> identity = deps.sts->GetCallerIdentity();
    if (identity.ok()) {
      report.identity = *identity;
    } else {
      report.identity_error = identity.status().message();
      report.problems.push_back("GetCallerIdentity: " + identity.status().message());
    }
  }

  GlueInventory glue = doctor_internal::InspectGlue(deps, options, now);
  report.stuck_runs = glue.stuck;
  report.sessions = glue.sessions;
  report.problems.insert(report.problems.end(), glue.problems.begin(), glue.problems.end());
  report.notes = glue.notes;
  for (const std::string& p : glue.problems) Note(deps, p);

  // Stuck runs first: a force-stopped run no longer owns anything, so its leftovers can go in the same pass.
  const std::set<std::string> stopped =
      doctor_internal::StopStuckRuns(deps, options, glue.stuck, bucket, report.actions);
  std::vector<LiveOwner> owners;
  for (const LiveOwner& o : glue.owners) {
    if (o.run_id.empty() || !stopped.count(o.run_id)) owners.push_back(o);
  }

  for (const SubnetConfig& subnet : deps.config.subnets) {
    DescribeNetworkInterfacesRequest request;
    request.filters = {{"subnet-id", {subnet.id}}};
    request.max_results = 1000;
    Result<std::vector<NetworkInterface>> enis = DescribeAllNetworkInterfaces(deps.ec2, request);
    if (!enis.ok()) {
      return enis.status().WithContext(fmt::format("DescribeNetworkInterfaces for {}", subnet.id));
    }
    report.subnets.push_back(Utilisation(deps, options, subnet, CountEnis(*enis), now, report.problems));
    const SubnetFinding& added = report.subnets.back();
    if (!added.trend_per_hour) {
      report.notes.push_back(fmt::format(
          "no trend for {}: {} of history ({} observation{}), a trend needs {}; it builds up as the "
          "controller or later doctor runs store observations",
          subnet.id, FormatDuration(added.history_span), added.observations,
          added.observations == 1 ? "" : "s", FormatDuration(options.trend_min_span)));
    }
    Status judged = JudgeEnis(deps, options, subnet, *enis, owners, now, report.enis);
    if (!judged.ok()) {
      report.problems.push_back(fmt::format("ENI ledger for {}: {}", subnet.id, judged.message()));
      Note(deps, report.problems.back());
    }
  }

  std::vector<const EniFinding*> orphans;
  for (const EniFinding& e : report.enis) {
    if (e.verdict == EniVerdict::kOrphan) orphans.push_back(&e);
  }
  doctor_internal::DeleteOrphans(deps, options, orphans, bucket, report.actions);
  return report;
}

}  // namespace glueguard
