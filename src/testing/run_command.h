// Runs glueguard's command line in the test's process (RunCli) and keeps what it printed.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "base/env.h"
#include "cli/cli.h"

namespace glueguard::testing {

struct CommandRun {
  int code = -1;
  std::string out;
  std::string err;
};

// `env` is all the command sees of the environment (nothing by default).
inline CommandRun RunCommand(const std::vector<std::string>& args, const EnvLookup& env = FixedEnv({})) {
  std::ostringstream out, err;
  CommandRun run;
  run.code = RunCli(args, out, err, env);
  run.out = out.str();
  run.err = err.str();
  return run;
}

}  // namespace glueguard::testing
