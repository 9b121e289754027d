#include "testing/aws_cli.h"

#include <filesystem>
#include <utility>

#include "testing/process.h"

namespace glueguard::testing {
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
  FinishedRun finished = RunToCompletion(argv_strings, env_strings, dir, "aws");
  CliRun run;
  run.exit_code = finished.exit_code;
  run.out = std::move(finished.out);
  run.err = std::move(finished.err);
  return run;
}

}  // namespace glueguard::testing
