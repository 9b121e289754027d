#include "store/observation_store.h"

#include <algorithm>

namespace glueguard {
namespace {

// Replaces the element whose key(x) equals key(value), or appends `value`.
template <typename T, typename Key>
void Upsert(std::vector<T>& list, const T& value, Key key) {
  auto it = std::find_if(list.begin(), list.end(), [&](const T& x) { return key(x) == key(value); });
  if (it != list.end()) {
    *it = value;
  } else {
    list.push_back(value);
  }
}

}  // namespace

void ApplyCommit(const SubnetCommit& commit, SubnetState& state) {
  state.record = commit.record;
  state.record.version = commit.expected_version + 1;
  const SubnetChanges& c = commit.changes;
  for (const std::string& id : c.delete_reservations) {
    std::erase_if(state.reservations, [&](const Reservation& r) { return r.id == id; });
  }
  for (const Reservation& r : c.put_reservations)
    Upsert(state.reservations, r, [](const Reservation& x) { return x.id; });
  for (const std::string& run_id : c.delete_waiters) {
    std::erase_if(state.waiters, [&](const Waiter& w) { return w.run_id == run_id; });
  }
  for (const Waiter& w : c.put_waiters) Upsert(state.waiters, w, [](const Waiter& x) { return x.run_id; });
  std::stable_sort(state.reservations.begin(), state.reservations.end(),
                   [](const Reservation& a, const Reservation& b) { return a.created_at < b.created_at; });
  std::stable_sort(state.waiters.begin(), state.waiters.end(),
                   [](const Waiter& a, const Waiter& b) { return a.sequence < b.sequence; });
}

Status VersionConflict(const std::string& subnet_id, int64_t stored, int64_t expected) {
  return Status::FailedPrecondition("subnet " + subnet_id + " changed since it was read (version " +
                                    std::to_string(stored) + ", expected " + std::to_string(expected) + ")");
}

}  // namespace glueguard
