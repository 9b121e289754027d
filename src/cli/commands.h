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
int RunSessionsCheck(CommandContext& context);
int RunPolicyIam(CommandContext& context);
int RunPolicyUsageProfile(CommandContext& context);
int RunDoctor(CommandContext& context);
int RunCapacity(CommandContext& context);
int RunSessionsEnforce(CommandContext& context);
int RunSessionsDlqList(CommandContext& context);
int RunSessionsDlqReplay(CommandContext& context);
int RunLambda(CommandContext& context);
int RunStoreInit(CommandContext& context);
int RunStoreCheck(CommandContext& context);

}  // namespace glueguard
