#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.h"
#include "testing/process.h"
#include "testing/run_command.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

using json = nlohmann::json;

const std::string kCorpus = std::string(GLUEGUARD_SOURCE_DIR) + "/tests/sessions";
const std::string kPolicy = kCorpus + "/policy.yaml";

using CliRun = testing::CommandRun;

CliRun Cli(const std::vector<std::string>& args) { return testing::RunCommand(args); }

std::string Event(const std::string& name) {
  std::ifstream in(kCorpus + "/events/" + name + ".json");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string OneLine(const std::string& name) { return json::parse(Event(name)).dump(); }

TEST(SessionsCheck, ACompliantEventExitsZero) {
  const CliRun r = Cli({"sessions", "check", kCorpus + "/events/compliant.json", "--policy", kPolicy});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("event 1 (c6a1f0de-0002): compliant: session sess-compliant by jane.doe@example.com, "
                       "scope default"),
            std::string::npos)
      << r.out;
}

TEST(SessionsCheck, AViolationPrintsEachLimitAndTheNoticeAndExitsThree) {
  const CliRun r = Cli({"sessions", "check", kCorpus + "/events/several.json", "--policy", kPolicy});
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.out.find("6 violations"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("max_workers"), std::string::npos);
  EXPECT_NE(r.out.find("asked for 40 G.8X workers (320 DPU)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("notice subject: glueguard: session sess-several ended:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("    | What to do instead"), std::string::npos) << r.out;
}

TEST(SessionsCheck, ReadsAnArrayOfEventsAsJsonOutput) {
  testing::TempDir dir;
  const std::string file = dir.Write("events.json", "[" + Event("compliant") + "," + Event("failed_call") +
                                                        "," + Event("max_workers") + "]");
  const CliRun r = Cli({"sessions", "check", file, "--policy", kPolicy, "--output", "json"});
  EXPECT_EQ(r.code, 3) << r.err;
  const json out = json::parse(r.out);
  ASSERT_EQ(out["events"].size(), 3u);
  EXPECT_EQ(out["events"][0]["decision"], "compliant");
  EXPECT_EQ(out["events"][1]["decision"], "ignored");
  EXPECT_NE(out["events"][1]["reason"].get<std::string>().find("AccessDeniedException"), std::string::npos);
  EXPECT_EQ(out["events"][2]["decision"], "violation");
  EXPECT_EQ(out["events"][2]["violations"][0]["code"], "max_workers");
  EXPECT_EQ(out["events"][2]["violations"][0]["limit"], "10");
  EXPECT_EQ(out["events"][2]["violations"][0]["actual"], "12");
  EXPECT_EQ(out["events"][2]["session"]["number_of_workers"], 12);
  EXPECT_TRUE(out["events"][2]["notice"]["subject"].is_string());
}

TEST(SessionsCheck, ReadsJsonLinesAndAnInvalidLineExitsTwoAfterTheOthers) {
  testing::TempDir dir;
  const std::string file =
      dir.Write("events.jsonl", OneLine("compliant") + "\n\n" + OneLine("not_glue") + "\n{\"truncated\": \n" +
                                    OneLine("max_workers") + "\n");
  const CliRun r = Cli({"sessions", "check", file, "--policy", kPolicy});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("event 1 (c6a1f0de-0002): compliant"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("event 2: ignored: not a Glue event (source aws.s3)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("event 3: invalid: the event is not valid JSON"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("event 4 (c6a1f0de-0003): 1 violation"), std::string::npos) << r.out;
}

TEST(SessionsCheck, UnreadableInputExitsTwo) {
  EXPECT_EQ(Cli({"sessions", "check", "/nonexistent/events.json", "--policy", kPolicy}).code, 2);
  testing::TempDir dir;
  const CliRun empty = Cli({"sessions", "check", dir.Write("empty.json", "  \n"), "--policy", kPolicy});
  EXPECT_EQ(empty.code, 2);
  EXPECT_NE(empty.err.find("no events"), std::string::npos);
  const CliRun broken =
      Cli({"sessions", "check", dir.Write("broken.json", "[{\"a\": 1},"), "--policy", kPolicy});
  EXPECT_EQ(broken.code, 2);
  EXPECT_NE(broken.err.find("not a valid JSON array of events"), std::string::npos) << broken.err;
}

TEST(SessionsCheck, NeedsExactlyOnePolicySource) {
  const std::string file = kCorpus + "/events/compliant.json";
  EXPECT_EQ(Cli({"sessions", "check", file}).code, kExitUsage);
  EXPECT_EQ(Cli({"sessions", "check", file, "--policy", kPolicy, "--config", "x.yaml"}).code, kExitUsage);
  EXPECT_EQ(Cli({"sessions", "check", file, "--policy", kPolicy, "--output", "xml"}).code, kExitUsage);
  const CliRun missing = Cli({"sessions", "check", file, "--policy", "/nonexistent/policy.yaml"});
  EXPECT_EQ(missing.code, kExitFailure);
  EXPECT_NE(missing.err.find("cannot open policy file"), std::string::npos);
}

TEST(SessionsCheck, UsesTheConfigurationsSessionPolicy) {
  testing::TempDir dir;
  const std::string config = dir.Write("g.yaml", R"(region: us-east-1
subnets: [{id: subnet-a, cidr: 10.0.0.0/24}]
categories: [{name: etl, subnet: subnet-a}]
sessions:
  policy:
    action: report
    limits: {max_workers: 3}
)");
  const CliRun r = Cli({"sessions", "check", kCorpus + "/events/compliant.json", "--config", config});
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.out.find("out of bounds: max_workers"), std::string::npos) << r.out;  // report: not ended
}

TEST(SessionsCheck, ReadsStandardInputFromTheBinary) {
  testing::ChildProcess child({"/bin/sh", "-c",
                               std::string(GLUEGUARD_BINARY) + " sessions check - --policy " + kPolicy +
                                   " < " + kCorpus + "/events/max_dpu.json"},
                              {});
  ASSERT_TRUE(child.started());
  EXPECT_EQ(child.Finish(), 3);
  EXPECT_NE(child.output().find("max_dpu"), std::string::npos) << child.output();
}

}  // namespace
}  // namespace glueguard

namespace glueguard {
namespace {

// 80,000 nested arrays (or objects) crashed `sessions check` with SIGSEGV; the same parser reads SQS
// messages and Lambda events, where such a message would crash-loop the intake. Now it is refused with the
// limit named.
TEST(SessionsCheck, ADeeplyNestedFileIsRefusedNotACrash) {
  testing::TempDir dir;
  // Balanced, so the text is valid JSON: it is the recursion over a parsed document that overflowed the stack.
  for (const auto& [opening, closing] : std::vector<std::pair<std::string, std::string>>{{"[", "]"}, {"{\"a\":", "}"}}) {
    std::string deep;
    for (int i = 0; i < 80'000; ++i) deep += opening;
    for (int i = 0; i < 80'000; ++i) deep += closing;
    const std::string file = dir.Write("deep.json", deep);
    const CliRun r = Cli({"sessions", "check", file, "--policy", kPolicy});
    EXPECT_EQ(r.code, 2) << r.out << r.err;  // the input cannot be read
    EXPECT_NE((r.out + r.err).find("nested deeper than 64 levels"), std::string::npos) << r.out << r.err;
  }
}

}  // namespace
}  // namespace glueguard
