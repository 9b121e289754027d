#include "store/observation_store.h"

#include <fmt/format.h>

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

namespace glueguard {

std::string EncodeEniChanges(const std::vector<EniChange>& changes) {
  std::string text;
  for (const EniChange& c : changes) {
    text += c.eni_id;
    text += '\t';
    text += EniEventName(c.event);
    text += '\t';
    text += c.role;
    text += c.glue ? "\t1" : "\t0";
    text += c.controlled ? "\t1\n" : "\t0\n";
  }
  return text;
}

Result<std::vector<EniChange>> DecodeEniChanges(const std::string& subnet_id, Time at, std::string_view text,
                                                const std::string& what) {
  std::vector<EniChange> out;
  int line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    std::vector<std::string_view> fields;
    for (size_t start = 0;;) {
      const size_t tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    const std::optional<EniEvent> event = fields.size() == 5 ? ParseEniEvent(fields[1]) : std::nullopt;
    auto flag = [](std::string_view f) { return f == "0" || f == "1"; };
    if (!event || fields[0].empty() || !flag(fields[3]) || !flag(fields[4])) {
      return Status::Internal(fmt::format("{}: ENI change line {} of {} at {} is not 'id event role glue controlled'",
                                          what, line_number, subnet_id, FormatTime(at)));
    }
    EniChange c;
    c.subnet_id = subnet_id;
    c.at = at;
    c.eni_id = std::string(fields[0]);
    c.event = *event;
    c.role = std::string(fields[2]);
    c.glue = fields[3] == "1";
    c.controlled = fields[4] == "1";
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace glueguard
