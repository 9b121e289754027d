// A child process for tests that run glueguard as a user would: stdout and stderr into one pipe, read by
// blocking reads (no sleeping), signalled and waited for.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "testing/temp_dir.h"

namespace glueguard::testing {

// What a finished child wrote and how it ended.
struct FinishedRun {
  int exit_code = -1;  // -1 when it could not be started or did not exit normally
  std::string out;
  std::string err;
};

// Runs `argv[0]` with `argv` and exactly `env`, stdin from `stdin_path`, and waits for it; stdout and stderr
// go through the files `<name>.out` and `<name>.err` in `dir`, so a chatty child never blocks on a pipe.
FinishedRun RunToCompletion(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                            const TempDir& dir, const std::string& name,
                            const std::string& stdin_path = "/dev/null");

// The environment a glueguard child runs with in tests: only PATH, its store file, simcloud's test key, region
// us-east-1, no AWS config files or instance metadata, AWS calls to `aws_endpoint`; then `extra`.
std::vector<std::string> GlueguardEnv(const std::string& aws_endpoint, const std::string& store_path,
                                      const std::vector<std::string>& extra = {});

class ChildProcess;

// Reads a `glueguard serve` child's output until it says where its API listens; that URL, or empty when it
// ended first.
std::string ReadServeUrl(ChildProcess& serve);

class ChildProcess {
 public:
  // Starts `argv[0]` with `argv` and exactly `env` ("NAME=value"), in `cwd` when not empty. started() is
  // false when it could not be started.
  ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
               const std::string& cwd = "");
  ~ChildProcess();  // kills and reaps a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  // Reads output until `done(output so far)` holds or the output ends; returns whether it held.
  bool ReadUntil(const std::function<bool(const std::string&)>& done);
  void Signal(int signal_number);
  // Reads the rest of the output and waits for the exit; the exit code, or -1 when it did not exit normally.
  int Finish();
  const std::string& output() const { return output_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string output_;
};

}  // namespace glueguard::testing
