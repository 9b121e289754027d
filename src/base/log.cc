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

Log Log::WithPrefix(std::string prefix) const {
  if (!sink_) return {};
  return Log([sink = sink_, prefix = std::move(prefix)](std::string_view line) {
    std::string whole = prefix;
    whole += ": ";
    whole += line;
    sink(whole);
  });
}

}  // namespace glueguard
