// Opens the store a configuration names: SQLite (one local file) or memory (tests and demos).
#pragma once

#include <memory>

#include "config/config.h"
#include "store/observation_store.h"

namespace glueguard {

// Errors: SqliteStore::Open's (a file that cannot be opened, a schema newer than this binary).
Result<std::unique_ptr<ObservationStore>> OpenStore(const StoreConfig& store);

}  // namespace glueguard
