// `glueguard demo` as a user runs it, from the repository's root: it starts, launches go through admission,
// and Ctrl-C ends it with a summary.
#include <gtest/gtest.h>
#include <signal.h>

#include "testing/process.h"

namespace glueguard {
namespace {

TEST(Demo, LaunchesGoThroughAdmissionAndCtrlCPrintsASummary) {
  testing::ChildProcess demo({GLUEGUARD_BINARY, "demo", "--speed", "3600", "--listen", "127.0.0.1:0"},
                             {"PATH=/usr/bin:/bin"}, GLUEGUARD_SOURCE_DIR);
  ASSERT_TRUE(demo.started());
  // Read until the first admitted launch, then interrupt it.
  ASSERT_TRUE(demo.ReadUntil([](const std::string& out) { return out.find("ADMIT") != std::string::npos; }))
      << demo.output();
  demo.Signal(SIGINT);
  EXPECT_EQ(demo.Finish(), 0) << demo.output();
  const std::string& output = demo.output();
  EXPECT_NE(output.find("controller API  http://127.0.0.1:"), std::string::npos) << output;
  EXPECT_NE(output.find("critical      customer-analytics@"), std::string::npos) << output;
  EXPECT_NE(output.find("glueguard demo: stopped at simulated"), std::string::npos) << output;
  EXPECT_NE(output.find("IP-exhaustion failures  0"), std::string::npos) << output;
}

}  // namespace
}  // namespace glueguard
