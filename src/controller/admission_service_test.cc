#include "controller/admission_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/memory_store.h"
#include "store/sqlite_store.h"
#include "testing/observations.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

using std::chrono::minutes;

constexpr const char* kConfig = R"(subnets:
  - id: subnet-a
    cidr: 10.0.0.0/26
  - id: subnet-c
    cidr: 10.0.0.128/27
categories:
  - name: critical
    subnet: subnet-a
    priority: 100
  - name: adhoc
    subnet: subnet-c
    ips_per_worker: 2
    extra_ips_per_job: 1
)";

Config TestConfig() {
  Result<Config> c = ParseConfig(kConfig, "test", [](const std::string&) { return std::optional<std::string>(); });
  if (!c.ok()) throw std::runtime_error(c.status().message());
  return *c;
}

Observation Obs(const std::string& subnet, Time at, int in_use, int available) {
  return testing::ObservationOf(subnet, at, in_use, available);
}

class AdmissionServiceTest : public ::testing::Test {
 protected:
  std::unique_ptr<AdmissionService> Make(ObservationStore& store) {
    Result<std::unique_ptr<AdmissionService>> s = AdmissionService::Create(config_, store, clock_, random_);
    if (!s.ok()) throw std::runtime_error(s.status().ToString());
    return std::move(*s);
  }

  Config config_ = TestConfig();
  FakeClock clock_;
  SeededRandom random_{3};
  MemoryStore memory_;
};

TEST_F(AdmissionServiceTest, ResolvesTheCategoryToItsSubnetAndIpsPerWorker) {
  auto service = Make(memory_);
  ASSERT_TRUE(service->Observe(Obs("subnet-c", clock_.Now(), 0, 0)).ok());
  Result<Decision> d = service->Admit({"adhoc", 5, "run-1", std::nullopt});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->subnet_id, "subnet-c");
  EXPECT_EQ(d->needed, 11);  // 5 workers x 2 IPs + 1
  EXPECT_EQ(d->capacity, 27);
  EXPECT_EQ(d->outcome, Outcome::kAdmit) << d->reason;
}

TEST_F(AdmissionServiceTest, UnknownCategoryIsARejectThatNamesTheConfiguredOnes) {
  auto service = Make(memory_);
  Result<Decision> d = service->Admit({"critcal", 5, "run-1", std::nullopt});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->outcome, Outcome::kReject);
  EXPECT_EQ(d->code, DecisionCode::kUnknownCategory);
  EXPECT_NE(d->reason.find("critical, adhoc"), std::string::npos) << d->reason;
}

TEST_F(AdmissionServiceTest, EveryDecisionIsAuditedWithItsNumbers) {
  auto service = Make(memory_);
  ASSERT_TRUE(service->Observe(Obs("subnet-a", clock_.Now(), 18, 12)).ok());
  ASSERT_EQ(service->Admit({"critical", 10, "run-1", std::nullopt})->outcome, Outcome::kAdmit);
  ASSERT_EQ(service->Admit({"critical", 30, "run-2", std::nullopt})->outcome, Outcome::kWait);
  Result<std::vector<Decision>> audit =
      memory_.DecisionsBetween("subnet-a", clock_.Now() - minutes(1), clock_.Now() + minutes(1), 10);
  ASSERT_EQ(audit->size(), 2u);
  EXPECT_EQ((*audit)[0].run_id, "run-2");
  EXPECT_EQ((*audit)[0].reserved, 10);
  EXPECT_EQ((*audit)[1].outcome, Outcome::kAdmit);
}

TEST_F(AdmissionServiceTest, ConcurrentAdmitsNeverOverCommitTheHeadroom) {
  auto service = Make(memory_);
  ASSERT_TRUE(service->Observe(Obs("subnet-a", clock_.Now(), 9, 0)).ok());  // free 50, buffer 10: room for 8 x 5
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        Result<Decision> d = service->Admit({"critical", 5, "run-" + std::to_string(t * 10 + i), std::nullopt});
        if (d.ok() && d->outcome == Outcome::kAdmit) ++admitted;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(admitted.load(), 8);
  EXPECT_EQ(service->Snapshot("subnet-a")->ReservedIps(clock_.Now()), 40);
}

TEST_F(AdmissionServiceTest, ARestartLosesNoReservationWaiterOrCoolOff) {
  testing::TempDir dir;
  std::string reservation_id;
  {
    auto store = SqliteStore::Open(dir.File("g.db"));
    auto service = Make(**store);
    ASSERT_TRUE(service->Observe(Obs("subnet-a", clock_.Now(), 24, 10)).ok());
    Result<Decision> admitted = service->Admit({"critical", 10, "run-1", std::nullopt});
    ASSERT_EQ(admitted->outcome, Outcome::kAdmit);
    reservation_id = admitted->reservation_id;
    ASSERT_EQ(service->Admit({"critical", 10, "run-2", std::nullopt})->outcome, Outcome::kWait);
    ASSERT_TRUE(service->ReportExhaustion("subnet-c").ok());
  }
  clock_.Advance(minutes(3));
  auto store = SqliteStore::Open(dir.File("g.db"));
  auto service = Make(**store);
  Result<SubnetAdmission> a = service->Snapshot("subnet-a");
  ASSERT_EQ(a->reservations().size(), 1u);
  EXPECT_EQ(a->reservations()[0].id, reservation_id);
  ASSERT_EQ(a->waiters().size(), 1u);
  EXPECT_EQ(a->history().size(), 1u);
  EXPECT_GT(service->Snapshot("subnet-c")->record().cool_off_until, clock_.Now());
  // run-2 keeps its place and its waiting time across the restart.
  ASSERT_TRUE(service->Observe(Obs("subnet-a", clock_.Now(), 24, 10)).ok());
  Result<Decision> again = service->Admit({"critical", 10, "run-2", std::nullopt});
  EXPECT_EQ(again->waited, minutes(3));
  EXPECT_EQ(again->reserved, 10);
  ASSERT_TRUE(service->Release(reservation_id).ok());
  EXPECT_EQ(service->Release(reservation_id).code(), StatusCode::kNotFound);
}

TEST_F(AdmissionServiceTest, TwoProcessesOnOneSqliteFileCannotBothTakeTheLastHeadroom) {
  testing::TempDir dir;
  auto store_a = SqliteStore::Open(dir.File("g.db"));
  auto store_b = SqliteStore::Open(dir.File("g.db"));
  auto first = Make(**store_a);
  auto second = Make(**store_b);
  ASSERT_TRUE(first->Observe(Obs("subnet-a", clock_.Now(), 24, 10)).ok());  // room for one launch of 10
  // `second` loaded before the observation: its commit conflicts, it reloads, and decides on the new state.
  ASSERT_EQ(first->Admit({"critical", 10, "run-1", std::nullopt})->outcome, Outcome::kAdmit);
  Result<Decision> d = second->Admit({"critical", 10, "run-2", std::nullopt});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->outcome, Outcome::kWait) << d->reason;
  EXPECT_EQ(d->reserved, 10);
}

TEST_F(AdmissionServiceTest, AStoreFailureIsAnErrorAndChangesNothing) {
  auto service = Make(memory_);
  ASSERT_TRUE(service->Observe(Obs("subnet-a", clock_.Now(), 0, 0)).ok());
  memory_.InjectFailure(Status::Unavailable("disk on fire"));
  Result<Decision> d = service->Admit({"critical", 10, "run-1", std::nullopt});
  EXPECT_EQ(d.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(service->Snapshot("subnet-a")->reservations().empty());
  memory_.InjectFailure(Status::Ok());
  EXPECT_EQ(service->Admit({"critical", 10, "run-1", std::nullopt})->outcome, Outcome::kAdmit);
}

TEST_F(AdmissionServiceTest, ObservationsOfUnconfiguredSubnetsOrWithBadCountsAreRejected) {
  auto service = Make(memory_);
  EXPECT_EQ(service->Observe(Obs("subnet-z", clock_.Now(), 1, 0)).code(), StatusCode::kInvalidArgument);
  Observation bad = Obs("subnet-a", clock_.Now(), 1, 0);
  bad.total_enis = -1;
  EXPECT_EQ(service->Observe(bad).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service->ReportExhaustion("nowhere").code(), StatusCode::kInvalidArgument);
}

TEST_F(AdmissionServiceTest, SweepExpiresReservationsAndOldObservations) {
  auto service = Make(memory_);
  ASSERT_TRUE(service->Observe(Obs("subnet-a", clock_.Now(), 0, 0)).ok());
  ASSERT_EQ(service->Admit({"critical", 10, "run-1", std::nullopt})->outcome, Outcome::kAdmit);
  clock_.Advance(std::chrono::hours(24 * 31));
  ASSERT_TRUE(service->Sweep().ok());
  EXPECT_TRUE(service->Snapshot("subnet-a")->reservations().empty());
  EXPECT_TRUE(memory_.LatestObservations("subnet-a", 5)->empty());
  EXPECT_TRUE(memory_.LoadSubnet("subnet-a")->reservations.empty());
}

TEST_F(AdmissionServiceTest, SweepDeletesPastRetentionAtMostEveryTenMinutes) {
  auto service = Make(memory_);
  ASSERT_TRUE(service->Sweep().ok());  // the first sweep expires
  const Time old = clock_.Now() - std::chrono::hours(24 * 31);
  ASSERT_TRUE(memory_.AppendObservation(Obs("subnet-a", old, 1, 0)).ok());
  clock_.Advance(minutes(9));
  ASSERT_TRUE(service->Sweep().ok());
  EXPECT_EQ(memory_.LatestObservations("subnet-a", 5)->size(), 1u);  // not yet: a sweep ran 9 minutes ago
  clock_.Advance(minutes(1));
  ASSERT_TRUE(service->Sweep().ok());
  EXPECT_TRUE(memory_.LatestObservations("subnet-a", 5)->empty());
}

}  // namespace
}  // namespace glueguard

namespace glueguard {
namespace {

// subnet-a listing Glue ENIs "eni-<n>" with their statuses.
Observation Listing(Time at, const std::vector<std::pair<int, std::string>>& enis) {
  Observation o = testing::ObservationOf("subnet-a", at, 0, 0);
  o.enis.emplace();
  for (const auto& [n, status] : enis) {
    o.enis->push_back({"eni-" + std::to_string(n), status, "arn:aws:iam::1:role/Glue", true});
    ++o.total_enis;
    (status == "in-use" ? o.in_use : o.available)++;
  }
  return o;
}

TEST_F(AdmissionServiceTest, TheEniTimelineSurvivesARestartAndReachesAReplicaThroughTheStore) {
  auto first = Make(memory_);
  ASSERT_TRUE(first->Observe(Listing(clock_.Now(), {{1, "in-use"}, {2, "in-use"}})).ok());
  clock_.Advance(minutes(1));
  ASSERT_TRUE(first->Observe(Listing(clock_.Now(), {{1, "available"}, {2, "in-use"}})).ok());
  auto replica = Make(memory_);  // started meanwhile: it replays the log so far
  clock_.Advance(minutes(20));
  ASSERT_TRUE(first->Observe(Listing(clock_.Now(), {{2, "in-use"}, {3, "in-use"}})).ok());
  ASSERT_EQ(first->Snapshot("subnet-a")->timeline().tails().size(), 1u);
  EXPECT_EQ(first->Snapshot("subnet-a")->timeline().tails()[0].available_for, minutes(20));
  // What a view added, without a copy of the state: the tail ended now; nothing after it; none elsewhere.
  ASSERT_EQ(first->CleanupTailsAfter("subnet-a", clock_.Now() - minutes(1)).size(), 1u);
  EXPECT_TRUE(first->CleanupTailsAfter("subnet-a", clock_.Now()).empty());
  EXPECT_TRUE(first->CleanupTailsAfter("subnet-x", Time{}).empty());

  // A restart rebuilds the same timeline from the store.
  auto restarted = Make(memory_);
  const SubnetAdmission after = *restarted->Snapshot("subnet-a");
  ASSERT_EQ(after.timeline().tails().size(), 1u);
  EXPECT_EQ(after.timeline().tails()[0].available_for, minutes(20));
  EXPECT_EQ(after.timeline().live().size(), 2u);
  EXPECT_EQ(after.timeline().LargestUncontrolledBurst(minutes(15)), 1);  // eni-3: no reservation explained it

  // The replica that does not observe catches up on what was added since it loaded.
  EXPECT_TRUE(replica->Snapshot("subnet-a")->timeline().tails().empty());
  ASSERT_TRUE(replica->Reload("subnet-a").ok());
  EXPECT_EQ(replica->Snapshot("subnet-a")->timeline().tails().size(), 1u);
  EXPECT_EQ(replica->Snapshot("subnet-a")->timeline().live().size(), 2u);
}

}  // namespace
}  // namespace glueguard
