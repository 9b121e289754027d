#include "store/open_store.h"

#include "store/memory_store.h"
#include "store/sqlite_store.h"

namespace glueguard {

Result<std::unique_ptr<ObservationStore>> OpenStore(const StoreConfig& store) {
  if (store.kind == "memory") return std::unique_ptr<ObservationStore>(std::make_unique<MemoryStore>());
  Result<std::unique_ptr<SqliteStore>> sqlite = SqliteStore::Open(store.path);
  if (!sqlite.ok()) return sqlite.status();
  return std::unique_ptr<ObservationStore>(std::move(*sqlite));
}

}  // namespace glueguard
