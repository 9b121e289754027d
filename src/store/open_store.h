// Opens the store a configuration names: SQLite (one local file), DynamoDB (shared) or memory (tests and demos).
#pragma once

#include <memory>

#include "aws/aws_client.h"
#include "config/config.h"
#include "store/lease.h"
#include "store/observation_store.h"

namespace glueguard {

// DynamoDB calls go through `aws`, which must then be given and outlive the store. Errors: SqliteStore::Open's
// (a file that cannot be opened, a schema newer than this binary); InvalidArgument for dynamodb without `aws`.
Result<std::unique_ptr<ObservationStore>> OpenStore(const StoreConfig& store, AwsClient* aws = nullptr);

// The poller leases replicas share through the store: DynamoDB's (through `aws`, which must outlive it);
// nullptr for SQLite and memory, where each process observes every subnet itself.
std::unique_ptr<PollerLease> OpenPollerLease(const StoreConfig& store, AwsClient* aws);

}  // namespace glueguard
