// Runs Debian's AWS CLI (/usr/bin/aws) against a local endpoint, as the real peer of simcloud's tests.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "testing/temp_dir.h"

namespace glueguard::testing {

inline constexpr char kAwsCli[] = "/usr/bin/aws";
// AWS's documented example secret for AKIDEXAMPLE, simcloud's default test key.
inline constexpr char kTestSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  // stdout as JSON; a discarded value when it is not JSON.
  nlohmann::json json() const { return nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false); }
};

// True when the CLI is installed.
bool HaveAwsCli();

// Runs `aws --endpoint-url ENDPOINT --region us-east-1 --output json ARGS...` with only AKIDEXAMPLE and
// `secret` as credentials (no config files, no IMDS, no pager); stdout and stderr go through files in `dir`.
CliRun RunAwsCli(const std::string& endpoint, const TempDir& dir, const std::vector<std::string>& args,
                 const std::string& secret = kTestSecret);

}  // namespace glueguard::testing
