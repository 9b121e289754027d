// The controller against simcloud, both in this process, over real HTTP: the seed's three subnets, the
// controller's own AWS client observing them, and its API answering launches.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "net/curl_transport.h"
#include "aws/ec2.h"
#include "aws/environment.h"
#include "aws/glue.h"
#include "base/env.h"
#include "controller/server.h"
#include "simcloud/simcloud.h"
#include "store/sqlite_store.h"
#include "testing/seed_after_simcloud.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

class ServeAgainstSimcloud : public testing::SeedAfterSimcloudTest {
 protected:
  ServeAgainstSimcloud() : SeedAfterSimcloudTest(FromUnixMillis(1'795'000'000'000), 11) {
    if (!StartCloud(12)) return;
    config_.store.path = dir_.File("glueguard.db");
    aws_metrics_ = *AwsCallMetrics::Register(metrics_);
    aws_->client.set_observer([this](const AwsCallRecord& r) { aws_metrics_.Record(r); });
  }

  void StartController() {
    store_ = std::move(*SqliteStore::Open(config_.store.path));
    metrics_for_server_ = std::make_unique<MetricsRegistry>();
    ControllerServerOptions options;
    options.port = 0;
    options.run_ticker = false;
    Result<std::unique_ptr<ControllerServer>> server =
        ControllerServer::Start(ControllerServerDeps{config_, *store_, *ec2_, nullptr, transport_, clock_,
                                                     random_, *metrics_for_server_},
                                options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }

  void StopController() {
    server_.reset();
    store_.reset();
  }

  // POSTs to the controller's API.
  Result<HttpResponse> Post(const std::string& path, const std::string& body) {
    HttpRequest r;
    r.method = "POST";
    r.url = server_->url() + path;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = body;
    return transport_.Send(r);
  }
  Result<HttpResponse> Get(const std::string& path) {
    HttpRequest r;
    r.method = "GET";
    r.url = server_->url() + path;
    return transport_.Send(r);
  }
  nlohmann::json Admit(const std::string& category, int workers, const std::string& run_id) {
    Result<HttpResponse> r =
        Post("/v1/admissions",
             nlohmann::json{{"category", category}, {"workers", workers}, {"run_id", run_id}}.dump());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return nlohmann::json::parse(r->body);
  }
  int InUse(const std::string& subnet) {
    return cloud_->sim().With([&](World& w) { return w.Counts(subnet).in_use; });
  }

  MetricsRegistry metrics_;
  AwsCallMetrics aws_metrics_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<MetricsRegistry> metrics_for_server_;
  std::unique_ptr<ControllerServer> server_;
};

constexpr char kSubnetA[] = "subnet-0a1b2c3d4e5f60001";

TEST_F(ServeAgainstSimcloud, LaunchesGoThroughAdmissionAndTheirEnisSettleTheReservation) {
  StartController();
  const nlohmann::json d = Admit("critical", 10, "dag/run-1/task");
  EXPECT_EQ(d["outcome"], "admit") << d.dump();
  EXPECT_EQ(d["capacity"], 59);
  EXPECT_EQ(d["total"], 2);  // the two endpoint ENIs simcloud's subnet A starts with
  EXPECT_EQ(d["buffer"], 10);
  EXPECT_FALSE(d["reservation_id"].get<std::string>().empty());

  // The launch happens: the job's 10 ENIs appear, and the next observation settles the reservation.
  GlueClient glue(aws_->client);
  StartJobRunRequest start;
  start.job_name = "product-metrics";
  ASSERT_TRUE(glue.StartJobRun(start).ok());
  clock_.Advance(seconds(100));
  EXPECT_EQ(InUse(kSubnetA), 12);
  server_->controller().Tick();
  Result<HttpResponse> subnets = Get("/v1/subnets");
  ASSERT_TRUE(subnets.ok());
  const nlohmann::json a = nlohmann::json::parse(subnets->body)["subnets"][0];
  EXPECT_EQ(a["latest"]["total"], 12);
  EXPECT_EQ(a["reserved"], 0);
}

TEST_F(ServeAgainstSimcloud, TwentyConcurrentRequestsNeverAdmitMoreThanTheSubnetHas) {
  StartController();
  std::vector<std::thread> threads;
  std::vector<nlohmann::json> decisions(20);
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] { decisions[i] = Admit("critical", 10, "run-" + std::to_string(i)); });
  }
  for (std::thread& t : threads) t.join();
  int admitted = 0;
  for (const nlohmann::json& d : decisions) {
    if (d["outcome"] == "admit") ++admitted;
  }
  // 57 free (59 - 2 endpoints); each admit needs 10 beside a buffer of 10: 57, 47, 37, 27 fit, 17 does not.
  EXPECT_EQ(admitted, 4);
  Result<HttpResponse> subnets = Get("/v1/subnets");
  const nlohmann::json a = nlohmann::json::parse(subnets->body)["subnets"][0];
  EXPECT_EQ(a["reserved"], 40);
  EXPECT_EQ(a["waiters"], 16);
  // One DescribeNetworkInterfaces for all twenty: the view was fresh for every request after the first.
  EXPECT_EQ(a["observations"], 1);
}

TEST_F(ServeAgainstSimcloud, AThrottlingStormIsRetriedAndCountedAndAStaleViewNeverAdmits) {
  StartController();
  ASSERT_EQ(Admit("non-critical", 10, "first")["outcome"], "admit");
  FaultRates storm;
  storm.throttle_rate = 1.0;
  ASSERT_TRUE(cloud_->front().faults().Set("ec2", storm).ok());
  clock_.Advance(minutes(3));  // past stale_after (2m): the view must be refreshed, and cannot be
  const nlohmann::json d = Admit("non-critical", 10, "second");
  EXPECT_EQ(d["outcome"], "wait") << d.dump();
  EXPECT_EQ(d["code"], "stale_observation");

  const std::string metrics = RenderPrometheusText(metrics_);
  EXPECT_NE(metrics.find("glueguard_aws_throttled_attempts_total{service=\"EC2\",operation="
                         "\"DescribeNetworkInterfaces\"} 3"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("outcome=\"RequestLimitExceeded\""), std::string::npos);
  // The retries backed off (the fake sleeper recorded the waits) instead of hammering the API.
  EXPECT_GE(sleeper_.waits().size(), 2u);

  // The storm passes: the next request refreshes and admits again.
  cloud_->front().faults().Clear();
  EXPECT_EQ(Admit("non-critical", 10, "second")["outcome"], "admit");
}

TEST_F(ServeAgainstSimcloud, ARestartKeepsObservationsReservationsAndWaiters) {
  StartController();
  for (int i = 0; i < 6; ++i) Admit("critical", 10, "run-" + std::to_string(i));
  Result<HttpResponse> before = Get("/v1/subnets");
  const nlohmann::json a_before = nlohmann::json::parse(before->body)["subnets"][0];
  ASSERT_EQ(a_before["reserved"], 40);
  ASSERT_EQ(a_before["waiters"], 2);
  StopController();

  StartController();
  Result<HttpResponse> after = Get("/v1/subnets");
  const nlohmann::json a_after = nlohmann::json::parse(after->body)["subnets"][0];
  EXPECT_EQ(a_after["reserved"], 40);
  EXPECT_EQ(a_after["waiters"], 2);
  Result<HttpResponse> observations = Get(std::string("/v1/subnets/") + kSubnetA + "/observations");
  ASSERT_TRUE(observations.ok());
  EXPECT_EQ(nlohmann::json::parse(observations->body)["observations"].size(), 1u);
  // The same run asking again is the same launch: it keeps its reservation.
  const nlohmann::json again = Admit("critical", 10, "run-0");
  EXPECT_EQ(again["outcome"], "admit");
  EXPECT_EQ(again["code"], "already_admitted");
}

// The forecast policy through the assembled controller: runs admitted and started in simcloud, observed every
// minute for half a day, give it measured cleanup tails. Until it has them it decides as rolling-max and says
// so; then it admits a launch beside lingering ENIs that rolling-max's buffer (at least its floor of 10) would
// have held it for.
TEST_F(ServeAgainstSimcloud, TheForecastLearnsTheCleanupTailFromRunsAndThenAdmitsBesideLingeringEnis) {
  BufferPolicy& buffer = config_.admission.buffer;
  buffer.kind = BufferPolicy::Kind::kForecast;
  buffer.forecast.min_history = std::chrono::hours(8);
  buffer.forecast.learn_over = std::chrono::hours(24);
  buffer.forecast.min_tails = 20;
  StartController();
  const std::string early = Admit("critical", 10, "run-0")["reason"];
  EXPECT_NE(early.find("(rolling-max: the forecast needs"), std::string::npos) << early;

  GlueClient glue(aws_->client);
  auto tick_minutes = [&](int n) {
    for (int i = 0; i < n; ++i) {
      clock_.Advance(minutes(1));
      server_->controller().Tick();
    }
  };
  auto counts = [&] { return cloud_->sim().With([&](World& w) { return w.Counts(kSubnetA); }); };
  // A launch every two hours, each admitted before it starts (so its ENIs settle its reservation and are not
  // uncontrolled growth): five runs of 10 workers, 50 ENIs whose cleanup the controller watches.
  for (int run = 0; run < 5; ++run) {
    if (run > 0) {
      ASSERT_EQ(Admit("critical", 10, "run-" + std::to_string(run))["outcome"], "admit");
    }
    StartJobRunRequest start;
    start.job_name = "product-metrics";
    ASSERT_TRUE(glue.StartJobRun(start).ok());
    tick_minutes(120);
  }
  // Then one more, until it has ended and its ENIs linger: rolling-max would keep at least 10 IPs back.
  ASSERT_EQ(Admit("critical", 10, "run-5")["outcome"], "admit");
  StartJobRunRequest last;
  last.job_name = "product-metrics";
  ASSERT_TRUE(glue.StartJobRun(last).ok());
  for (int i = 0; i < 240 && (counts().in_use > 2 || counts().available < 5); ++i) tick_minutes(1);
  ASSERT_GE(counts().available, 5);

  Result<HttpResponse> tail = Get(std::string("/v1/subnets/") + kSubnetA + "/cleanup-tail");
  ASSERT_TRUE(tail.ok());
  const int tails = nlohmann::json::parse(tail->body)["count"].get<int>();
  EXPECT_GE(tails, 20) << tail->body;
  // This controller observed every one of them: the histogram counted each once.
  Result<HttpResponse> metrics = Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find(fmt::format("glueguard_eni_cleanup_tail_seconds_count{{subnet=\"{}\"}} {}\n", kSubnetA,
                                           tails)),
            std::string::npos)
      << metrics->body.substr(metrics->body.find("glueguard_eni_cleanup_tail_seconds_count"), 300);
  Result<HttpResponse> subnets = Get("/v1/subnets");
  ASSERT_TRUE(subnets.ok());
  const int free = 59 - nlohmann::json::parse(subnets->body)["subnets"][0]["latest"]["total"].get<int>();
  // A launch that needs all but 3 of the free IPs: under any buffer of 10 it would wait.
  const nlohmann::json d = Admit("critical", free - 3, "beside-the-tail");
  EXPECT_EQ(d["outcome"], "admit") << d.dump();
  const std::string reason = d["reason"];
  EXPECT_NE(reason.find("uncontrolled growth"), std::string::npos) << reason;
  EXPECT_EQ(reason.find("rolling-max"), std::string::npos) << reason;
  EXPECT_LT(d["buffer"].get<int>(), 10) << d.dump();
}

TEST_F(ServeAgainstSimcloud, MetricsAfterRealTrafficPassPromtool) {
  if (!std::filesystem::exists("/usr/bin/promtool"))
    GTEST_SKIP() << "promtool missing (apt-get install prometheus)";
  StartController();
  for (int i = 0; i < 6; ++i) Admit("critical", 10, "run-" + std::to_string(i));
  Admit("nope", 1, "bad-category");
  server_->controller().Tick();
  Result<HttpResponse> metrics = Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(
      metrics->body.find(
          "glueguard_admission_decisions_total{category=\"critical\",outcome=\"admit\",code=\"fits\"} 4"),
      std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("glueguard_subnet_capacity_ips{subnet=\"subnet-0a1b2c3d4e5f60001\"} 59"),
            std::string::npos);
  const std::string file = dir_.File("metrics.txt"), out = dir_.File("promtool.out");
  std::ofstream(file) << metrics->body;
  const int code = std::system(("/usr/bin/promtool check metrics < " + file + " > " + out + " 2>&1").c_str());
  std::ifstream in(out);
  const std::string complaints((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(code, 0) << complaints;
  EXPECT_EQ(complaints, "");
}

}  // namespace
}  // namespace glueguard
