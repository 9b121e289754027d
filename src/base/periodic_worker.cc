#include "base/periodic_worker.h"

namespace glueguard {

PeriodicWorker::PeriodicWorker(Duration every, std::function<void()> work)
    : every_(every), work_(std::move(work)), thread_([this] { Loop(); }) {}

PeriodicWorker::~PeriodicWorker() { Stop(); }

void PeriodicWorker::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  wake_.notify_all();
}

void PeriodicWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void PeriodicWorker::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    woken_ = false;
    lock.unlock();
    work_();
    lock.lock();
    wake_.wait_for(lock, every_, [this] { return stopping_ || woken_; });
  }
}

}  // namespace glueguard
