// A real Prometheus (the Debian binary) scraping a running glueguard controller: the shipped
// deploy/prometheus/prometheus.yml, pointed at the controller's port, with its alert rules loaded. The
// utilisation Prometheus stores must be the value glueguard reports.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>

#include "net/curl_transport.h"
#include "net/url.h"
#include "controller/server.h"
#include "deploy/deploy_testing.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

using deploy_testing::kPrometheus;
using deploy_testing::Source;
using nlohmann::json;

constexpr char kSubnet[] = "subnet-0a1b2c3d4e5f60001";

// Every DescribeNetworkInterfaces sees 10 ENIs in use and 3 available: 13 of the /26's 59 usable IPs.
class SteadyEc2 final : public Ec2Api {
 public:
  Result<NetworkInterfacePage> DescribeNetworkInterfaces(const DescribeNetworkInterfacesRequest& r) override {
    NetworkInterfacePage page;
    for (int i = 0; i < 13; ++i) {
      NetworkInterface eni;
      eni.id = "eni-" + std::to_string(i);
      eni.subnet_id = r.filters.at(0).values.at(0);
      eni.status = i < 10 ? "in-use" : "available";
      page.interfaces.push_back(eni);
    }
    return page;
  }
  Result<std::vector<Subnet>> DescribeSubnets(const DescribeSubnetsRequest&) override {
    return std::vector<Subnet>{};
  }
  Status DeleteNetworkInterface(const std::string&) override { return Status::Ok(); }
};

class PrometheusScrapesGlueguard : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPrometheus))
      GTEST_SKIP() << "prometheus missing (apt-get install prometheus)";
    config_ = *ParseConfig(std::string(R"(
subnets:
  - {id: )") + kSubnet + R"(, name: subnet-a, cidr: 10.20.0.0/26, alert_threshold: 80%}
categories:
  - {name: critical, subnet: subnet-a, priority: 100}
)",
                           "scrape-test.yaml", FixedEnv({}));
    // Counts collections, so the test waits for Prometheus's scrapes instead of sleeping.
    ASSERT_TRUE(metrics_
                    .AddComputedGauge("test_collections", "Collections of this registry, for the test.", {},
                                      [this](GaugeWriter& w) {
                                        std::lock_guard<std::mutex> lock(mu_);
                                        w.Set({}, static_cast<double>(++collections_));
                                        collected_.notify_all();
                                      })
                    .ok());
    ControllerServerOptions options;
    options.port = 0;
    options.run_ticker = false;
    Result<std::unique_ptr<ControllerServer>> server = ControllerServer::Start(
        ControllerServerDeps{
            config_, store_, ec2_, nullptr, transport_, clock_, random_, metrics_, nullptr, {}, {}},
        options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    server_->controller().Tick();  // the first observation
  }

  void TearDown() override {
    if (prometheus_) {
      prometheus_->Signal(SIGTERM);
      prometheus_->Finish();
      prometheus_.reset();
    }
  }

  // The shipped prometheus.yml, scraping this controller every second, its rule file found by absolute path.
  std::string WritePrometheusConfig() {
    YAML::Node config = YAML::LoadFile(Source("deploy/prometheus/prometheus.yml"));
    config["global"]["scrape_interval"] = "1s";
    config["global"]["evaluation_interval"] = "1s";
    config["rule_files"][0] = Source("deploy/prometheus/alerts.yml");
    YAML::Node targets = config["scrape_configs"][0]["static_configs"][0]["targets"];
    targets[0] = "127.0.0.1:" + std::to_string(server_->port());
    YAML::Emitter out;
    out << config;
    return dir_.Write("prometheus.yml", out.c_str());
  }

  // Starts Prometheus on a free loopback port (it binds :0 and logs the port it got) and returns its URL, or
  // "" when it did not come up.
  std::string StartPrometheus() {
    prometheus_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{kPrometheus, "--config.file=" + WritePrometheusConfig(),
                                 "--storage.tsdb.path=" + dir_.File("data"),
                                 "--web.listen-address=127.0.0.1:0", "--log.level=info"},
        std::vector<std::string>{"PATH=/usr/bin:/bin"});
    if (!prometheus_->started()) return "";
    const bool ready = prometheus_->ReadUntil([](const std::string& out) {
      return out.find("Server is ready to receive web requests") != std::string::npos;
    });
    std::smatch port;
    const std::string& log = prometheus_->output();
    if (!ready ||
        !std::regex_search(log, port, std::regex(R"(msg="Listening on" address=127\.0\.0\.1:(\d+))")))
      return "";
    return "http://127.0.0.1:" + port[1].str();
  }

  // Blocks until the registry has been collected more than `seen` times; false after a minute without.
  bool WaitForCollectionAfter(int seen) {
    std::unique_lock<std::mutex> lock(mu_);
    return collected_.wait_for(lock, std::chrono::minutes(1), [&] { return collections_ > seen; });
  }
  int collections() {
    std::lock_guard<std::mutex> lock(mu_);
    return collections_;
  }

  Result<json> GetJson(const std::string& url) {
    HttpRequest r;
    r.method = "GET";
    r.url = url;
    Result<HttpResponse> response = transport_.Send(r);
    if (!response.ok()) return response.status();
    if (response->status != 200)
      return Status::Unavailable("HTTP " + std::to_string(response->status) + ": " + response->body);
    json body = json::parse(response->body, nullptr, false);
    if (body.is_discarded()) return Status::InvalidArgument("not JSON: " + response->body);
    return body;
  }

  // The value of `sample` in glueguard's own /metrics text, or NaN without one.
  double GlueguardMetric(const std::string& sample) {
    HttpRequest r;
    r.method = "GET";
    r.url = server_->url() + "/metrics";
    Result<HttpResponse> response = transport_.Send(r);
    if (!response.ok()) return std::nan("");
    const size_t at = response->body.find("\n" + sample + " ");
    if (at == std::string::npos) return std::nan("");
    return std::stod(response->body.substr(at + sample.size() + 2));
  }

  // Members the collection callback uses come first, so they outlive the server that runs it.
  std::mutex mu_;
  std::condition_variable collected_;
  int collections_ = 0;  // GUARDED_BY(mu_)
  testing::TempDir dir_;
  Config config_;
  MemoryStore store_;
  SteadyEc2 ec2_;
  CurlTransport transport_;
  FakeClock clock_{FromUnixMillis(1'795'000'000'000)};
  SeededRandom random_{3};
  MetricsRegistry metrics_;
  std::unique_ptr<ControllerServer> server_;
  std::unique_ptr<testing::ChildProcess> prometheus_;
};

TEST_F(PrometheusScrapesGlueguard, TheUtilisationPrometheusStoresIsTheValueGlueguardReports) {
  const std::string prometheus = StartPrometheus();
  ASSERT_FALSE(prometheus.empty()) << prometheus_->output();

  // Each try waits for one more scrape; the sample lands in Prometheus's head right after the scrape ends.
  const std::string query = std::string("glueguard_subnet_utilisation_ratio{subnet=\"") + kSubnet + "\"}";
  json result = json::array();
  for (int scrape = 0; scrape < 30 && result.empty(); ++scrape) {
    ASSERT_TRUE(WaitForCollectionAfter(collections())) << "no scrape in a minute:\n" << prometheus_->output();
    Result<json> answer = GetJson(prometheus + "/api/v1/query?query=" + UriEncode(query));
    ASSERT_TRUE(answer.ok()) << answer.status().ToString();
    ASSERT_EQ((*answer)["status"], "success") << answer->dump();
    result = (*answer)["data"]["result"];
  }
  ASSERT_EQ(result.size(), 1u) << "no sample after 30 scrapes";
  EXPECT_EQ(result[0]["metric"]["job"], "glueguard");
  const double stored = std::stod(result[0]["value"][1].get<std::string>());

  // What glueguard reports: its /metrics sample, and its API's latest observation over capacity.
  EXPECT_EQ(stored, GlueguardMetric(query));
  Result<json> subnets = GetJson(server_->url() + "/v1/subnets");
  ASSERT_TRUE(subnets.ok()) << subnets.status().ToString();
  const json& subnet = (*subnets)["subnets"][0];
  ASSERT_EQ(subnet["id"], kSubnet);
  EXPECT_EQ(subnet["latest"]["total"], 13);
  EXPECT_EQ(subnet["capacity"], 59);
  EXPECT_DOUBLE_EQ(stored, 13.0 / 59.0);

  // The shipped alert rules loaded into the same Prometheus.
  Result<json> rules = GetJson(prometheus + "/api/v1/rules?type=alert");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  std::set<std::string> alerts;
  for (const json& group : (*rules)["data"]["groups"]) {
    for (const json& rule : group["rules"]) alerts.insert(rule["name"].get<std::string>());
  }
  EXPECT_THAT(alerts, ::testing::IsSupersetOf({"GlueguardSubnetUtilisationHigh", "GlueguardSubnetStale",
                                               "GlueguardSessionDeadLetters", "GlueguardDown"}));
}

}  // namespace
}  // namespace glueguard
