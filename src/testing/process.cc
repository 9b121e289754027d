#include "testing/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace glueguard::testing {
namespace {

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string ReadServeUrl(ChildProcess& serve) {
  std::string url;
  serve.ReadUntil([&](const std::string& out) {
    const size_t at = out.find("API on http://");
    const size_t end = at == std::string::npos ? at : out.find_first_of(" \n", at + 7);
    if (end != std::string::npos) url = out.substr(at + 7, end - at - 7);
    return !url.empty();
  });
  return url;
}

std::vector<std::string> GlueguardEnv(const std::string& aws_endpoint, const std::string& store_path,
                                      const std::vector<std::string>& extra) {
  std::vector<std::string> env = {"PATH=/usr/bin:/bin",
                                  "GLUEGUARD_STORE_PATH=" + store_path,
                                  "AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
                                  "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                  "AWS_REGION=us-east-1",
                                  "AWS_CONFIG_FILE=/dev/null",
                                  "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
                                  "AWS_EC2_METADATA_DISABLED=true",
                                  "AWS_ENDPOINT_URL=" + aws_endpoint};
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

FinishedRun RunToCompletion(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                            const TempDir& dir, const std::string& name, const std::string& stdin_path) {
  const std::string out_path = dir.File(name + ".out"), err_path = dir.File(name + ".err");
  std::vector<char*> args, envp;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  args.push_back(nullptr);
  envp.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&files, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  FinishedRun run;
  pid_t pid = 0;
  if (posix_spawn(&pid, args[0], &files, nullptr, args.data(), envp.data()) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  posix_spawn_file_actions_destroy(&files);
  run.out = ReadWholeFile(out_path);
  run.err = ReadWholeFile(err_path);
  return run;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                           const std::string& cwd) {
  int out[2];
  if (pipe(out) != 0) return;
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_adddup2(&files, out[1], 1);
  posix_spawn_file_actions_adddup2(&files, out[1], 2);
  posix_spawn_file_actions_addclose(&files, out[0]);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&files, cwd.c_str());
  std::vector<char*> args, envp;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  args.push_back(nullptr);
  envp.push_back(nullptr);
  if (posix_spawn(&pid_, args[0], &files, nullptr, args.data(), envp.data()) != 0) pid_ = -1;
  posix_spawn_file_actions_destroy(&files);
  close(out[1]);
  fd_ = out[0];
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (fd_ >= 0) close(fd_);
}

bool ChildProcess::ReadUntil(const std::function<bool(const std::string&)>& done) {
  char buffer[4096];
  while (!done(output_)) {
    const ssize_t n = fd_ >= 0 ? read(fd_, buffer, sizeof buffer) : 0;
    if (n <= 0) return false;
    output_.append(buffer, static_cast<size_t>(n));
  }
  return true;
}

void ChildProcess::Signal(int signal_number) {
  if (pid_ > 0) kill(pid_, signal_number);
}

int ChildProcess::Finish() {
  ReadUntil([](const std::string&) { return false; });
  if (pid_ <= 0) return -1;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace glueguard::testing
