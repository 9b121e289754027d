// ObservationStore: where observations, admission state and the decision audit log persist.
//
// Shaped for both an embedded store (SQLite) and a shared one (DynamoDB): observations are keyed by
// (subnet id, observed_at) and a second write with the same key replaces the first; each subnet's admission
// state changes only through Commit, which is conditional on the version the writer read, so two writers
// (threads or replicas) cannot both spend the same headroom.
//
// Every method is thread-safe. Errors: InvalidArgument for bad input, Unavailable when the backing store
// cannot be reached, Internal when it holds something unreadable.
#pragma once

#include <string>
#include <vector>

#include "admission/decision.h"
#include "admission/observation.h"
#include "admission/subnet_admission.h"
#include "base/status.h"
#include "base/time.h"

namespace glueguard {

// One subnet's persisted admission state. A subnet never committed has record.version == 0 and nothing else.
struct SubnetState {
  SubnetRecord record;
  std::vector<Reservation> reservations;  // oldest first
  std::vector<Waiter> waiters;            // by sequence
};

// One atomic change to a subnet's admission state.
struct SubnetCommit {
  int64_t expected_version = 0;  // the version that was read; 0 for a subnet never committed
  SubnetRecord record;           // stored with version = expected_version + 1
  SubnetChanges changes;         // reservations and waiters to write and delete
  std::vector<Decision> decisions;  // appended to the audit log in the same transaction
};

// What every backend does on a successful Commit: `state` takes commit.record at expected_version + 1 and the
// changes (reservations by id, waiters by run id); reservations stay oldest first, waiters by sequence.
void ApplyCommit(const SubnetCommit& commit, SubnetState& state);

// The ENI change lines of one observation as compact text, one line per change ("id event role glue
// controlled", tab-separated), and back. Decode: Internal naming `what` for text that is not such lines.
std::string EncodeEniChanges(const std::vector<EniChange>& changes);
Result<std::vector<EniChange>> DecodeEniChanges(const std::string& subnet_id, Time at, std::string_view text,
                                                const std::string& what);

// The FailedPrecondition a Commit returns when the stored version is not the one the writer read.
Status VersionConflict(const std::string& subnet_id, int64_t stored, int64_t expected);

class ObservationStore {
 public:
  virtual ~ObservationStore() = default;

  // Stores an observation. InvalidArgument when ValidateObservation fails.
  virtual Status AppendObservation(const Observation& o) = 0;
  // Up to `limit` observations of the subnet, newest first; empty when there are none.
  virtual Result<std::vector<Observation>> LatestObservations(const std::string& subnet_id, int limit) = 0;
  // Observations of the subnet with from <= observed_at < to, oldest first.
  virtual Result<std::vector<Observation>> ObservationsBetween(const std::string& subnet_id, Time from,
                                                               Time to) = 0;

  // The subnet's admission state (version 0 and empty lists when never committed).
  virtual Result<SubnetState> LoadSubnet(const std::string& subnet_id) = 0;
  // Applies `commit` atomically if the stored version equals commit.expected_version; FailedPrecondition
  // (and no change at all) otherwise. On success the stored version is expected_version + 1.
  virtual Status Commit(const SubnetCommit& commit) = 0;

  // Audit log: up to `limit` decisions of the subnet with from <= decided_at < to, newest first.
  virtual Result<std::vector<Decision>> DecisionsBetween(const std::string& subnet_id, Time from, Time to,
                                                         int limit) = 0;

  // The ENI change log: the lines each Commit carried in changes.eni_changes, kept as long as observations.
  // The subnet's lines with at > after, oldest first (in the order they were committed within one `at`).
  virtual Result<std::vector<EniChange>> EniChangesAfter(const std::string& subnet_id, Time after) = 0;

  // Deletes observations, decisions and ENI change lines older than `cutoff` (the retention TTL); returns
  // how many rows or items.
  virtual Result<int64_t> ExpireBefore(Time cutoff) = 0;
};

}  // namespace glueguard
