// The functions behind the command table, one per subcommand.
#pragma once

#include "cli/cli.h"

namespace glueguard {

int RunVersion(CommandContext& context);
int RunConfigValidate(CommandContext& context);
int RunObserve(CommandContext& context);
int RunSimcloud(CommandContext& context);
int RunServe(CommandContext& context);
int RunDemo(CommandContext& context);
int RunAdmit(CommandContext& context);
int RunWait(CommandContext& context);
int RunRelease(CommandContext& context);
int RunReportFailure(CommandContext& context);
int RunSimulate(CommandContext& context);

}  // namespace glueguard
