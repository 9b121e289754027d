// `glueguard serve` as a process: it serves, and SIGTERM stops it cleanly.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "aws/curl_transport.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

TEST(ServeCommand, ServesItsApiAndStopsCleanlyOnSigterm) {
  testing::TempDir dir;
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_adddup2(&files, out[1], 1);
  posix_spawn_file_actions_adddup2(&files, out[1], 2);
  posix_spawn_file_actions_addclose(&files, out[0]);
  const std::string config = std::string(GLUEGUARD_SOURCE_DIR) + "/examples/glueguard.yaml";
  const std::string store = "GLUEGUARD_STORE_PATH=" + dir.File("serve.db");
  const char* argv[] = {GLUEGUARD_BINARY, "serve",       "--config", config.c_str(),
                        "--listen",       "127.0.0.1:0", nullptr};
  // No AWS endpoint answers (port 9 on loopback refuses): the API must still serve and stop cleanly.
  const char* envp[] = {"PATH=/usr/bin:/bin",
                        store.c_str(),
                        "AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
                        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                        "AWS_REGION=us-east-1",
                        "AWS_CONFIG_FILE=/dev/null",
                        "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
                        "AWS_EC2_METADATA_DISABLED=true",
                        "AWS_MAX_ATTEMPTS=1",
                        "AWS_ENDPOINT_URL=http://127.0.0.1:9",
                        nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, GLUEGUARD_BINARY, &files, nullptr, const_cast<char**>(argv),
                        const_cast<char**>(envp)),
            0);
  posix_spawn_file_actions_destroy(&files);
  close(out[1]);

  std::string output;
  char buffer[4096];
  std::string url;
  while (url.empty()) {
    const ssize_t n = read(out[0], buffer, sizeof buffer);
    if (n <= 0) break;
    output.append(buffer, static_cast<size_t>(n));
    const size_t at = output.find("API on http://");
    const size_t end = at == std::string::npos ? at : output.find_first_of(" \n", at + 7);
    if (end != std::string::npos) url = output.substr(at + 7, end - at - 7);
  }
  ASSERT_FALSE(url.empty()) << output;
  CurlTransport transport;
  HttpRequest health;
  health.method = "GET";
  health.url = url + "/healthz";
  Result<HttpResponse> r = transport.Send(health);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  HttpRequest ready = health;
  ready.url = url + "/readyz";
  EXPECT_EQ(transport.Send(ready)->status, 503);  // nothing observed: AWS is unreachable

  kill(pid, SIGTERM);
  while (true) {
    const ssize_t n = read(out[0], buffer, sizeof buffer);
    if (n <= 0) break;
    output.append(buffer, static_cast<size_t>(n));
  }
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;
  EXPECT_NE(output.find("stopped on SIGTERM"), std::string::npos) << output;
}

}  // namespace
}  // namespace glueguard
