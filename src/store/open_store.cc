#include "store/open_store.h"

#include "aws/dynamodb.h"
#include "store/dynamodb_store.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"

namespace glueguard {

Result<std::unique_ptr<ObservationStore>> OpenStore(const StoreConfig& store, AwsClient* aws) {
  if (store.kind == "memory") return std::unique_ptr<ObservationStore>(std::make_unique<MemoryStore>());
  if (store.kind == "dynamodb") {
    if (aws == nullptr) return Status::InvalidArgument("store.kind dynamodb: this command has no AWS client");
    return std::unique_ptr<ObservationStore>(std::make_unique<DynamoDbStore>(
        std::make_unique<DynamoDbClient>(*aws), store.tables, store.retention));
  }
  Result<std::unique_ptr<SqliteStore>> sqlite = SqliteStore::Open(store.path);
  if (!sqlite.ok()) return sqlite.status();
  return std::unique_ptr<ObservationStore>(std::move(*sqlite));
}

std::unique_ptr<PollerLease> OpenPollerLease(const StoreConfig& store, AwsClient* aws) {
  if (store.kind != "dynamodb" || aws == nullptr) return nullptr;
  return std::make_unique<DynamoDbLease>(std::make_unique<DynamoDbClient>(*aws), store.tables.state);
}

}  // namespace glueguard
