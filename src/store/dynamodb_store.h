// DynamoDbStore: the ObservationStore on DynamoDB, the store several `serve` replicas (and `admit --config`
// processes) share. Three tables, named in the configuration (the session store and the doctor's ledger have
// tables and items of their own: sessions/dynamodb_session_store.h, doctor/eni_ledger.h):
//
//   observations  partition subnet_id (S), sort observed_at (N, epoch ms): the seed sensor's table shape
//                 (total_enis, in_use, available, dag_run_id), with glueguard's `other` and `reason`
//                 alongside.
//   state         partition subnet_id (S): one item per subnet holding its whole admission state (record,
//                 reservations, waiters), replaced only by a put conditional on the version that was read.
//   decisions     partition subnet_id (S), sort decision_key (S, "<epoch ms, 15 digits>#<version>#<n>"): the
//                 audit log.
//
// Observations and decisions carry expires_at (N, epoch seconds) = their time + the retention, for DynamoDB's
// TTL; state items never expire. Only single-item writes are used (no transactions), so every DynamoDB-
// compatible server works. A commit's decisions are written after its state put succeeds: a process that dies
// in between loses those audit lines, never admission state.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "aws/dynamodb.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/mutex.h"
#include "config/config.h"
#include "store/lease.h"
#include "store/observation_store.h"

namespace glueguard {

// DynamoDB's limit on one item; a subnet's state item must stay under it.
inline constexpr int64_t kDynamoDbItemLimitBytes = 400 * 1024;

class DynamoDbStore final : public ObservationStore {
 public:
  // `dynamodb` must outlive the store; `retention` sets every observation's and decision's TTL.
  DynamoDbStore(DynamoDbApi& dynamodb, DynamoDbTableNames tables, Duration retention);
  // The same, owning its client.
  DynamoDbStore(std::unique_ptr<DynamoDbApi> dynamodb, DynamoDbTableNames tables, Duration retention);

  Status AppendObservation(const Observation& o) override;
  Result<std::vector<Observation>> LatestObservations(const std::string& subnet_id, int limit) override;
  Result<std::vector<Observation>> ObservationsBetween(const std::string& subnet_id, Time from,
                                                       Time to) override;
  Result<SubnetState> LoadSubnet(const std::string& subnet_id) override;
  // FailedPrecondition on a version conflict. Internal, with nothing written, when the new state item would
  // pass DynamoDB's 400 KB item limit (about 1,500 waiters and reservations of a subnet at once).
  Status Commit(const SubnetCommit& commit) override;
  Result<std::vector<Decision>> DecisionsBetween(const std::string& subnet_id, Time from, Time to,
                                                 int limit) override;
  // Deletes what is older than `cutoff` of the subnets this process has written or read; DynamoDB's TTL
  // removes the rest (within days of expiry, at no cost).
  Result<std::vector<EniChange>> EniChangesAfter(const std::string& subnet_id, Time after) override;
  Result<int64_t> ExpireBefore(Time cutoff) override;

  // The size DynamoDB counts for an item: attribute names plus values (numbers by their digits).
  static int64_t ItemBytes(const Item& item);

 private:
  void Remember(const std::string& subnet_id, const SubnetState* state) GG_EXCLUDES(mu_);

  std::unique_ptr<DynamoDbApi> owned_;
  DynamoDbApi& db_;
  const DynamoDbTableNames tables_;
  const Duration retention_;
  Mutex mu_;
  std::set<std::string> known_subnets_ GG_GUARDED_BY(mu_);
  // The state each subnet was last read or written at: Commit applies its changes to it without reading
  // again when its version is the one the commit expects (the conditional put still guards the race).
  std::map<std::string, SubnetState> last_state_ GG_GUARDED_BY(mu_);
};

// Leases as items of the state table, keyed "lease#<name>" (no subnet id starts so): holder, lease_until
// (epoch ms) and token, taken and renewed by one conditional update. A new item's token starts at its
// creation time in ms x 1e6 (then grows by one a grant), so a re-created item's tokens stay above the old
// one's.
class DynamoDbLease final : public PollerLease {
 public:
  DynamoDbLease(DynamoDbApi& dynamodb, std::string state_table)
      : db_(dynamodb), table_(std::move(state_table)) {}
  DynamoDbLease(std::unique_ptr<DynamoDbApi> dynamodb, std::string state_table)
      : owned_(std::move(dynamodb)), db_(*owned_), table_(std::move(state_table)) {}

  Result<LeaseGrant> Acquire(const std::string& name, const std::string& holder, Time now,
                             Duration ttl) override;

 private:
  std::unique_ptr<DynamoDbApi> owned_;
  DynamoDbApi& db_;
  const std::string table_;
};

// `glueguard store init`: creates the tables that are missing (on-demand capacity), waits until they are
// ACTIVE, and turns TTL on for expires_at where it is off. Idempotent. One line per action goes to `log`.
Status InitDynamoDbTables(DynamoDbApi& dynamodb, const DynamoDbTableNames& tables, Sleeper& sleeper,
                          const Log& log);

// `glueguard store check`: every table exists, is ACTIVE, has the expected keys and TTL on expires_at. Each
// problem is one line; empty when all is as expected. An error only when DynamoDB could not be asked at all.
Result<std::vector<std::string>> CheckDynamoDbTables(DynamoDbApi& dynamodb, const DynamoDbTableNames& tables);

}  // namespace glueguard
