#include "aws/credentials_process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/json_limits.h"
#include "aws/credentials_parse.h"

extern char** environ;

namespace glueguard {

namespace {

constexpr size_t kMaxOutputBytes = size_t{1024} * 1024;

// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

class SpawnFileActions {
 public:
  SpawnFileActions() { posix_spawn_file_actions_init(&actions_); }
  ~SpawnFileActions() { posix_spawn_file_actions_destroy(&actions_); }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_{};
};

// Waits for `pid` to end and returns its wait status; retries on EINTR.
int Reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

}  // namespace

Result<Credentials> ParseCredentialProcessOutput(std::string_view output, std::string_view source) {
  GG_RETURN_IF_ERROR(CheckJsonDepth(output, source));
  const nlohmann::json doc = nlohmann::json::parse(output, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidArgument(fmt::format("{}: the output is not a JSON object", source));
  }
  auto version = doc.find("Version");
  if (version == doc.end() || !version->is_number_integer() || version->get<int64_t>() != 1) {
    return Status::InvalidArgument(fmt::format("{}: the output's Version is not 1", source));
  }
  CredentialsJsonFields fields;
  fields.session_token = "SessionToken";
  return ParseCredentialsJson(output, fields, source);
}

Result<Credentials> RunCredentialProcess(const std::string& command_line, std::string_view profile,
                                         Duration timeout) {
  const std::string source = fmt::format("credential_process of profile {}", profile);
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return Status::Unavailable(fmt::format("{}: cannot create a pipe: {}", source, std::strerror(errno)));
  }
  Fd read_end(pipe_fds[0]);
  Fd write_end(pipe_fds[1]);

  SpawnFileActions actions;
  // dup2 onto stdout clears close-on-exec there; every other descriptor of ours closes at exec.
  posix_spawn_file_actions_adddup2(actions.get(), write_end.get(), STDOUT_FILENO);
  const char* argv[] = {"/bin/sh", "-c", command_line.c_str(), nullptr};
  pid_t pid = 0;
  const int spawn_error =
      posix_spawn(&pid, "/bin/sh", actions.get(), nullptr, const_cast<char* const*>(argv), environ);
  if (spawn_error != 0) {
    return Status::Unavailable(
        fmt::format("{}: cannot start /bin/sh: {}", source, std::strerror(spawn_error)));
  }
  write_end.Reset();

  std::string output;
  std::string failure;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      failure = fmt::format("did not finish within {}", FormatDuration(timeout));
      break;
    }
    pollfd p{read_end.get(), POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1'000'000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      failure = fmt::format("cannot wait for its output: {}", std::strerror(errno));
      break;
    }
    if (ready == 0) continue;  // the deadline is checked at the top
    char buffer[4096];
    const ssize_t n = read(read_end.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      failure = fmt::format("cannot read its output: {}", std::strerror(errno));
      break;
    }
    if (n == 0) break;  // end of output
    output.append(buffer, static_cast<size_t>(n));
    if (output.size() > kMaxOutputBytes) {
      failure = fmt::format("printed more than {} bytes", kMaxOutputBytes);
      break;
    }
  }
  read_end.Reset();
  if (!failure.empty()) {
    kill(pid, SIGKILL);
    Reap(pid);
    return Status::Unavailable(fmt::format("{}: {}", source, failure));
  }
  const int status = Reap(pid);
  if (WIFSIGNALED(status)) {
    return Status::Unavailable(fmt::format("{}: killed by signal {}", source, WTERMSIG(status)));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::Unavailable(fmt::format("{}: exited with status {}", source, WEXITSTATUS(status)));
  }
  return ParseCredentialProcessOutput(output, source);
}

}  // namespace glueguard
