#include "testing/aws_cli.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace glueguard::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

bool HaveAwsCli() { return std::filesystem::exists(kAwsCli); }

CliRun RunAwsCli(const std::string& endpoint, const TempDir& dir, const std::vector<std::string>& args,
                 const std::string& secret) {
  std::vector<std::string> argv_strings = {kAwsCli,     "--endpoint-url", endpoint, "--region",
                                           "us-east-1", "--output",       "json"};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  const std::vector<std::string> env_strings = {"PATH=/usr/bin:/bin",
                                                "HOME=" + dir.path().string(),
                                                "LANG=C.UTF-8",
                                                "AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
                                                "AWS_SECRET_ACCESS_KEY=" + secret,
                                                "AWS_CONFIG_FILE=/dev/null",
                                                "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
                                                "AWS_EC2_METADATA_DISABLED=true",
                                                "AWS_PAGER="};
  std::vector<char*> argv, envp;
  for (const std::string& a : argv_strings) argv.push_back(const_cast<char*>(a.c_str()));
  for (const std::string& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
  argv.push_back(nullptr);
  envp.push_back(nullptr);
  const std::string out_path = dir.File("aws.out"), err_path = dir.File("aws.err");
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&files, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  CliRun run;
  if (posix_spawn(&pid, kAwsCli, &files, nullptr, argv.data(), envp.data()) == 0) {
    int status = 0;
    waitpid(pid, &status, 0);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  posix_spawn_file_actions_destroy(&files);
  run.out = ReadFile(out_path);
  run.err = ReadFile(err_path);
  return run;
}

}  // namespace glueguard::testing
