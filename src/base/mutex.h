// Mutex, MutexLock and CondVar: std::mutex and std::condition_variable with clang's thread-safety
// annotations, so that a member declared `GG_GUARDED_BY(mu_)` is only touched with `mu_` held. clang checks
// it at compile time (scripts/check-thread-safety, run by `make test`); g++ ignores the annotations.
//
//   mutable Mutex mu_;
//   int count_ GG_GUARDED_BY(mu_) = 0;
//   void Add() GG_EXCLUDES(mu_) { MutexLock lock(mu_); AddLocked(); }
//   void AddLocked() GG_REQUIRES(mu_) { ++count_; }
//
// Waiting is a loop, `while (!ready_) cv_.Wait(mu_);`, not a predicate lambda: a lambda is checked as a
// function of its own that holds no lock, so one that reads a guarded member fails the check.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define GG_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define GG_THREAD_ANNOTATION(x)
#endif

#define GG_CAPABILITY(name) GG_THREAD_ANNOTATION(capability(name))
#define GG_SCOPED_CAPABILITY GG_THREAD_ANNOTATION(scoped_lockable)
#define GG_GUARDED_BY(mu) GG_THREAD_ANNOTATION(guarded_by(mu))
#define GG_PT_GUARDED_BY(mu) GG_THREAD_ANNOTATION(pt_guarded_by(mu))
#define GG_REQUIRES(...) GG_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define GG_EXCLUDES(...) GG_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define GG_ACQUIRE(...) GG_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define GG_RELEASE(...) GG_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define GG_NO_THREAD_SAFETY_ANALYSIS GG_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace glueguard {

// Not recursive. Prefer MutexLock to calling Lock() and Unlock().
class GG_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() GG_ACQUIRE() { mu_.lock(); }
  void Unlock() GG_RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds `mu` for its scope. Unlock() gives it up early and Lock() takes it again; the destructor releases it
// only if held.
class GG_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) GG_ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() GG_RELEASE() {
    if (held_) mu_.Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void Unlock() GG_RELEASE() {
    mu_.Unlock();
    held_ = false;
  }
  void Lock() GG_ACQUIRE() {
    mu_.Lock();
    held_ = true;
  }

 private:
  Mutex& mu_;
  bool held_ = true;
};

// A condition variable waited on with a Mutex the caller holds. Each wait releases the Mutex while it
// blocks, takes it again before returning, and may return spuriously: wait in a loop on the condition.
class CondVar {
 public:
  void Wait(Mutex& mu) GG_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // the caller still holds mu
  }
  // false when `timeout` passed without a notification.
  template <typename Rep, typename Period>
  bool WaitFor(Mutex& mu, std::chrono::duration<Rep, Period> timeout) GG_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    const std::cv_status status = cv_.wait_for(lock, timeout);
    lock.release();
    return status == std::cv_status::no_timeout;
  }
  // false when `deadline` passed without a notification.
  template <typename Clock, typename D>
  bool WaitUntil(Mutex& mu, std::chrono::time_point<Clock, D> deadline) GG_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu.mu_, std::adopt_lock);
    const std::cv_status status = cv_.wait_until(lock, deadline);
    lock.release();
    return status == std::cv_status::no_timeout;
  }
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace glueguard
