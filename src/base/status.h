// Status and Result<T>: glueguard's one error model. Errors are values; no exception crosses a module boundary.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace glueguard {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // the caller's input is malformed; retrying the same input fails again
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // a create-if-absent write found the thing already there
  kFailedPrecondition,  // the system is not in a state that allows the call (e.g. a version mismatch)
  kPermissionDenied,    // the caller is not allowed to do this (e.g. AWS AccessDenied)
  kUnavailable,         // a dependency could not be reached; retrying may succeed
  kDeadlineExceeded,    // a bounded wait ran out
  kInternal,            // a dependency misbehaved (corrupt data, unexpected reply)
};

// The lower-case name of a code, e.g. "invalid_argument"; used in logs and JSON errors.
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid_argument: <message>", or "ok".
  std::string ToString() const;

  // The same status with `context` and ": " put in front of its message; an ok status stays ok.
  Status WithContext(const std::string& context) const;

  // A machine-readable cause finer than the code, e.g. the AWS error code "RequestLimitExceeded" or
  // "InvalidNetworkInterface.InUse"; empty when there is none.
  const std::string& reason() const { return reason_; }
  Status WithReason(std::string reason) const {
    Status s = *this;
    s.reason_ = std::move(reason);
    return s;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string reason_;
};

// Ends the process with `status` in the message: the value of a Result that holds an error was used.
[[noreturn]] void DieOnErrorValue(const Status& status);

// Either a value or a non-ok Status. Using the value of an error (value(), *, ->) is a programming error: the
// process aborts, printing the status, in every build.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor): return a value directly
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor): return an error
    if (status_.ok()) status_ = Status::Internal("Result constructed from an ok Status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { return Checked(); }
  const T& value() const& { return Checked(); }
  T&& value() && { return std::move(Checked()); }
  T& operator*() & { return Checked(); }
  const T& operator*() const& { return Checked(); }
  T&& operator*() && { return std::move(Checked()); }
  T* operator->() { return &Checked(); }
  const T* operator->() const { return &Checked(); }

 private:
  T& Checked() {
    if (!value_.has_value()) [[unlikely]] DieOnErrorValue(status_);
    return *value_;
  }
  const T& Checked() const {
    if (!value_.has_value()) [[unlikely]] DieOnErrorValue(status_);
    return *value_;
  }

  std::optional<T> value_;
  Status status_;
};

}  // namespace glueguard

// Returns early from the enclosing function when `expr` (a Status) is not ok. The local's name is unique per
// use, so the macro nests (a lambda body using it inside another use's expression).
#define GG_STATUS_CONCAT_INNER(a, b) a##b
#define GG_STATUS_CONCAT(a, b) GG_STATUS_CONCAT_INNER(a, b)
#define GG_RETURN_IF_ERROR(expr) GG_RETURN_IF_ERROR_IMPL(GG_STATUS_CONCAT(gg_status_, __COUNTER__), expr)
#define GG_RETURN_IF_ERROR_IMPL(name, expr) \
  do {                                      \
    ::glueguard::Status name = (expr);      \
    if (!name.ok()) return name;            \
  } while (false)

// Evaluates `expr` (a Result<T>); on an error returns its Status from the enclosing function, otherwise
// moves the value into `lhs`, a declaration ("auto x", "Config config") or an existing variable.
#define GG_ASSIGN_OR_RETURN(lhs, expr) \
  GG_ASSIGN_OR_RETURN_IMPL(GG_STATUS_CONCAT(gg_result_, __COUNTER__), lhs, expr)
#define GG_ASSIGN_OR_RETURN_IMPL(name, lhs, expr) \
  auto name = (expr);                             \
  if (!name.ok()) return name.status();           \
  lhs = std::move(*name)
