#include "base/log.h"

#include <iostream>

#include "base/mutex.h"

namespace glueguard {
namespace {

Mutex& StreamLock() {
  static Mutex mu;
  return mu;
}

}  // namespace

Log Log::To(std::ostream& out) {
  return Log([&out](std::string_view line) {
    MutexLock lock(StreamLock());
    out << "glueguard: " << line << '\n';
    out.flush();
  });
}

Log Log::Stderr() { return To(std::cerr); }

}  // namespace glueguard
