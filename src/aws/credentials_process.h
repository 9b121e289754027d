// credential_process: credentials printed by a command the user configured in a profile.
#pragma once

#include <string>
#include <string_view>

#include "aws/sigv4.h"
#include "base/status.h"
#include "base/time.h"

namespace glueguard {

// Runs `command_line` with /bin/sh -c (stdin and stderr inherited, stdout captured) and parses what it
// prints. `profile` names the profile in messages and in Credentials::source ("credential_process of profile
// p"). Errors: Unavailable when the command cannot be started, exits with a non-zero status or is killed, or
// runs longer than `timeout` (it is then killed); InvalidArgument when its output is not the expected JSON.
// Messages name the profile but never include the command line or the output, either of which may hold
// secrets. Thread-safe. The timeout is measured on the monotonic clock: it bounds a wait on a real child
// process.
Result<Credentials> RunCredentialProcess(const std::string& command_line, std::string_view profile,
                                         Duration timeout = std::chrono::minutes(1));

// Parses credential_process output: {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?,
// "Expiration"?}. InvalidArgument, naming `source` and the offending field, for anything else.
Result<Credentials> ParseCredentialProcessOutput(std::string_view output, std::string_view source);

}  // namespace glueguard
