// The launcher's commands against simcloud, with and without a controller: the exit codes Airflow's
// BashSensor relies on (0 admit, 75 wait, 1 reject or failure, 2 usage).
#include <gtest/gtest.h>

#include <atomic>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "net/curl_transport.h"
#include "aws/ec2.h"
#include "base/env.h"
#include "app/aws_runtime.h"
#include "cli/cli.h"
#include "controller/server.h"
#include "simcloud/simcloud.h"
#include "store/sqlite_store.h"
#include "testing/loopback_server.h"
#include "testing/temp_dir.h"
#include "testing/wall_clock_simcloud.h"

namespace glueguard {
namespace {

struct CommandRun {
  int code = -1;
  std::string out;
  std::string err;
};

std::string Source(const std::string& path) { return std::string(GLUEGUARD_SOURCE_DIR) + "/" + path; }

// simcloud on the wall clock (the commands sign requests with the real time), nothing running by itself.
class AdmitCommandTest : public ::testing::Test {
 protected:
  std::map<std::string, std::string> Env() const {
    return {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
            {"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
            {"AWS_REGION", "us-east-1"},
            {"AWS_CONFIG_FILE", "/dev/null"},
            {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"},
            {"AWS_EC2_METADATA_DISABLED", "true"},
            {"AWS_ENDPOINT_URL", cloud_.endpoint()},
            {"GLUEGUARD_STORE_PATH", dir_.File("local.db")}};
  }

  CommandRun Run(std::vector<std::string> args, std::map<std::string, std::string> extra_env = {}) {
    std::map<std::string, std::string> env = Env();
    for (auto& [k, v] : extra_env) env[k] = v;
    std::ostringstream out, err;
    CommandRun r;
    r.code = RunCli(args, out, err, FixedEnv(env));
    r.out = out.str();
    r.err = err.str();
    return r;
  }

  CommandRun AdmitLocal(int workers, const std::string& run_id) {
    return Run({"admit", "--config", Source("examples/glueguard.yaml"), "--category", "critical", "--workers",
                std::to_string(workers), "--run-id", run_id});
  }

  testing::TempDir dir_;
  testing::WallClockSimCloud cloud_{21};
};

TEST_F(AdmitCommandTest, WithoutAServerItDecidesFromAwsAndTheStore) {
  CommandRun first = AdmitLocal(10, "dag/run/a");
  EXPECT_EQ(first.code, 0) << first.err;
  EXPECT_NE(first.out.find("admit dag/run/a"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("reservation rsv-"), std::string::npos);
  // The store keeps each run's reservation: three more fit beside a buffer of 10, the fifth waits.
  for (const char* run : {"dag/run/b", "dag/run/c", "dag/run/d"}) EXPECT_EQ(AdmitLocal(10, run).code, 0);
  CommandRun wait = AdmitLocal(10, "dag/run/e");
  EXPECT_EQ(wait.code, 75) << wait.out << wait.err;
  EXPECT_NE(wait.out.find("wait dag/run/e"), std::string::npos);

  CommandRun never = AdmitLocal(60, "dag/run/huge");
  EXPECT_EQ(never.code, 1);
  EXPECT_NE(never.err.find("can never fit"), std::string::npos) << never.err;
}

TEST_F(AdmitCommandTest, WithAServerItAsksTheController) {
  // A controller in this process, on the same simcloud, with its own store.
  Config config = *LoadConfigFile(Source("examples/glueguard.yaml"), FixedEnv({}));
  config.store.path = dir_.File("server.db");
  std::unique_ptr<SqliteStore> store = std::move(*SqliteStore::Open(config.store.path));
  std::unique_ptr<AwsRuntime> aws = std::move(*AwsRuntime::Create(FixedEnv(Env()), "us-east-1"));
  Ec2Client ec2(*aws->client);
  MetricsRegistry metrics;
  ControllerServerOptions options;
  options.port = 0;
  options.run_ticker = false;
  config.server.token = "s3cret";
  std::unique_ptr<ControllerServer> server = std::move(*ControllerServer::Start(
      ControllerServerDeps{config, *store, ec2, nullptr, aws->transport, aws->clock, aws->random, metrics},
      options));

  auto admit = [&](int workers, const std::string& run_id, const std::string& token = "s3cret") {
    return Run({"admit", "--server", server->url(), "--category", "critical", "--workers",
                std::to_string(workers), "--run-id", run_id, "--output", "json"},
               {{"GLUEGUARD_API_TOKEN", token}});
  };
  CommandRun ok = admit(10, "r1");
  ASSERT_EQ(ok.code, 0) << ok.err;
  const nlohmann::json decision = nlohmann::json::parse(ok.out);
  EXPECT_EQ(decision["outcome"], "admit");
  EXPECT_EQ(decision["needed"], 10);
  for (const char* run : {"r2", "r3", "r4"}) EXPECT_EQ(admit(10, run).code, 0);
  EXPECT_EQ(admit(10, "r5").code, 75);
  CommandRun rejected = admit(60, "r6");
  EXPECT_EQ(rejected.code, 1);
  EXPECT_NE(rejected.err.find("can never fit"), std::string::npos) << rejected.err;
  CommandRun denied = admit(10, "r7", "wrong");
  EXPECT_EQ(denied.code, 1);
  EXPECT_NE(denied.err.find("403"), std::string::npos) << denied.err;

  // Releasing r1's reservation makes room for r5.
  CommandRun release = Run(
      {"release", "--server", server->url(), "--reservation", decision["reservation_id"].get<std::string>()},
      {{"GLUEGUARD_API_TOKEN", "s3cret"}});
  EXPECT_EQ(release.code, 0) << release.err;
  EXPECT_EQ(admit(10, "r5").code, 0);

  CommandRun failure = Run({"report-failure", "--server", server->url(), "--category", "critical"},
                           {{"GLUEGUARD_API_TOKEN", "s3cret"}});
  EXPECT_EQ(failure.code, 0) << failure.err;
  CommandRun cooling = admit(1, "r8");
  EXPECT_EQ(cooling.code, 75);
  EXPECT_EQ(nlohmann::json::parse(cooling.out)["code"], "cool_off");
}

TEST_F(AdmitCommandTest, WaitReturnsAsSoonAsTheLaunchIsAdmittedOrRejected) {
  const std::string config = Source("examples/glueguard.yaml");
  CommandRun admitted =
      Run({"wait", "--config", config, "--category", "critical", "--workers", "10", "--run-id", "w1"});
  EXPECT_EQ(admitted.code, 0) << admitted.err;
  EXPECT_NE(admitted.out.find("admit w1"), std::string::npos) << admitted.out;
  CommandRun rejected =
      Run({"wait", "--config", config, "--category", "critical", "--workers", "70", "--run-id", "w2"});
  EXPECT_EQ(rejected.code, 1);
  EXPECT_NE(rejected.err.find("can never fit"), std::string::npos) << rejected.err;
}

TEST_F(AdmitCommandTest, UsageErrorsAndAnUnreachableServerAreNotAWait) {
  EXPECT_EQ(Run({"admit", "--category", "critical", "--workers", "10"}).code, 2);  // no run id
  EXPECT_EQ(Run({"admit", "--category", "critical", "--workers", "ten", "--run-id", "x"}).code, 2);
  EXPECT_EQ(Run({"admit", "--category", "critical", "--workers", "10", "--run-id", "x"}).code,
            2);  // nowhere to ask
  EXPECT_EQ(Run({"admit", "--server", "http://127.0.0.1:9", "--category", "critical", "--workers", "10",
                 "--run-id", "x", "--priority", "4294967301"})
                .code,
            2);  // would have wrapped to 5
  CommandRun unknown = AdmitLocal(10, "x");
  EXPECT_EQ(unknown.code, 0);
  CommandRun bad_category = Run({"admit", "--config", Source("examples/glueguard.yaml"), "--category", "nope",
                                 "--workers", "1", "--run-id", "y"});
  EXPECT_EQ(bad_category.code, 1);
  EXPECT_NE(bad_category.err.find("nope"), std::string::npos) << bad_category.err;
}

// A controller being restarted or deployed refuses connections: that used to exit 1, which fails an Airflow
// BashSensor at once. It is now asked again a few times, then answered 75 (ask again) with the reason.
TEST_F(AdmitCommandTest, AControllerThatCannotBeReachedIsAWaitWithTheReason) {
  CommandRun unreachable = Run({"admit", "--server", "http://127.0.0.1:9", "--category", "critical",
                                "--workers", "10", "--run-id", "x"});
  EXPECT_EQ(unreachable.code, 75);
  EXPECT_NE(unreachable.err.find("could not be reached after 4 attempts"), std::string::npos) << unreachable.err;
  EXPECT_NE(unreachable.err.find("ask again"), std::string::npos) << unreachable.err;
}

TEST_F(AdmitCommandTest, A503IsAskedAgainUntilTheControllerAnswers) {
  testing::LoopbackServer controller;
  std::atomic<int> asked{0};
  controller.server().Post("/v1/admissions", [&](const httplib::Request&, httplib::Response& res) {
    if (++asked <= 2) {
      res.status = 503;
      res.set_content(R"({"error":{"code":"unavailable","message":"starting"}})", "application/json");
      return;
    }
    res.set_content(
        R"({"outcome":"admit","code":"fits","reason":"ok","category":"critical","subnet":"subnet-a",)"
        R"("run_id":"x","workers":10,"reservation_id":"rsv-1"})",
        "application/json");
  });
  CommandRun admitted = Run({"admit", "--server", controller.Url(), "--category", "critical", "--workers", "10",
                             "--run-id", "x"});
  EXPECT_EQ(admitted.code, 0) << admitted.err;
  EXPECT_EQ(asked.load(), 3);
}

// Several replicas in --server: one that is down is skipped for the next at once, the one that answered is
// asked first from then on, and a list that names nothing usable is a usage error that says why.
TEST_F(AdmitCommandTest, AReplicaThatCannotBeReachedIsSkippedForTheNext) {
  testing::LoopbackServer controller;
  std::atomic<int> admissions{0}, releases{0};
  controller.server().Post("/v1/admissions", [&](const httplib::Request&, httplib::Response& res) {
    ++admissions;
    res.set_content(
        R"({"outcome":"admit","code":"fits","reason":"ok","category":"critical","subnet":"subnet-a",)"
        R"("run_id":"x","workers":10,"reservation_id":"rsv-1"})",
        "application/json");
  });
  controller.server().Delete(R"(/v1/admissions/(.+))", [&](const httplib::Request&, httplib::Response& res) {
    ++releases;
    res.status = 204;
  });
  const std::string replicas = "http://127.0.0.1:9, " + controller.Url() + "/";
  CommandRun admitted = Run({"admit", "--server", replicas, "--category", "critical", "--workers", "10",
                             "--run-id", "x"});
  EXPECT_EQ(admitted.code, 0) << admitted.err;
  EXPECT_EQ(admissions.load(), 1);
  CommandRun released = Run({"release", "--server", replicas, "--reservation", "rsv-1"});
  EXPECT_EQ(released.code, 0) << released.err;
  EXPECT_EQ(releases.load(), 1);
}

TEST_F(AdmitCommandTest, NoReplicaReachableIsAWaitThatSaysHowMany) {
  CommandRun unreachable = Run({"admit", "--server", "http://127.0.0.1:9,http://127.0.0.1:7", "--category",
                                "critical", "--workers", "10", "--run-id", "x"});
  EXPECT_EQ(unreachable.code, 75);
  EXPECT_NE(unreachable.err.find("none of the 2 controllers could be reached after 4 attempts each"),
            std::string::npos)
      << unreachable.err;
}

TEST_F(AdmitCommandTest, AControllerListWithAnEmptyOrNonHttpEntryIsAUsageError) {
  CommandRun empty = Run({"admit", "--server", "http://127.0.0.1:9,,http://127.0.0.1:7", "--category",
                          "critical", "--workers", "10", "--run-id", "x"});
  EXPECT_EQ(empty.code, 2);
  EXPECT_NE(empty.err.find("has an empty entry"), std::string::npos) << empty.err;
  CommandRun bare = Run({"release", "--server", "controller-1:8080", "--reservation", "rsv-1"});
  EXPECT_EQ(bare.code, 2);
  EXPECT_NE(bare.err.find("'controller-1:8080' is not an http:// or https:// URL"), std::string::npos)
      << bare.err;
}

}  // namespace
}  // namespace glueguard
