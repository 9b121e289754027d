// SubnetPoller with a lease: of two replicas sharing one store, only the holder calls EC2; the other takes
// the holder's observations from the store; when the holder stops renewing, the other takes over; a holder
// whose grant ran out while it observed drops what it saw; and one paused past the margin is fenced off.
#include "controller/subnet_poller.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>

#include "controller/controller.h"
#include "metrics/metrics.h"
#include "notify/notifier.h"
#include "store/memory_store.h"
#include "testing/fleet_ec2.h"

namespace glueguard {
namespace {

using std::chrono::seconds;

constexpr char kSubnet[] = "subnet-a";

// `enis` ENIs in use in the subnet; counts the calls, and runs `during_call` inside each.
class CountingEc2 final : public Ec2Api {
 public:
  Result<NetworkInterfacePage> DescribeNetworkInterfaces(const DescribeNetworkInterfacesRequest&) override {
    ++calls;
    if (during_call) during_call();
    NetworkInterfacePage page;
    for (int i = 0; i < enis; ++i) {
      NetworkInterface eni;
      eni.id = "eni-" + std::to_string(i);
      eni.subnet_id = kSubnet;
      eni.status = "in-use";
      page.interfaces.push_back(eni);
    }
    return page;
  }
  Result<std::vector<Subnet>> DescribeSubnets(const DescribeSubnetsRequest&) override {
    return Status::Unavailable("not faked");
  }
  Status DeleteNetworkInterface(const std::string&) override { return Status::Unavailable("not faked"); }

  int enis = 3;
  int calls = 0;
  std::function<void()> during_call;
};

Config TestConfig() {
  Result<Config> c = ParseConfig(
      "subnets:\n  - id: subnet-a\n    cidr: 10.0.0.0/26\ncategories:\n"
      "  - name: critical\n    subnet: subnet-a\n",
      "test", [](const std::string&) { return std::optional<std::string>(); });
  if (!c.ok()) throw std::runtime_error(c.status().message());
  return *c;
}

// One replica: its own admission service and poller, on the shared store and lease.
struct Replica {
  Replica(const Config& config, ObservationStore& store, PollerLease& lease, FakeClock& clock,
          const std::string& name)
      : admission(std::move(*AdmissionService::Create(config, store, clock, random))),
        poller(kSubnet, ec2, *admission, clock, PollerLeasing{&lease, name, seconds(90)}) {}

  SeededRandom random{1};
  CountingEc2 ec2;
  std::unique_ptr<AdmissionService> admission;
  SubnetPoller poller;
};

class LeasedPollers : public ::testing::Test {
 protected:
  Config config_ = TestConfig();
  MemoryStore store_;
  MemoryLease lease_;
  FakeClock clock_{FromUnixMillis(1'767'225'600'000)};
  Replica one_{config_, store_, lease_, clock_, "replica-1"};
  Replica two_{config_, store_, lease_, clock_, "replica-2"};
};

TEST_F(LeasedPollers, OnlyTheHolderCallsEc2AndTheOtherAdoptsItsObservations) {
  ASSERT_TRUE(one_.poller.Refresh(seconds(60), "poll").ok());
  Result<Time> adopted = two_.poller.Refresh(seconds(60), "poll");
  ASSERT_TRUE(adopted.ok()) << adopted.status().ToString();
  EXPECT_EQ(*adopted, clock_.Now());
  EXPECT_EQ(one_.ec2.calls, 1);
  EXPECT_EQ(two_.ec2.calls, 0);
  EXPECT_EQ(two_.poller.stats().adopted, 1);
  EXPECT_EQ(two_.poller.stats().latest->observer, "replica-1");
  EXPECT_EQ(two_.poller.stats().latest->in_use, 3);

  // A minute later the holder renews and observes again; the other sees the new view, still without EC2.
  clock_.Advance(seconds(61));
  one_.ec2.enis = 5;
  ASSERT_TRUE(one_.poller.Refresh(seconds(60), "poll").ok());
  ASSERT_TRUE(two_.poller.Refresh(seconds(60), "poll").ok());
  EXPECT_EQ(two_.poller.stats().latest->in_use, 5);
  EXPECT_EQ(one_.ec2.calls, 2);
  EXPECT_EQ(two_.ec2.calls, 0);
  Result<std::vector<Observation>> stored = store_.LatestObservations(kSubnet, 10);
  ASSERT_EQ(stored->size(), 2u);
  for (const Observation& o : *stored) EXPECT_EQ(o.observer, "replica-1");
}

TEST_F(LeasedPollers, WhenTheHolderStopsRenewingTheOtherTakesOverAfterTheGrantExpires) {
  ASSERT_TRUE(one_.poller.Refresh(seconds(60), "poll").ok());
  clock_.Advance(seconds(89));  // replica-1 is gone, but its grant (90 s) still stands
  ASSERT_TRUE(two_.poller.Refresh(seconds(60), "poll").ok());
  EXPECT_EQ(two_.ec2.calls, 0);
  clock_.Advance(seconds(61));  // past the grant, and past the adopted view's max age
  Result<Time> observed = two_.poller.Refresh(seconds(60), "poll");
  ASSERT_TRUE(observed.ok()) << observed.status().ToString();
  EXPECT_EQ(two_.ec2.calls, 1);
  EXPECT_EQ(two_.poller.stats().latest->observer, "replica-2");
  // replica-1 comes back: it is no longer the poller.
  clock_.Advance(seconds(61));
  ASSERT_TRUE(one_.poller.Refresh(seconds(60), "poll").ok());
  EXPECT_EQ(one_.ec2.calls, 1);
  EXPECT_EQ(one_.poller.stats().latest->observer, "replica-2");
}

TEST_F(LeasedPollers, AHolderWhoseGrantRanOutWhileObservingWritesNothing) {
  one_.ec2.during_call = [&] { clock_.Advance(seconds(88)); };  // a describe that took 88 of the 90 s
  Result<Time> observed = one_.poller.Refresh(seconds(60), "poll");
  ASSERT_FALSE(observed.ok());
  EXPECT_EQ(observed.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(observed.status().message().find("ran out while observing"), std::string::npos)
      << observed.status().message();
  EXPECT_TRUE(store_.LatestObservations(kSubnet, 10)->empty());
  EXPECT_EQ(one_.poller.stats().failures, 1);
}

// The margin covers clocks that disagree by seconds. A holder paused for longer (or whose clock is far
// behind) passes its own check, and the fencing token stops it: the replica that took the lease over has
// committed a larger token, so the late observation is refused and nothing of it is written.
TEST_F(LeasedPollers, AHolderPausedPastItsGrantIsFencedOffByTheTokenItsSuccessorCommitted) {
  FakeClock paused{clock_.Now()};  // the late holder's clock: stands still while it is paused
  Replica late{config_, store_, lease_, paused, "replica-3"};
  late.ec2.enis = 9;
  late.ec2.during_call = [&] {
    clock_.Advance(seconds(120));  // the grant (90 s) lapses on every other clock
    ASSERT_TRUE(two_.poller.Refresh(seconds(60), "poll").ok());
    ASSERT_EQ(two_.ec2.calls, 1);  // replica-2 took the lease over and observed
  };
  Result<Time> observed = late.poller.Refresh(seconds(60), "poll");
  ASSERT_FALSE(observed.ok());
  EXPECT_EQ(observed.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(observed.status().message().find("fenced off"), std::string::npos) << observed.status().message();
  Result<std::vector<Observation>> stored = store_.LatestObservations(kSubnet, 10);
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front().observer, "replica-2");
  EXPECT_EQ(stored->front().in_use, 3);
  EXPECT_EQ(store_.LoadSubnet(kSubnet)->record.poll_token, 2);
}

TEST(SubnetPoller, WithoutALeaseEveryPollerObserves) {
  const Config config = TestConfig();
  MemoryStore store;
  FakeClock clock{FromUnixMillis(1'767'225'600'000)};
  SeededRandom random{1};
  CountingEc2 ec2;
  std::unique_ptr<AdmissionService> admission =
      std::move(*AdmissionService::Create(config, store, clock, random));
  SubnetPoller poller(kSubnet, ec2, *admission, clock);
  ASSERT_TRUE(poller.Refresh(seconds(60), "poll").ok());
  EXPECT_EQ(ec2.calls, 1);
  EXPECT_EQ(poller.stats().latest->observer, "");
}

TEST(LeasedControllers, OnlyTheReplicaThatObservedASubnetAlertsOnIt) {
  const Config config = TestConfig();
  MemoryStore store;
  MemoryLease lease;
  FakeClock clock{FromUnixMillis(1'767'225'600'000)};
  struct Node {
    SeededRandom random{1};
    CountingEc2 ec2;
    RecordingNotifier notifier;
    MetricsRegistry metrics;
    std::unique_ptr<Controller> controller;
  };
  Node nodes[2];
  for (int i = 0; i < 2; ++i) {
    nodes[i].ec2.enis = 55;  // 55 of the /26's 59 IPs: past the 80 % alert
    Result<std::unique_ptr<Controller>> c = Controller::Create(
        ControllerDeps{config, store, nodes[i].ec2, nodes[i].notifier, clock, nodes[i].random,
                       nodes[i].metrics, &lease, "replica-" + std::to_string(i + 1)});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    nodes[i].controller = std::move(*c);
  }
  nodes[0].controller->Tick();
  nodes[1].controller->Tick();
  EXPECT_EQ(nodes[0].ec2.calls, 1);
  EXPECT_EQ(nodes[1].ec2.calls, 0);
  ASSERT_EQ(nodes[0].notifier.notifications().size(), 1u);
  EXPECT_EQ(nodes[0].notifier.notifications()[0].kind, "alert_firing");
  EXPECT_TRUE(nodes[1].notifier.notifications().empty());  // it saw the same observation, adopted
}

TEST(BatchedEniLister, ListsEverySubnetInAsManyCallsAsPagesAndGivesEachItsOwnEnis) {
  testing::FleetEc2 ec2(250, 30);  // 7,500 ENIs: 200 subnets (6 pages of 1,000) and then 50 (2 pages)
  BatchedEniLister lister(ec2, ec2.Ids());
  for (const std::string& id : ec2.Ids()) {
    Result<std::vector<NetworkInterface>> enis = lister.ListFor(id);
    ASSERT_TRUE(enis.ok()) << enis.status().ToString();
    ASSERT_EQ(enis->size(), 30u) << id;
    for (const NetworkInterface& eni : *enis) EXPECT_EQ(eni.subnet_id, id);
  }
  EXPECT_EQ(ec2.calls, 8);
  EXPECT_FALSE(lister.Covers("subnet-999"));
}

TEST(BatchedEniLister, AFailedCallIsTheErrorOfEverySubnetInItsBatch) {
  struct Failing final : public Ec2Api {
    Result<NetworkInterfacePage> DescribeNetworkInterfaces(const DescribeNetworkInterfacesRequest&) override {
      return Status::Unavailable("throttled").WithReason("RequestLimitExceeded");
    }
    Result<std::vector<Subnet>> DescribeSubnets(const DescribeSubnetsRequest&) override {
      return std::vector<Subnet>{};
    }
    Status DeleteNetworkInterface(const std::string&) override { return Status::Ok(); }
  } failing;
  BatchedEniLister lister(failing, {"subnet-a", "subnet-b"});
  EXPECT_EQ(lister.ListFor("subnet-a").status().reason(), "RequestLimitExceeded");
  EXPECT_EQ(lister.ListFor("subnet-b").status().reason(), "RequestLimitExceeded");
}

TEST(ControllerTick, ObservesTheSubnetsDueTogetherEachWithItsOwnObservation) {
  std::string yaml = "subnets:\n";
  for (int n = 0; n < 100; ++n) yaml += fmt::format("  - {{id: subnet-{}, cidr: 10.{}.0.0/26}}\n", n, n);
  yaml += "categories:\n  - {name: critical, subnet: subnet-0}\n";
  const Config config = *ParseConfig(yaml, "fleet.yaml", [](const std::string&) { return std::optional<std::string>(); });
  testing::FleetEc2 ec2(100, 30);
  MemoryStore store;
  RecordingNotifier notifier;
  FakeClock clock(FromUnixMillis(1'767'225'600'000));
  SeededRandom random(1);
  MetricsRegistry metrics;
  std::unique_ptr<Controller> controller =
      std::move(*Controller::Create(ControllerDeps{config, store, ec2, notifier, clock, random, metrics}));
  controller->Tick();
  EXPECT_EQ(ec2.calls, 3);  // 3,000 ENIs in pages of 1,000, not 100 calls
  for (const SubnetStatus& s : controller->Subnets()) {
    ASSERT_TRUE(s.poller.latest.has_value()) << s.config->id;
    EXPECT_EQ(s.poller.latest->subnet_id, s.config->id);
    EXPECT_EQ(s.poller.latest->total_enis, 30) << s.config->id;
    EXPECT_EQ(s.poller.observations, 1);
  }
  clock.Advance(seconds(30));
  controller->Tick();
  EXPECT_EQ(ec2.calls, 3);  // nothing due yet
  clock.Advance(seconds(31));
  controller->Tick();
  EXPECT_EQ(ec2.calls, 6);
  // An admission still refreshes its own subnet alone, on demand.
  clock.Advance(seconds(15));
  ASSERT_TRUE(controller->Admit({"critical", 1, "run-1", std::nullopt}).ok());
  EXPECT_EQ(ec2.calls, 7);
}

}  // namespace
}  // namespace glueguard
