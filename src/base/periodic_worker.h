// PeriodicWorker: a background thread that runs one piece of work every `every` of wall-clock time, and at
// once when woken, until it is stopped. The loops of glueguard's long-running parts (the controller's ticker,
// the session service's inbox and sweep) are each one of these.
//
// A Wake() while the work runs makes it run once more right after; several wakes before a run make one run.
// Stop() (also the destructor) lets a run in progress finish and joins the thread; the work never runs after
// Stop() returns. Thread-safe.
#pragma once

#include <functional>
#include <thread>

#include "base/mutex.h"
#include "base/time.h"

namespace glueguard {

class PeriodicWorker {
 public:
  // Starts the thread, which runs `work` at once and then every `every`. REQUIRES: every > 0.
  PeriodicWorker(Duration every, std::function<void()> work);
  ~PeriodicWorker();
  PeriodicWorker(const PeriodicWorker&) = delete;
  PeriodicWorker& operator=(const PeriodicWorker&) = delete;

  void Wake() GG_EXCLUDES(mu_);
  void Stop() GG_EXCLUDES(mu_);

 private:
  void Loop() GG_EXCLUDES(mu_);

  const Duration every_;
  const std::function<void()> work_;
  Mutex mu_;
  CondVar wake_;
  bool woken_ GG_GUARDED_BY(mu_) = false;
  bool stopping_ GG_GUARDED_BY(mu_) = false;
  std::thread thread_;     // last: started once the members above exist
};

}  // namespace glueguard
