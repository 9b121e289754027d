// Admission requests and decisions: what a launch asks for and what it is told, with the numbers behind it.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "base/time.h"

namespace glueguard {

// What a launcher (an Airflow sensor, the CLI, the HTTP API) asks.
struct AdmissionRequest {
  std::string category;          // a configured job category; it names the subnet
  int workers = 0;               // Glue workers the job will run with (NumberOfWorkers)
  std::string run_id;            // the launch's identity, stable across pokes (e.g. dag_id/run_id/task_id)
  std::optional<int> priority;   // overrides the category's priority when set
};

// A request resolved against its category: the IPs it needs and the priority it queues at.
struct Launch {
  std::string category;
  std::string run_id;
  int workers = 0;
  int needed_ips = 0;  // workers * ips_per_worker + extra_ips_per_job
  int priority = 0;    // higher goes first
};

enum class Outcome { kAdmit, kWait, kReject };

// Why a decision came out as it did; stable names for metrics and the audit log.
enum class DecisionCode {
  kFits,              // admit: free - reserved >= needed + buffer
  kAlreadyAdmitted,   // admit: this run id already holds a reservation
  kNoHeadroom,        // wait: not enough free IPs beside the buffer and reservations
  kQueued,            // wait: waiters ahead of it come first
  kNoObservation,     // wait: the subnet has never been observed
  kStaleObservation,  // wait: the latest observation is older than the staleness bound
  kCoolOff,           // wait: an IP-exhaustion failure was reported recently
  kPriorityFloor,     // wait: utilisation is high and only higher-priority launches are admitted
  kMaxWaitExceeded,   // reject: it has waited longer than max_wait
  kNeverFits,         // reject: needed + the least possible buffer exceeds the subnet's capacity
  kMalformed,         // reject: workers < 1, no run id, ...
  kUnknownCategory,   // reject: the category is not configured
};

const char* OutcomeName(Outcome outcome);         // "admit", "wait", "reject"
const char* DecisionCodeName(DecisionCode code);  // "fits", "no_headroom", ...
std::ostream& operator<<(std::ostream& out, Outcome outcome);
std::ostream& operator<<(std::ostream& out, DecisionCode code);
// The inverses of the two above; nullopt for a name that is not one of them.
std::optional<Outcome> ParseOutcome(std::string_view name);
std::optional<DecisionCode> ParseDecisionCode(std::string_view name);

struct Decision {
  Outcome outcome = Outcome::kReject;
  DecisionCode code = DecisionCode::kMalformed;
  std::string subnet_id;
  std::string category;
  std::string run_id;
  int priority = 0;
  int workers = 0;
  Time decided_at{};
  Time observed_at{};  // of the observation the decision used; epoch when there was none

  // The numbers behind it, all in IPs.
  int capacity = 0;  // usable IPs of the subnet
  int total = 0;     // ENIs in the latest observation
  int free = 0;      // capacity - total
  int buffer = 0;    // what the buffer policy keeps free (forecast: the uncontrolled growth allowed for)
  int reserved = 0;  // IPs held by earlier admits not yet seen in an observation
  int releases = 0;  // forecast: lingering ENIs expected to be deleted before this launch's ENIs arrive
  int needed = 0;    // IPs this launch takes

  std::string reason;          // one line a person can read
  std::string reservation_id;  // set on admit
  Duration retry_after{0};     // on wait: when asking again is worthwhile
  Duration waited{0};          // how long this run id has been waiting
};

}  // namespace glueguard
