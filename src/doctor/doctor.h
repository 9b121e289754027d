// Doctor: the on-call runbook as code. One pass looks at every configured subnet and at the Glue jobs and
// sessions that could hold its IPs, and reports what needs a person: utilisation and its trend, Glue ENIs
// left `available` and whether anything alive could still own them, job runs stuck in STOPPING, sessions past
// their limits, and who the caller is. With `apply` it also acts, safely:
//   - an ENI is deleted only when it is a Glue ENI, available, has been seen available by earlier passes for
//     at least `grace` (two-phase, like the VPC CNI's leaked-ENI cleanup), and no live job run or session in
//     its subnet could own it (same subnet through its connection, same role as the ENI's description names);
//   - a delete EC2 refuses because the ENI is still in use or detaching is retried later, never an error;
//   - a run in STOPPING longer than `stuck_after` is force-stopped with BatchStopJobRun;
//   - every mutating call draws from a small token bucket, and the number of deletes and stops per pass is
//     bounded; every action is logged and reported.
// A pass that does not apply changes nothing in AWS and reports exactly the actions `apply` would take; it
// still records what it saw (an observation per subnet, the ledger of available ENIs), which is how the grace
// period builds up across passes run from cron.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "aws/ec2.h"
#include "aws/glue.h"
#include "aws/sts.h"
#include "base/clock.h"
#include "base/log.h"
#include "config/config.h"
#include "doctor/eni_ledger.h"
#include "doctor/token_bucket.h"
#include "store/observation_store.h"

namespace glueguard {

struct DoctorOptions {
  bool apply = false;                               // act; false = report what would be done
  Duration grace = std::chrono::minutes(60);        // seen available at least this long before a delete
  Duration stuck_after = std::chrono::minutes(30);  // a run in STOPPING longer than this is stuck
  Duration trend_window = std::chrono::hours(1);    // stored observations the trend is taken over
  // Less history than this in the window gives no trend: a change over seconds, scaled to an hour, is noise.
  Duration trend_min_span = std::chrono::minutes(10);
  int max_deletes = 20;                             // ENI deletes per pass
  int max_stops = 10;                               // job runs force-stopped per pass
  TokenBucketOptions rate;                          // every mutating call (EC2 and Glue) takes a token
  int delete_retries = 2;                           // in-pass retries of a delete refused as in use
  Duration retry_after = std::chrono::seconds(15);  // wait before each retry round
  std::vector<std::string> jobs;                    // the Glue jobs whose runs are checked
};

// What doctor can reach. Every reference must outlive the pass; `sts`, `store` and `log` may be null.
struct DoctorDeps {
  const Config& config;
  Ec2Api& ec2;
  GlueApi& glue;
  StsApi* sts;
  ObservationStore* store;  // observations for the trend; the pass appends its own
  EniLedger& ledger;
  const Clock& clock;
  Sleeper& sleeper;  // the token bucket's and the retries' waits
  Log log;           // one line per action and per problem
};

struct SubnetFinding {
  std::string subnet_id;
  std::string name;
  int capacity = 0;        // usable IPs
  EniCounts counts;        // now
  double utilisation = 0;  // counts.total / capacity
  double alert_threshold = 0.8;
  // From stored observations over the trend window, this pass's included.
  int observations = 0;
  int peak_total = 0;
  Duration history_span{};  // from the oldest observation to the newest
  // Change of total ENIs per hour, oldest to newest; absent when history_span is shorter than the options'
  // trend_min_span (fewer than two observations included).
  std::optional<double> trend_per_hour;
  // The measured cleanup tail (p50, p95) from the ENI change log `serve` stores; count 0 without one.
  TailSummary cleanup_tail;
  bool over_threshold() const { return utilisation >= alert_threshold; }
};

enum class EniVerdict {
  kOrphan,         // past the grace period and nothing alive could own it: --apply deletes it
  kInGrace,        // seen available for less than the grace period (or first seen by this pass)
  kPossiblyOwned,  // a live job run or session in its subnet, with its role, could still own it
};
const char* EniVerdictName(EniVerdict verdict);  // "orphan", "in-grace", "possibly-owned"

struct EniFinding {
  std::string eni_id;
  std::string subnet_id;
  std::string description;
  std::string role;  // from the description; empty when it names none
  Time first_seen{};
  Duration available_for{0};  // now - first_seen
  bool first_seen_now = false;
  EniVerdict verdict = EniVerdict::kInGrace;
  std::vector<std::string> possible_owners;  // "job run jr_... of customer-analytics (RUNNING)", ...
  int refused_deletes = 0;                   // earlier deletes refused as still in use
};

struct StuckRunFinding {
  std::string job_name;
  std::string run_id;
  std::string state;  // as found
  Duration stopping_for{0};
};

struct SessionFinding {
  std::string session_id;
  std::string status;
  std::vector<std::string> violations;  // "max_workers: 40 workers asked for; at most 10 are allowed."
};

// One thing doctor did, or would do.
struct DoctorAction {
  std::string kind;     // "delete-eni" | "stop-run"
  std::string target;   // the ENI id, or "<job>/<run id>"
  std::string outcome;  // planned | done | already-gone | retry-later | failed | skipped
  std::string detail;   // why, or the error
  int attempts = 0;     // calls made
};

struct PermissionNeed {
  std::string permission;  // "ec2:DescribeNetworkInterfaces"
  std::string used_for;
  bool apply_only = false;
};

struct DoctorReport {
  Time at{};
  bool apply = false;
  std::optional<CallerIdentity> identity;
  std::string identity_error;
  std::vector<SubnetFinding> subnets;
  std::vector<EniFinding> enis;  // every available Glue ENI
  std::vector<StuckRunFinding> stuck_runs;
  std::vector<SessionFinding> sessions;
  std::vector<DoctorAction> actions;
  std::vector<std::string> problems;  // checks that could not be made, and why
  std::vector<std::string> notes;     // what was not checked

  // True when something needs a person or a later pass: a subnet over its alert threshold, an orphan or a
  // stuck run left in place, a session past its limits, an action not done, a check that failed.
  bool NeedsAttention() const;
};

// The permissions each doctor action needs, read-only first.
const std::vector<PermissionNeed>& DoctorPermissions();

// One pass. Errors: only when EC2 cannot be asked about a subnet's ENIs (Unavailable, PermissionDenied, ...),
// since nothing useful can be said without it; every other failure is a problem in the report.
Result<DoctorReport> RunDoctorPass(const DoctorDeps& deps, const DoctorOptions& options);

// The role ARN a Glue ENI's description names ("Attached to Glue using role: <arn>"), or empty.
std::string GlueEniRole(const std::string& description);

// The report for people (a few aligned sections) and as JSON.
std::string FormatDoctorTable(const DoctorReport& report);
std::string FormatDoctorJson(const DoctorReport& report);

}  // namespace glueguard
