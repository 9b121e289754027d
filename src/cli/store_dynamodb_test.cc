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
#include "sessions/dynamodb_session_store.h"
#include "testing/session_fakes.h"
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
        "\n    state: " + tables_.state + "\n    decisions: " + tables_.decisions +
        "\n    sessions: " + tables_.sessions + "\n    queue: " + tables_.queue + "\n";
    config_ =
        dir_.Write("glueguard.yaml", std::regex_replace(text.str(), std::regex("store:\n(  .*\n)+"), store));
  }

  // Each process has a store.path of its own: with store.kind dynamodb nothing is kept there.
  std::vector<std::string> Env(const std::string& replica) const {
    return testing::GlueguardEnv(cloud_.endpoint(), dir_.File(replica + ".db"),
                                 {"AWS_ENDPOINT_URL_DYNAMODB=" + dynalite_->endpoint()});
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
    const std::string url = testing::ReadServeUrl(*process);
    EXPECT_FALSE(url.empty()) << process->output();
    return url;
  }

  Result<HttpResponse> Send(const std::string& method, const std::string& url, const std::string& body = "") {
    HttpRequest r;
    r.method = method;
    r.url = url;
    if (!body.empty()) r.headers = {{"Content-Type", "application/json"}};
    r.body = body;
    return transport_.Send(r);
  }

  json Admit(const std::string& url, const std::string& run_id, int workers) {
    Result<HttpResponse> response =
        Send("POST", url + "/v1/admissions",
             json{{"category", "critical"}, {"workers", workers}, {"run_id", run_id}}.dump());
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

  // After init, on dynalite (which has no TTL), the only problems left are the five TTLs.
  check = Glueguard({"store", "check", "--config", config_}, "check-after");
  EXPECT_EQ(check.exit_code, 1) << check.err;
  std::string expected;
  for (const std::string& table :
       {tables_.observations, tables_.state, tables_.decisions, tables_.sessions, tables_.queue}) {
    expected += "problem: table " + table + " has TTL DISABLED on '', expected ENABLED on expires_at\n";
  }
  EXPECT_EQ(check.out, expected);

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

  // One session event delivered to both replicas is acted on once: the second delivery finds it done in the
  // shared ledger and is counted a duplicate, by whichever replica takes it from the shared inbox.
  const std::unique_ptr<SessionStore> shared =
      NewDynamoDbSessionStore(dynalite_->client(), tables_, std::chrono::hours(48));
  const std::string event = testing::CreateSessionEvent("shared-event-1", "s-shared-1", 50);
  Result<HttpResponse> accepted = Send("POST", url2 + "/v1/events", event);
  ASSERT_TRUE(accepted.ok() && accepted->status == 202) << (accepted.ok() ? accepted->body : "");
  ASSERT_TRUE(second->ReadUntil([](const std::string& out) {
    return out.find("session s-shared-1 by") != std::string::npos;
  })) << second->output();
  accepted = Send("POST", url1 + "/v1/events", event);
  ASSERT_TRUE(accepted.ok() && accepted->status == 202) << (accepted.ok() ? accepted->body : "");
  // Handling is asynchronous: the item leaves the shared inbox once a replica has counted it (bounded).
  for (int i = 0; i < 5000 && !shared->Pending(1)->empty(); ++i) {
  }
  ASSERT_TRUE(shared->Pending(1)->empty());
  std::string metrics;
  for (const std::string& url : {url1, url2}) {
    Result<HttpResponse> scraped = Send("GET", url + "/metrics");
    metrics += scraped.ok() ? scraped->body : "";
  }
  // The sum of a counter over both replicas' expositions.
  const auto total = [&](const std::string& series) {
    int sum = 0;
    for (size_t at = metrics.find(series + " "); at != std::string::npos; at = metrics.find(series + " ", at + 1)) {
      sum += std::stoi(metrics.substr(at + series.size() + 1));
    }
    return sum;
  };
  // Acted on once. The second delivery is a duplicate wherever it was taken; a replica that drains the
  // inbox between another's recording the event done and removing its item counts that item too, so at
  // most one more.
  EXPECT_EQ(total("glueguard_session_events_total{source=\"http\",outcome=\"violation\"}"), 1) << metrics;
  const int duplicates = total("glueguard_session_events_total{source=\"http\",outcome=\"duplicate\"}");
  EXPECT_GE(duplicates, 1) << metrics;
  EXPECT_LE(duplicates, 2) << metrics;

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

  // An event the dead replica had accepted and not handled waits in the shared inbox, where the live one
  // finds it on its next look. (Queued here through the store, exactly as a replica's accept does.)
  ASSERT_TRUE(shared->Enqueue("http", testing::CreateSessionEvent("orphan-event-1", "s-orphan-1", 50),
                              SystemClock().Now())
                  .ok());
  ASSERT_TRUE(second->ReadUntil([](const std::string& out) {
    return out.find("session s-orphan-1 by") != std::string::npos;
  })) << second->output();
  // Dead letters are one list, whichever replica parked them: `sessions dlq list` reads the shared queue.
  DeadLetter letter;
  letter.source = "http";
  letter.body = "not an event";
  letter.error = "parked by a replica";
  letter.parked_at = SystemClock().Now();
  ASSERT_TRUE(shared->Park(letter).ok());
  testing::FinishedRun listed =
      Glueguard({"sessions", "dlq", "list", "--config", config_, "--output", "json"}, "dlq-list");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const json letters = json::parse(listed.out, nullptr, false);
  ASSERT_EQ(letters.size(), 1u) << listed.out;
  EXPECT_EQ(letters[0]["error"], "parked by a replica") << listed.out;

  // A launcher deciding on its own (`admit --config`, no controller) reads and writes the same state.
  testing::FinishedRun local = Glueguard({"admit", "--config", config_, "--category", "critical", "--workers",
                                          "5", "--run-id", "dag/run-4/load", "--output", "json"},
                                         "admit-local");
  EXPECT_EQ(local.exit_code, 0) << local.out << local.err;
  EXPECT_EQ(json::parse(local.out, nullptr, false)["reserved"], 15) << local.out;
  const json after = Admit(url2, "dag/run-5/load", 5);
  EXPECT_EQ(after["reserved"], 20) << after.dump();  // the replica counts the local launcher's reservation

  second->Signal(SIGTERM);
  EXPECT_EQ(second->Finish(), 0) << second->output();
}

TEST_F(StoreOnDynamoDb, StoreCommandsRefuseAConfigurationWhoseStoreIsNotDynamoDb) {
  const testing::FinishedRun check = Glueguard(
      {"store", "check", "--config", std::string(GLUEGUARD_SOURCE_DIR) + "/examples/glueguard.yaml"},
      "not-dynamodb");
  EXPECT_EQ(check.exit_code, 2) << check.err;
  EXPECT_NE(check.err.find("store.kind is sqlite; store init and store check are for store.kind dynamodb"),
            std::string::npos)
      << check.err;
  const testing::FinishedRun bare = Glueguard({"store", "init"}, "no-config");
  EXPECT_EQ(bare.exit_code, 2);
  EXPECT_NE(bare.err.find("give --config FILE"), std::string::npos) << bare.err;
}

}  // namespace
}  // namespace glueguard
