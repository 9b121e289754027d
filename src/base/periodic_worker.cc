#include "base/periodic_worker.h"

namespace glueguard {

PeriodicWorker::PeriodicWorker(Duration every, std::function<void()> work)
    : every_(every), work_(std::move(work)), thread_([this] { Loop(); }) {}

PeriodicWorker::~PeriodicWorker() { Stop(); }

void PeriodicWorker::Wake() {
  {
    MutexLock lock(mu_);
    woken_ = true;
  }
  wake_.NotifyAll();
}

void PeriodicWorker::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.NotifyAll();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void PeriodicWorker::Loop() {
  MutexLock lock(mu_);
  while (!stopping_) {
    woken_ = false;
    lock.Unlock();
    work_();
    lock.Lock();
    const auto deadline = std::chrono::steady_clock::now() + every_;
    while (!stopping_ && !woken_) {
      if (!wake_.WaitUntil(mu_, deadline)) break;
    }
  }
}

}  // namespace glueguard
