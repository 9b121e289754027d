// How observations end reservations: by the identity of the ENIs that appear (each new Glue ENI settles one IP
// of the oldest reservation it may belong to) or, for counts-only observations, by the net growth of the total.
#include <algorithm>

#include "admission/subnet_admission.h"

namespace glueguard {

namespace {

// Settles up to `count` IPs of the oldest reservations made by `at` that `accepts`; returns how many.
template <typename Accepts>
int Settle(std::vector<Reservation>& reservations, int count, Time at, SubnetChanges& changes, Accepts accepts) {
  int taken = 0;
  for (auto it = reservations.begin(); taken < count && it != reservations.end();) {
    if (it->created_at > at || !accepts(*it)) {
      ++it;
      continue;
    }
    const int settled = std::min(count - taken, it->ips);
    taken += settled;
    it->ips -= settled;
    if (it->ips == 0) {
      changes.delete_reservations.push_back(it->id);
      it = reservations.erase(it);
    } else {
      changes.put_reservations.push_back(*it);
      ++it;
    }
  }
  return taken;
}

bool AnyReservation(const Reservation&) { return true; }

// Whether `role` (the ARN in an ENI's description) is one of `roles` (ARNs, or names matched at the ARN's end).
bool RoleIsOneOf(const std::string& role, const std::vector<std::string>& roles) {
  return std::any_of(roles.begin(), roles.end(), [&](const std::string& r) {
    return r == role || (role.size() > r.size() && role.ends_with(r) && role[role.size() - r.size() - 1] == '/');
  });
}

}  // namespace

void SubnetAdmission::SettleByIdentity(const Observation& o, std::vector<EniChange>& eni_changes,
                                       SubnetChanges& changes) {
  const auto& by_category = settings_.category_roles;
  for (EniChange& c : eni_changes) {
    if (c.event != EniEvent::kAppeared || !c.glue) continue;
    // The categories that name the ENI's role take it; when none does, the categories that name no role.
    const bool claimed = std::any_of(by_category.begin(), by_category.end(),
                                     [&](const auto& entry) { return RoleIsOneOf(c.role, entry.second); });
    auto accepts = [&](const Reservation& r) {
      auto roles = by_category.find(r.category);
      if (roles == by_category.end()) return !claimed;
      return RoleIsOneOf(c.role, roles->second);
    };
    c.controlled = Settle(reservations_, 1, o.observed_at, changes, accepts) == 1;
  }
  // A reservation settled in several steps was put once per step; keep its latest form only.
  std::vector<Reservation> latest;
  for (auto it = changes.put_reservations.rbegin(); it != changes.put_reservations.rend(); ++it) {
    const bool deleted = std::find(changes.delete_reservations.begin(), changes.delete_reservations.end(),
                                   it->id) != changes.delete_reservations.end();
    const bool seen = std::any_of(latest.begin(), latest.end(), [&](const Reservation& r) { return r.id == it->id; });
    if (!deleted && !seen) latest.push_back(*it);
  }
  changes.put_reservations.assign(latest.rbegin(), latest.rend());
}

void SubnetAdmission::SettleByGrowth(const Observation& o, SubnetChanges& changes) {
  if (record_.last_total < 0) return;
  const int growth = o.total_enis - record_.last_total;
  if (growth > 0) Settle(reservations_, growth, o.observed_at, changes, AnyReservation);
}

}  // namespace glueguard
