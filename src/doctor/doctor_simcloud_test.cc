// Doctor against simcloud, in this process over real HTTP with glueguard's own clients: the seed's three
// subnets, orphaned ENIs and a stuck run injected through simcloud's inspection endpoints, time on a fake
// clock that simcloud's world follows.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "aws/aws_client.h"
#include "aws/credentials.h"
#include "aws/environment.h"
#include "doctor/doctor.h"
#include "net/curl_transport.h"
#include "simcloud/simcloud.h"
#include "store/sqlite_store.h"
#include "testing/seed_after_simcloud.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr char kSubnetA[] = "subnet-0a1b2c3d4e5f60001";
constexpr char kSubnetB[] = "subnet-0a1b2c3d4e5f60002";

// EC2 through simcloud, except that the first delete of one ENI is refused the way EC2 refuses an ENI that
// is still detaching (what a describe-then-delete race looks like on AWS).
class FirstDeleteRefused final : public Ec2Api {
 public:
  FirstDeleteRefused(Ec2Api& real, std::string eni_id) : real_(real), eni_id_(std::move(eni_id)) {}
  Result<NetworkInterfacePage> DescribeNetworkInterfaces(const DescribeNetworkInterfacesRequest& r) override {
    return real_.DescribeNetworkInterfaces(r);
  }
  Result<std::vector<Subnet>> DescribeSubnets(const DescribeSubnetsRequest& r) override {
    return real_.DescribeSubnets(r);
  }
  Status DeleteNetworkInterface(const std::string& id) override {
    if (id == eni_id_ && !refused_) {
      refused_ = true;
      return Status::FailedPrecondition(fmt::format("Network interface '{}' is currently in use.", id))
          .WithReason("InvalidParameterValue");
    }
    return real_.DeleteNetworkInterface(id);
  }

 private:
  Ec2Api& real_;
  std::string eni_id_;
  bool refused_ = false;
};

class DoctorAgainstSimcloud : public testing::SeedAfterSimcloudTest {
 protected:
  // The clock starts at the workload's start (2026-01-05T00:00:00Z): simcloud's simulated time then equals
  // the clock's, as on AWS.
  DoctorAgainstSimcloud() : SeedAfterSimcloudTest(FromUnixMillis(1'767'571'200'000), 11) {
    if (!StartCloud(12)) return;
    glue_ = std::make_unique<GlueClient>(aws_->client);
    sts_ = std::make_unique<StsClient>(aws_->client);
    store_ = std::move(*SqliteStore::Open(dir_.File("glueguard.db")));
    ledger_ = std::move(*OpenSqliteEniLedger(dir_.File("glueguard.db")));
    options_.jobs = {"customer-analytics", "product-metrics", "reporting", "aggregations"};
  }

  nlohmann::json Inspect(const std::string& path, const nlohmann::json& body) {
    HttpRequest r;
    r.method = "POST";
    r.url = cloud_->endpoint() + path;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = body.dump();
    Result<HttpResponse> response = transport_.Send(r);
    EXPECT_TRUE(response.ok() && response->status == 200) << (response.ok() ? response->body : "");
    return response.ok() ? nlohmann::json::parse(response->body) : nlohmann::json();
  }
  std::vector<std::string> InjectOrphans(const std::string& subnet, int count) {
    return Inspect("/_simcloud/orphans", {{"subnet", subnet}, {"count", count}})["network_interface_ids"];
  }
  bool Exists(const std::string& eni) {
    return cloud_->sim().With([&](World& w) { return w.FindEni(eni) != nullptr; });
  }

  DoctorReport Pass(Ec2Api& ec2) {
    const DoctorDeps deps{config_,  ec2,    *glue_,   sts_.get(),   store_.get(),
                          *ledger_, clock_, sleeper_, Log::To(log_)};
    Result<DoctorReport> report = RunDoctorPass(deps, options_);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : DoctorReport{};
  }
  static std::map<std::string, std::string> Outcomes(const DoctorReport& r) {
    std::map<std::string, std::string> out;
    for (const DoctorAction& a : r.actions) out[a.target] = a.outcome;
    return out;
  }

  std::unique_ptr<GlueClient> glue_;
  std::unique_ptr<StsClient> sts_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<EniLedger> ledger_;
  DoctorOptions options_;
  std::ostringstream log_;
};

TEST_F(DoctorAgainstSimcloud, ReportsThenCleansUpOrphansPastTheGraceAndAStuckRunAndASecondRunFindsNothing) {
  // A critical run that hangs in STOPPING, and Glue ENIs nobody owns in subnets A and B.
  StartJobRunRequest start;
  start.job_name = "customer-analytics";
  Result<std::string> run = glue_->StartJobRun(start);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  clock_.Advance(seconds(100));
  Inspect("/_simcloud/stuck", {{"run_id", *run}});
  const std::vector<std::string> old_a = InjectOrphans(kSubnetA, 2);
  const std::vector<std::string> old_b = InjectOrphans(kSubnetB, 3);
  ASSERT_EQ(old_a.size() + old_b.size(), 5u);

  // First run, read-only: everything is seen, nothing is deletable yet, nothing changes.
  DoctorReport first = Pass(*ec2_);
  ASSERT_TRUE(first.identity.has_value());
  EXPECT_EQ(first.identity->account, "123456789012");
  ASSERT_EQ(first.subnets.size(), 3u);
  EXPECT_EQ(first.subnets[0].counts.total, 2 + 15 + 2);  // endpoints, the run's workers, orphans
  EXPECT_EQ(first.enis.size(), 5u);
  for (const EniFinding& e : first.enis) {
    EXPECT_TRUE(e.first_seen_now);
    EXPECT_NE(e.verdict, EniVerdict::kOrphan) << e.eni_id;
  }
  EXPECT_TRUE(first.stuck_runs.empty());  // STOPPING for less than 30 minutes so far
  EXPECT_TRUE(first.actions.empty());

  // Later, two more orphans appear in A: they are within their grace period when --apply runs.
  clock_.Advance(minutes(40));
  const std::vector<std::string> new_a = InjectOrphans(kSubnetA, 2);
  DoctorReport second = Pass(*ec2_);
  ASSERT_EQ(second.stuck_runs.size(), 1u);
  EXPECT_EQ(second.stuck_runs[0].run_id, *run);

  clock_.Advance(minutes(25));  // the old orphans: 65 minutes available; the new ones: 25
  options_.apply = true;
  FirstDeleteRefused ec2(*ec2_, old_b[1]);
  DoctorReport applied = Pass(ec2);
  const std::map<std::string, std::string> outcomes = Outcomes(applied);
  EXPECT_EQ(outcomes.at("customer-analytics/" + *run), "done");
  EXPECT_EQ(glue_->GetJobRun("customer-analytics", *run)->job_run_state, "STOPPED");
  for (const std::string& id : old_a) EXPECT_EQ(outcomes.at(id), "done") << id;
  for (const std::string& id : old_b) EXPECT_EQ(outcomes.at(id), "done") << id;
  for (const std::string& id : old_a) EXPECT_FALSE(Exists(id)) << id;
  for (const std::string& id : old_b) EXPECT_FALSE(Exists(id)) << id;
  for (const std::string& id : new_a) {
    EXPECT_EQ(outcomes.count(id), 0u) << id;
    EXPECT_TRUE(Exists(id)) << id;
  }
  for (const DoctorAction& a : applied.actions) {
    if (a.target == old_b[1]) {
      EXPECT_EQ(a.attempts, 2);  // refused once as detaching, then deleted
    }
  }
  EXPECT_NE(log_.str().find(old_b[1] + " (retry 1): done"), std::string::npos) << log_.str();
  EXPECT_FALSE(applied.NeedsAttention());

  // A second run right after: nothing left to do (the new orphans and the stopped run's ENIs are in grace).
  clock_.Advance(minutes(1));
  DoctorReport again = Pass(*ec2_);
  EXPECT_TRUE(again.actions.empty());
  EXPECT_TRUE(again.stuck_runs.empty());
  for (const EniFinding& e : again.enis) EXPECT_EQ(e.verdict, EniVerdict::kInGrace) << e.eni_id;
  EXPECT_FALSE(again.NeedsAttention()) << FormatDoctorTable(again);
}

}  // namespace
}  // namespace glueguard
