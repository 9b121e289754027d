// EniLedger: which ENIs doctor has seen in state `available`, since when, and what deleting them answered:
// the per-ENI history the grace period needs. A small table in the same SQLite file as the observation store,
// items in the DynamoDB state table with store.kind dynamodb (shared by every doctor), or memory for tests. Each doctor pass reports what it saw; an ENI becomes an orphan
// candidate only once it has been available, uninterrupted, across passes for longer than the grace period.
//
// Every method is thread-safe. Errors: InvalidArgument for bad input, Unavailable when the database cannot be
// read or written.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "aws/dynamodb.h"
#include "base/status.h"
#include "base/time.h"

namespace glueguard {

struct LedgerEntry {
  std::string eni_id;
  std::string subnet_id;
  Time first_seen{};        // the first pass that saw it available (since it last was not)
  Time last_seen{};         // the latest pass that saw it available
  int delete_attempts = 0;  // DeleteNetworkInterface calls that answered "still in use"
  std::string last_error;   // the latest such answer
};

class EniLedger {
 public:
  virtual ~EniLedger() = default;

  // Records one pass over `subnet_id` at `now` that saw exactly `available_ids` available. Ids new to the
  // ledger get first_seen = last_seen = now; known ids keep first_seen and get last_seen = now; entries of
  // the subnet not in the list are forgotten (deleted, or attached again: their clock starts over if they
  // come back). Returns the entries of `available_ids` as they were BEFORE this pass, by id: an id missing
  // from the result was first seen now.
  virtual Result<std::map<std::string, LedgerEntry>> RecordPass(const std::string& subnet_id,
                                                                const std::vector<std::string>& available_ids,
                                                                Time now) = 0;
  // Notes a delete that EC2 refused because the ENI is still in use or detaching. NotFound for an unknown id.
  virtual Status NoteRefusedDelete(const std::string& eni_id, const std::string& error) = 0;
  // Forgets an ENI (deleted, or found gone). Forgetting an unknown id is fine.
  virtual Status Forget(const std::string& eni_id) = 0;
  // Every entry of the subnet (all subnets when empty), by ENI id.
  virtual Result<std::vector<LedgerEntry>> Entries(const std::string& subnet_id) = 0;
};

// In memory: for tests and for a store of kind "memory".
std::unique_ptr<EniLedger> MakeMemoryEniLedger();
// The table doctor_enis in the SQLite database at `path` (created if missing; ":memory:" for a private one).
// Unavailable when the file cannot be opened.
Result<std::unique_ptr<EniLedger>> OpenSqliteEniLedger(const std::string& path);
// Items "doctor-enis#<subnet>" of the DynamoDB table `state_table` (store.tables.state), with a TTL of
// `retention` after their last pass. The first form borrows `dynamodb`, which must outlive the ledger.
std::unique_ptr<EniLedger> MakeDynamoDbEniLedger(DynamoDbApi& dynamodb, std::string state_table,
                                                 Duration retention);
std::unique_ptr<EniLedger> MakeDynamoDbEniLedger(std::unique_ptr<DynamoDbApi> dynamodb, std::string state_table,
                                                 Duration retention);

}  // namespace glueguard
