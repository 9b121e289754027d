// `glueguard demo` as a user runs it, from the repository's root: it starts, launches go through admission,
// and Ctrl-C ends it with a summary.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace glueguard {
namespace {

TEST(Demo, LaunchesGoThroughAdmissionAndCtrlCPrintsASummary) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_adddup2(&files, out[1], 1);
  posix_spawn_file_actions_adddup2(&files, out[1], 2);
  posix_spawn_file_actions_addclose(&files, out[0]);
  posix_spawn_file_actions_addchdir_np(&files, GLUEGUARD_SOURCE_DIR);
  const char* argv[] = {GLUEGUARD_BINARY, "demo", "--speed", "3600", "--listen", "127.0.0.1:0", nullptr};
  const char* envp[] = {"PATH=/usr/bin:/bin", nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, GLUEGUARD_BINARY, &files, nullptr, const_cast<char**>(argv),
                        const_cast<char**>(envp)),
            0);
  posix_spawn_file_actions_destroy(&files);
  close(out[1]);

  // Read until the first admitted launch (blocking reads on the pipe, no sleeping), then interrupt it.
  std::string output;
  char buffer[4096];
  bool interrupted = false;
  while (true) {
    const ssize_t n = read(out[0], buffer, sizeof buffer);
    if (n <= 0) break;
    output.append(buffer, static_cast<size_t>(n));
    if (!interrupted && output.find("ADMIT") != std::string::npos) {
      kill(pid, SIGINT);
      interrupted = true;
    }
  }
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(interrupted) << output;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;
  EXPECT_NE(output.find("controller API  http://127.0.0.1:"), std::string::npos) << output;
  EXPECT_NE(output.find("critical      customer-analytics@"), std::string::npos) << output;
  EXPECT_NE(output.find("glueguard demo: stopped at simulated"), std::string::npos) << output;
  EXPECT_NE(output.find("IP-exhaustion failures  0"), std::string::npos) << output;
}

}  // namespace
}  // namespace glueguard
