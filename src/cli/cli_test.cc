#include "cli/cli.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>

#include "testing/run_command.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

using CliRun = testing::CommandRun;

CliRun Cli(const std::vector<std::string>& args) { return testing::RunCommand(args); }

const std::string kExample = std::string(GLUEGUARD_SOURCE_DIR) + "/examples/glueguard.yaml";

TEST(Cli, HelpListsEveryCommandFromTheTable) {
  const CliRun r = Cli({"--help"});
  EXPECT_EQ(r.code, 0);
  for (const Command& c : Commands()) EXPECT_NE(r.out.find(c.name), std::string::npos) << c.name;
}

TEST(Cli, NoArgumentsIsAUsageError) { EXPECT_EQ(Cli({}).code, kExitUsage); }

TEST(Cli, MisspelledCommandGetsADidYouMean) {
  const CliRun r = Cli({"verson"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("Did you mean 'version'?"), std::string::npos) << r.err;
  EXPECT_NE(Cli({"config", "valdate"}).err.find("Did you mean 'config validate'?"), std::string::npos);
  EXPECT_NE(Cli({"config"}).err.find("config validate"), std::string::npos);
}

TEST(Cli, VersionPrintsTheVersion) {
  const CliRun r = Cli({"version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, std::string("glueguard ") + GLUEGUARD_VERSION + "\n");
}

TEST(Cli, UnknownOptionIsAUsageErrorWithASuggestion) {
  const CliRun r = Cli({"config", "validate", kExample, "--ouput", "json"});
  EXPECT_EQ(r.code, kExitUsage);
  EXPECT_NE(r.err.find("did you mean '--output'?"), std::string::npos) << r.err;
}

TEST(ConfigValidate, ShippedExampleIsValidAndSummarised) {
  const CliRun r = Cli({"config", "validate", kExample});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("valid (3 subnets, 3 categories"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("10.20.0.128/27"), std::string::npos);
  EXPECT_NE(r.out.find("critical (priority 100)"), std::string::npos);
}

TEST(ConfigValidate, JsonOutputCarriesUsableIps) {
  const CliRun r = Cli({"config", "validate", kExample, "--output", "json"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("\"usable_ips\": 59"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"usable_ips\": 27"), std::string::npos);
}

TEST(ConfigValidate, BadConfigExitsNonZeroWithEveryMessage) {
  testing::TempDir dir;
  const std::string path = dir.Write("bad.yaml", R"(subnets:
  - id: subnet-a
    cidr: 10.0.0.0/30
categories:
  - name: critical
    subnet: subnet-q
)");
  const CliRun r = Cli({"config", "validate", path});
  EXPECT_EQ(r.code, kExitFailure);
  EXPECT_NE(r.err.find(path + ":3: subnets[0].cidr"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(path + ":6: categories[0].subnet: unknown subnet 'subnet-q'"), std::string::npos)
      << r.err;
  const CliRun json = Cli({"config", "validate", path, "--output", "json"});
  EXPECT_EQ(json.code, kExitFailure);
  EXPECT_NE(json.out.find("\"valid\": false"), std::string::npos);
}

TEST(ConfigValidate, TheBinaryExitsNonZeroOnABadFile) {
  testing::TempDir dir;
  const std::string path = dir.Write("bad.yaml", "subnets: 3\n");
  const std::string command = std::string(GLUEGUARD_BINARY) + " config validate " + path + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[256];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = pclose(pipe);
  EXPECT_EQ(WEXITSTATUS(status), 1) << output;
  EXPECT_NE(output.find("subnets: must be a non-empty list"), std::string::npos) << output;
  const std::string ok = std::string(GLUEGUARD_BINARY) + " config validate " + kExample + " >/dev/null";
  EXPECT_EQ(WEXITSTATUS(std::system(ok.c_str())), 0);
}

// Every number a command takes on its flags is read one way: a value that is not a number in range is a
// usage error naming the flag, the range and what was given, before anything starts.
TEST(Cli, NumberFlagsNameTheFlagTheRangeAndTheValue) {
  const std::string workload = std::string(GLUEGUARD_SOURCE_DIR) + "/examples/workloads/seed-after.yaml";
  const struct {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"simulate", workload, "--days", "2.5"}, "--days must be a whole number from 1 to 3660, not '2.5'"},
      {{"simulate", workload, "--seeds", "0"}, "--seeds must be a whole number from 1 to 10000, not '0'"},
      {{"simcloud", workload, "--seed", "-1"}, "--seed must be a whole number from 0 to"},
      {{"simcloud", workload, "--drop-events", "2"}, "--drop-events must be a number from 0 to 1, not '2'"},
      {{"demo", "--speed", "0"}, "--speed must be a number from 1 to 3600, not '0'"},
      {{"sessions", "dlq", "list", "--config", kExample, "--limit", "0"},
       "--limit must be a whole number from 1 to 1000000, not '0'"},
      {{"admit", "--server", "http://127.0.0.1:9", "--category", "critical", "--workers", "ten", "--run-id", "x"},
       "--workers must be a whole number from 1 to 100000, not 'ten'"},
  };
  for (const auto& c : cases) {
    const CliRun r = Cli(c.args);
    EXPECT_EQ(r.code, kExitUsage) << c.args[0] << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace glueguard
