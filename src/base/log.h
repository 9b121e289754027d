// Log: the one way glueguard's code tells an operator what it did. A component takes a Log in its options or
// deps and writes whole lines to it; `app` and the commands decide where they go.
//
// - A default Log writes nothing: what a test that does not read the lines wants.
// - Log::To(stream) writes each line whole, flushed, after "glueguard: ", under one lock shared by every Log
//   made this way, so lines from many threads never interleave. `serve` logs to its standard error this way.
// - Log(sink) hands each line to `sink` as it is: what a test that reads the lines wants.
//
// Where a component's deps default to Log::Stderr() (the controller, the HTTP server, simcloud's CloudTrail),
// an empty Log passed in silences it; the default is for callers that pass none.
//
// Copying a Log is cheap and shares its sink. Calling one is thread-safe when its sink is.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace glueguard {

class Log {
 public:
  using Sink = std::function<void(std::string_view line)>;

  Log() = default;
  // Any function of one line is a Log, so a lambda can be passed where a Log is taken.
  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Log> &&
                                                    std::is_invocable_v<F&, std::string_view>>>
  Log(F&& sink) : sink_(std::forward<F>(sink)) {}  // NOLINT(google-explicit-constructor)

  static Log To(std::ostream& out);
  static Log Stderr();

  void operator()(std::string_view line) const {
    if (sink_) sink_(line);
  }
  explicit operator bool() const { return static_cast<bool>(sink_); }

 private:
  Sink sink_;
};

}  // namespace glueguard
