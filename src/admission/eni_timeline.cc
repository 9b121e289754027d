#include "admission/eni_timeline.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

namespace glueguard {

std::string GlueRoleOf(std::string_view description) {
  constexpr std::string_view kPrefix = "Attached to Glue using role:";
  if (!description.starts_with(kPrefix)) return "";
  description.remove_prefix(kPrefix.size());
  while (!description.empty() && description.front() == ' ') description.remove_prefix(1);
  const size_t end = description.find_first_of(" \t");
  return std::string(description.substr(0, end));
}

const char* EniEventName(EniEvent event) {
  switch (event) {
    case EniEvent::kAppeared:
      return "appeared";
    case EniEvent::kInUse:
      return "in-use";
    case EniEvent::kAvailable:
      return "available";
    case EniEvent::kGone:
      return "gone";
  }
  return "unknown";
}

std::optional<EniEvent> ParseEniEvent(std::string_view name) {
  for (EniEvent e : {EniEvent::kAppeared, EniEvent::kInUse, EniEvent::kAvailable, EniEvent::kGone}) {
    if (name == EniEventName(e)) return e;
  }
  return std::nullopt;
}

EniTimeline::EniTimeline(std::string subnet_id, Duration window)
    : subnet_id_(std::move(subnet_id)), window_(window) {}

Duration EniTimeline::span() const { return latest_change_ - first_change_; }

void EniTimeline::Watched(Time at) {
  if (first_watched_ == Time{} || at < first_watched_) first_watched_ = at;
}

Time EniTimeline::watched_since() const {
  if (first_watched_ == Time{}) return first_change_;
  if (first_change_ == Time{}) return first_watched_;
  return std::min(first_watched_, first_change_);
}

std::vector<EniChange> EniTimeline::Diff(Time at, const std::vector<EniSighting>& enis) const {
  std::vector<EniChange> changes;
  if (at <= latest_observation_) return changes;
  auto change = [&](const std::string& id, EniEvent event) {
    EniChange c;
    c.subnet_id = subnet_id_;
    c.at = at;
    c.eni_id = id;
    c.event = event;
    return c;
  };
  std::vector<EniChange> status_changes;
  std::set<std::string_view> listed;
  for (const EniSighting& eni : enis) {
    listed.insert(eni.id);
    auto known = live_.find(eni.id);
    if (known == live_.end()) {
      EniChange appeared = change(eni.id, EniEvent::kAppeared);
      appeared.role = eni.role;
      appeared.glue = eni.glue;
      changes.push_back(std::move(appeared));
    }
    const bool was_in_use =
        known != live_.end() && known->second.in_use_from && !known->second.available_since;
    const bool was_available = known != live_.end() && known->second.available_since.has_value();
    if (eni.status == "in-use" && !was_in_use) status_changes.push_back(change(eni.id, EniEvent::kInUse));
    if (eni.status == "available" && !was_available) {
      status_changes.push_back(change(eni.id, EniEvent::kAvailable));
    }
  }
  for (EniChange& c : status_changes) changes.push_back(std::move(c));
  for (const auto& [id, life] : live_) {
    if (!listed.contains(id)) changes.push_back(change(id, EniEvent::kGone));
  }
  return changes;
}

void EniTimeline::Record(const std::vector<EniChange>& changes) {
  for (const EniChange& c : changes) {
    if (first_change_ == Time{}) first_change_ = c.at;
    latest_change_ = std::max(latest_change_, c.at);
    latest_observation_ = std::max(latest_observation_, c.at);
    switch (c.event) {
      case EniEvent::kAppeared: {
        EniLife life;
        life.id = c.eni_id;
        life.role = c.role;
        life.glue = c.glue;
        life.first_seen = c.at;
        live_[c.eni_id] = std::move(life);
        if (!c.controlled) {
          if (!uncontrolled_.empty() && uncontrolled_.back().at == c.at) {
            ++uncontrolled_.back().enis;
          } else {
            uncontrolled_.push_back({c.at, 1});
          }
        }
        break;
      }
      case EniEvent::kInUse: {
        auto it = live_.find(c.eni_id);
        if (it == live_.end()) break;
        it->second.in_use_from = c.at;
        it->second.available_since.reset();
        break;
      }
      case EniEvent::kAvailable: {
        auto it = live_.find(c.eni_id);
        if (it == live_.end()) break;
        it->second.available_since = c.at;
        break;
      }
      case EniEvent::kGone: {
        auto it = live_.find(c.eni_id);
        if (it == live_.end()) break;
        if (it->second.glue && it->second.available_since) {
          tails_.push_back({it->second.role, c.at, c.at - *it->second.available_since});
        }
        live_.erase(it);
        break;
      }
    }
  }
  Forget();
}

void EniTimeline::Forget() {
  const Time horizon = latest_change_ - window_;
  while (!tails_.empty() && tails_.front().gone_at < horizon) tails_.pop_front();
  while (!uncontrolled_.empty() && uncontrolled_.front().at < horizon) uncontrolled_.pop_front();
  if (first_change_ < horizon) first_change_ = horizon;
}

int EniTimeline::LargestUncontrolledBurst(Duration horizon) const {
  int largest = 0;
  int in_span = 0;
  size_t begin = 0;
  for (size_t end = 0; end < uncontrolled_.size(); ++end) {
    in_span += uncontrolled_[end].enis;
    while (uncontrolled_[end].at - uncontrolled_[begin].at >= horizon) in_span -= uncontrolled_[begin++].enis;
    largest = std::max(largest, in_span);
  }
  return largest;
}

int EniTimeline::UncontrolledGrowthAt(double q, Duration horizon, Time now) const {
  if (watched_since() == Time{}) return 0;
  const Time since = std::max(watched_since(), now - window_);  // what the window still remembers
  if (horizon <= Duration{0} || now <= since) return LargestUncontrolledBurst(horizon);
  std::vector<int> busy;  // ENIs per slot that had any; arrivals are in time order, so a slot's are adjacent
  int64_t last_slot = -1;
  for (const UncontrolledArrival& a : uncontrolled_) {
    if (a.at < since || a.at > now) continue;
    const int64_t slot = (a.at - since) / horizon;
    if (slot != last_slot) busy.push_back(0);
    busy.back() += a.enis;
    last_slot = slot;
  }
  std::sort(busy.begin(), busy.end(), std::greater<>());
  const int64_t slots = std::max<int64_t>(1, (now - since + horizon - Duration{1}) / horizon);
  // The k largest slots may exceed the answer, k = floor((1 - q) * slots).
  const auto k = static_cast<size_t>(std::floor((1 - q) * static_cast<double>(slots)));
  return k < busy.size() ? busy[k] : 0;
}

}  // namespace glueguard
