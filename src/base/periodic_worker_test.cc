// PeriodicWorker's guarantees, checked without timing: an hour-long period, so every run but the first is
// one a test asked for with Wake().
#include "base/periodic_worker.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

namespace glueguard {
namespace {

// Counts runs and lets a test wait until a number of them have happened.
class Runs {
 public:
  void Add() {
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
    changed_.notify_all();
  }
  void WaitFor(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return count_ >= n; });
  }
  int count() {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int count_ = 0;
};

constexpr Duration kHour = std::chrono::hours(1);

TEST(PeriodicWorker, RunsAtOnceAndAgainWhenWoken) {
  Runs runs;
  PeriodicWorker worker(kHour, [&] { runs.Add(); });
  runs.WaitFor(1);
  worker.Wake();
  runs.WaitFor(2);
  worker.Wake();
  runs.WaitFor(3);
  worker.Stop();
  EXPECT_EQ(runs.count(), 3);
}

TEST(PeriodicWorker, AWakeDuringARunMakesOneMoreRun) {
  std::mutex gate;
  gate.lock();  // the first run blocks here until the test has woken the worker
  Runs runs;
  int started = 0;
  std::mutex started_mu;
  std::condition_variable started_cv;
  PeriodicWorker worker(kHour, [&] {
    {
      std::lock_guard<std::mutex> lock(started_mu);
      ++started;
    }
    started_cv.notify_all();
    if (runs.count() == 0) std::lock_guard<std::mutex> hold(gate);
    runs.Add();
  });
  {
    std::unique_lock<std::mutex> lock(started_mu);
    started_cv.wait(lock, [&] { return started == 1; });
  }
  worker.Wake();  // during the first run
  worker.Wake();  // coalesced with the one before
  gate.unlock();
  runs.WaitFor(2);
  worker.Stop();
  EXPECT_EQ(runs.count(), 2);
}

TEST(PeriodicWorker, StopWaitsForTheRunInProgressAndNothingRunsAfter) {
  Runs runs;
  auto worker = std::make_unique<PeriodicWorker>(kHour, [&] { runs.Add(); });
  runs.WaitFor(1);
  worker->Stop();
  worker->Wake();  // after Stop: no run
  worker->Stop();  // twice is fine
  worker.reset();
  EXPECT_EQ(runs.count(), 1);
}

}  // namespace
}  // namespace glueguard
