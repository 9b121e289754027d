// deploy/airflow/dags/: the example DAGs, read with Debian's python3 (Airflow itself cannot be installed
// here). The pattern that tells an IP-exhaustion failure lives once, in glueguard_launch.py, and knows every
// wording; each DAG parses and takes it from there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "deploy/deploy_testing.h"
#include "sim/world.h"

namespace glueguard {
namespace {

using deploy_testing::RunTool;
using deploy_testing::Source;
using deploy_testing::ToolRun;

constexpr char kPython[] = "/usr/bin/python3";
const char* const kDags[] = {"deploy/airflow/dags/glue_with_bash_sensor.py",
                             "deploy/airflow/dags/glue_with_http_sensor.py"};

class AirflowDags : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPython)) GTEST_SKIP() << "python3 missing (apt-get install python3)";
  }
  // Runs `script` with the DAGs folder on sys.path (as Airflow has it) and `args` as sys.argv[1:].
  static ToolRun Python(const std::string& script, const std::vector<std::string>& args = {}) {
    std::vector<std::string> argv = {
        kPython, "-c",
        "import sys; sys.path.insert(0, " + Quoted(Source("deploy/airflow/dags")) + ")\n" + script};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunTool(argv);
  }
  static std::string Quoted(const std::string& text) { return "r'" + text + "'"; }
};

// The bug: Glue's own wording, "Number of IP addresses on subnet is 0", was not recognised, so finish_launch
// never reported that failure and the subnet never cooled off.
TEST_F(AirflowDags, IpExhaustionIsRecognisedInEveryWordingAndNothingElse) {
  const std::vector<std::string> exhausted = {
      "Number of IP addresses on subnet is 0: subnet-0a1b2c3d4e5f60001 (Error Code: InvalidInputException)",
      "An error occurred while calling o103.pyWriteDynamicFrame. Failed to provision ENIs: "
      "InsufficientFreeAddressesInSubnet: The specified subnet does not have enough free addresses to "
      "satisfy "
      "the request.",
      "The specified subnet does not have enough free IP addresses to satisfy the request.",
      "InsufficientFreeAddressesInSubnet",
      kSubnetExhaustedMessage,  // what simcloud's Glue reports, so the demo's failures are reported too
  };
  const std::vector<std::string> not_exhausted = {
      "",
      "Command failed with exit code 1",
      "Number of IP addresses on subnet is 10: subnet-0a1b2c3d4e5f60001",
      "ConcurrentRunsExceededException: Concurrent runs exceeded for product-metrics",
  };
  std::vector<std::string> args = exhausted;
  args.insert(args.end(), not_exhausted.begin(), not_exhausted.end());
  const ToolRun run = Python(
      "from glueguard_launch import looks_like_ip_exhaustion\n"
      "print(looks_like_ip_exhaustion(None))\n"
      "for message in sys.argv[1:]: print(looks_like_ip_exhaustion(message))\n",
      args);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::string expected = "False\n";
  for (size_t i = 0; i < exhausted.size(); ++i) expected += "True\n";
  for (size_t i = 0; i < not_exhausted.size(); ++i) expected += "False\n";
  EXPECT_EQ(run.output, expected);
}

TEST_F(AirflowDags, EachDagParsesAndTakesThePatternFromTheSharedModule) {
  for (const char* dag : kDags) {
    const ToolRun run = Python(
        "import ast\n"
        "tree = ast.parse(open(sys.argv[1]).read(), sys.argv[1])\n"
        "shared = [a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "
        "'glueguard_launch' for a in n.names]\n"
        "compiles = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == 'compile']\n"
        "print('shared', ' '.join(shared))\n"
        "print('own patterns', len(compiles))\n",
        {Source(dag)});
    ASSERT_EQ(run.exit_code, 0) << dag << ": " << run.output;
    EXPECT_THAT(run.output, ::testing::HasSubstr("shared looks_like_ip_exhaustion\n")) << dag;
    EXPECT_THAT(run.output, ::testing::HasSubstr("own patterns 0\n")) << dag;
  }
}

TEST_F(AirflowDags, TheSharedModuleIsKeptOutOfDagParsing) {
  const ToolRun run = Python(
      "import re\n"
      "lines = [l for l in open(sys.argv[1]).read().splitlines() if l.strip() and not l.startswith('#')]\n"
      "print(any(re.search(l, 'glueguard_launch.py') for l in lines))\n"
      "print(any(re.search(l, name) for l in lines for name in sys.argv[2:]))\n",
      {Source("deploy/airflow/dags/.airflowignore"), "glue_with_bash_sensor.py", "glue_with_http_sensor.py"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, "True\nFalse\n");
}

}  // namespace
}  // namespace glueguard
