// A DynamoDB store as users run it: `store check` and `store init` against dynalite, then two `serve`
// replicas on one set of tables and one simcloud, sharing reservations, and `admit` failing over when one
// replica dies.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>

#include "net/curl_transport.h"
#include "testing/dynalite.h"
#include "testing/process.h"
#include "testing/temp_dir.h"
#include "testing/wall_clock_simcloud.h"

namespace glueguard {
namespace {

using nlohmann::json;

class StoreOnDynamoDb : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    dynalite_ = testing::Dynalite::Shared(error);
    ASSERT_NE(dynalite_, nullptr) << error;
    tables_ = dynalite_->FreshTables();
    // The example configuration with its store moved to DynamoDB, on this test's tables.
    std::ifstream in(std::string(GLUEGUARD_SOURCE_DIR) + "/examples/glueguard.yaml");
    std::stringstream text;
    text << in.rdbuf();
    const std::string store =
        "store:\n  kind: dynamodb\n  tables:\n    observations: " + tables_.observations +
        "\n    state: " + tables_.state + "\n    decisions: " + tables_.decisions + "\n";
    config_ =
        dir_.Write("glueguard.yaml", std::regex_replace(text.str(), std::regex("store:\n(  .*\n)+"), store));
  }

  std::vector<std::string> Env(const std::string& replica) const {
    return {"PATH=/usr/bin:/bin",
            "GLUEGUARD_STORE_PATH=" + dir_.File(replica + ".db"),  // the session ledger stays local
            "AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "AWS_REGION=us-east-1",
            "AWS_CONFIG_FILE=/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
            "AWS_EC2_METADATA_DISABLED=true",
            "AWS_ENDPOINT_URL=" + cloud_.endpoint(),
            "AWS_ENDPOINT_URL_DYNAMODB=" + dynalite_->endpoint()};
  }

  testing::FinishedRun Glueguard(const std::vector<std::string>& args, const std::string& name) {
    std::vector<std::string> argv = {GLUEGUARD_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::RunToCompletion(argv, Env("cli"), dir_, name);
  }

  // A `serve` replica; its API's URL once it listens.
  std::string StartReplica(std::unique_ptr<testing::ChildProcess>& process, const std::string& name) {
    process = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{GLUEGUARD_BINARY, "serve", "--config", config_, "--listen", "127.0.0.1:0"},
        Env(name));
    std::string url;
    EXPECT_TRUE(process->ReadUntil([&](const std::string& out) {
      const size_t at = out.find("API on http://");
      const size_t end = at == std::string::npos ? at : out.find_first_of(" \n", at + 7);
      if (end != std::string::npos) url = out.substr(at + 7, end - at - 7);
      return !url.empty();
    })) << process->output();
    return url;
  }

  json Admit(const std::string& url, const std::string& run_id, int workers) {
    HttpRequest r;
    r.method = "POST";
    r.url = url + "/v1/admissions";
    r.headers = {{"Content-Type", "application/json"}};
    r.body = json{{"category", "critical"}, {"workers", workers}, {"run_id", run_id}}.dump();
    Result<HttpResponse> response = transport_.Send(r);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? json::parse(response->body, nullptr, false) : json();
  }

  testing::TempDir dir_;
  testing::Dynalite* dynalite_ = nullptr;
  DynamoDbTableNames tables_;
  std::string config_;
  testing::WallClockSimCloud cloud_{31};
  CurlTransport transport_;
};

TEST_F(StoreOnDynamoDb, CheckSaysWhatIsMissingInitCreatesTheTablesOnceAndReplicasShareReservations) {
  // Before init: every table is missing, and check says so.
  testing::FinishedRun check = Glueguard({"store", "check", "--config", config_}, "check-before");
  EXPECT_EQ(check.exit_code, 1) << check.err;
  EXPECT_NE(check.out.find("table " + tables_.observations + " does not exist"), std::string::npos)
      << check.out;
  EXPECT_NE(check.out.find("table " + tables_.state + " does not exist"), std::string::npos) << check.out;

  testing::FinishedRun init = Glueguard({"store", "init", "--config", config_}, "init");
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_NE(init.out.find("created table " + tables_.observations + " (on-demand)"), std::string::npos)
      << init.out;
  EXPECT_NE(init.out.find("created table " + tables_.decisions), std::string::npos) << init.out;
  testing::FinishedRun again = Glueguard({"store", "init", "--config", config_}, "init-again");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out.find("created table"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("table " + tables_.state + " exists"), std::string::npos) << again.out;

  // After init, on dynalite (which has no TTL), the only problems left are the two tables' TTL.
  check = Glueguard({"store", "check", "--config", config_}, "check-after");
  EXPECT_EQ(check.exit_code, 1) << check.err;
  EXPECT_EQ(check.out, "problem: table " + tables_.observations +
                           " has TTL DISABLED on '', expected ENABLED on expires_at\n" + "problem: table " +
                           tables_.decisions + " has TTL DISABLED on '', expected ENABLED on expires_at\n");

  // Two replicas on the same tables: what one reserves, the other counts.
  std::unique_ptr<testing::ChildProcess> first, second;
  const std::string url1 = StartReplica(first, "replica-1");
  const std::string url2 = StartReplica(second, "replica-2");
  ASSERT_FALSE(url1.empty());
  ASSERT_FALSE(url2.empty());
  const json admitted = Admit(url1, "dag/run-1/load", 5);
  ASSERT_EQ(admitted["outcome"], "admit") << admitted.dump();
  EXPECT_EQ(admitted["reserved"], 0) << admitted.dump();
  const json next = Admit(url2, "dag/run-2/load", 5);
  ASSERT_EQ(next["outcome"], "admit") << next.dump();
  EXPECT_EQ(next["reserved"], 5) << next.dump();  // replica 1's reservation, read from DynamoDB

  // The first replica dies; `admit` given both URLs goes on through the second, which still counts both.
  first->Signal(SIGKILL);
  first->Finish();
  testing::FinishedRun launched = testing::RunToCompletion(
      {GLUEGUARD_BINARY, "admit", "--server", url1 + "," + url2, "--category", "critical", "--workers", "5",
       "--run-id", "dag/run-3/load", "--output", "json"},
      Env("cli"), dir_, "admit");
  EXPECT_EQ(launched.exit_code, 0) << launched.out << launched.err;
  const json third = json::parse(launched.out, nullptr, false);
  EXPECT_EQ(third["reserved"], 10) << launched.out;

  second->Signal(SIGTERM);
  EXPECT_EQ(second->Finish(), 0) << second->output();
}

}  // namespace
}  // namespace glueguard
