// An observation: what one look at a subnet's ENIs saw.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace glueguard {

// One ENI as an observation listed it.
struct EniSighting {
  std::string id;      // "eni-..."
  std::string status;  // as EC2 sent it: in-use, available, attaching, detaching, associated
  std::string role;    // a Glue ENI's role ARN, from its description; empty otherwise
  bool glue = false;   // created by Glue (its description says so)
};

struct Observation {
  std::string subnet_id;
  Time observed_at{};
  int total_enis = 0;  // every ENI in the subnet, whatever its state or owner: each holds one private IP
  int in_use = 0;      // status in-use
  int available = 0;   // status available: detached and not yet deleted (Glue's cleanup tail)
  int other = 0;       // attaching, detaching or associated
  std::string run_id;  // who asked: the run id of the launch whose check made it; empty for a background poll
  std::string reason;  // why it was made: "poll", "admission", "on-demand", ...
  std::string observer;  // the replica that made it (server.replica_id); empty when not recorded
  // The fencing token of the poller lease its observer held (store.kind dynamodb); 0 when not polled under
  // a lease. Not stored with the observation: the subnet's state keeps the highest token committed, and an
  // observation with a lower one is refused (its observer's lease lapsed and another replica polls now).
  int64_t fence = 0;
  // Every ENI it listed, when the observer kept them; counts-only observations (the seed sensor's items,
  // observations read back from a store) have none. The store keeps their changes, not the lists.
  std::optional<std::vector<EniSighting>> enis;
};

// Ok when the counts are non-negative and total = in_use + available + other, and subnet_id is set.
Status ValidateObservation(const Observation& o);

}  // namespace glueguard
