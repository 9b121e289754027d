#include "sim/event_queue.h"

namespace glueguard {

void EventQueue::Schedule(Time at, std::function<void()> action) {
  heap_.push(Event{std::max(at, now_), next_sequence_++, std::move(action)});
}

int64_t EventQueue::RunUntil(Time until) {
  int64_t ran = 0;
  while (!heap_.empty() && heap_.top().at <= until) {
    // Moved out before popping: the action may schedule more events.
    Event event = std::move(const_cast<Event&>(heap_.top()));
    heap_.pop();
    now_ = event.at;
    event.action();
    ++ran;
  }
  if (until > now_) now_ = until;
  return ran;
}

Time EventQueue::NextEventTime() const { return heap_.empty() ? Time::max() : heap_.top().at; }

}  // namespace glueguard
