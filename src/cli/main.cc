// The glueguard binary: everything lives in the core library; this only hands it the command line.
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return glueguard::RunCli(args, std::cout, std::cerr, glueguard::ProcessEnv());
}
