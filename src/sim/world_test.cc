#include "sim/world.h"

#include <gtest/gtest.h>

#include "sim/event_queue.h"

namespace glueguard {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// A /27 (27 IPs), one category, one job; fixed delays so every transition time is known.
Workload SmallWorkload() {
  Result<Workload> w = ParseWorkload(R"(
start: 2026-01-05T00:00:00Z
enis:
  provision_delay: 1m
  detach_delay: 30s
  cleanup_tail: 20m
  day_factor: 1
subnets:
  - {id: subnet-a, cidr: 10.0.0.0/27, other_enis: 2}
categories:
  - {name: batch, subnet: subnet-a}
jobs:
  - {name: etl, category: batch, schedule: "0 7 * * *", workers: 10, duration: 30m}
)",
                                     "small.yaml");
  EXPECT_TRUE(w.ok()) << w.status().message();
  return *w;
}

// Inputs built field by field (designated initialisers would have to name every member under -Wextra).
StartRunInput RunOf(const std::string& job, std::optional<int> workers = std::nullopt,
                    std::optional<Duration> duration = std::nullopt, std::string stream_key = "") {
  StartRunInput in;
  in.job_name = job;
  in.workers = workers;
  in.duration = duration;
  in.stream_key = std::move(stream_key);
  return in;
}

CreateSessionInput SessionOf(const std::string& id, std::optional<int> workers = std::nullopt,
                             std::vector<std::string> connections = {}) {
  CreateSessionInput in;
  in.id = id;
  in.role = "arn:aws:iam::123456789012:role/R";
  in.workers = workers;
  in.connections = std::move(connections);
  return in;
}

TEST(EventQueue, RunsEventsInTimeOrderAndSameTimeEventsInScheduleOrder) {
  EventQueue queue(FromUnixMillis(0));
  std::string order;
  queue.Schedule(FromUnixMillis(20), [&] { order += "c"; });
  queue.Schedule(FromUnixMillis(10), [&] { order += "a"; });
  queue.Schedule(FromUnixMillis(10), [&] {
    order += "b";
    queue.After(Duration{5}, [&] { order += "x"; });  // at 15, before c
  });
  EXPECT_EQ(queue.RunUntil(FromUnixMillis(100)), 4);
  EXPECT_EQ(order, "abxc");
  EXPECT_EQ(queue.now(), FromUnixMillis(100));
}

TEST(World, OtherServicesEnisTakeIpsFromTheStart) {
  const Workload w = SmallWorkload();
  World world(w, 1);
  const SubnetCounts c = world.Counts("subnet-a");
  EXPECT_EQ(c.capacity, 27);
  EXPECT_EQ(c.total, 2);
  EXPECT_EQ(c.free(), 25);
  ASSERT_EQ(world.Enis().size(), 2u);
  EXPECT_EQ(world.Enis()[0]->interface_type, "vpc_endpoint");
  EXPECT_EQ(world.Enis()[0]->private_ip, "10.0.0.4");  // .0-.3 are AWS's
}

TEST(World, JobRunGoesThroughEveryEniStateAndFreesItsIpsAfterTheTail) {
  const Workload w = SmallWorkload();
  World world(w, 1);
  Result<std::string> id = world.StartJobRun(RunOf("etl"));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(world.FindRun(*id)->state, RunState::kStarting);
  EXPECT_EQ(world.PendingIps("subnet-a"), 10);

  world.AdvanceTo(w.start + minutes(1));  // provisioned
  EXPECT_EQ(world.FindRun(*id)->state, RunState::kRunning);
  EXPECT_EQ(world.Counts("subnet-a").in_use, 12);
  EXPECT_EQ(world.PendingIps("subnet-a"), 0);

  world.AdvanceTo(w.start + minutes(31));  // ends: detaching
  EXPECT_EQ(world.FindRun(*id)->state, RunState::kSucceeded);
  EXPECT_EQ(world.Counts("subnet-a").other, 10);

  world.AdvanceTo(w.start + minutes(31) + seconds(30));  // available: the cleanup tail
  EXPECT_EQ(world.Counts("subnet-a").available, 10);
  EXPECT_EQ(world.Counts("subnet-a").total, 12);

  world.AdvanceTo(w.start + minutes(60));  // tail of 20m +-10% is over
  EXPECT_EQ(world.Counts("subnet-a").total, 2);
  EXPECT_EQ(world.stats().enis_deleted, 10);
}

TEST(World, RunFailsWithTheSubnetExhaustionErrorWhenTooFewIpsAreFree) {
  const Workload w = SmallWorkload();
  World world(w, 1);
  ASSERT_TRUE(world.StartJobRun(RunOf("etl", 20)).ok());
  Result<std::string> second = world.StartJobRun(RunOf("etl", 10));
  world.AdvanceTo(w.start + minutes(2));
  const SimJobRun* run = world.FindRun(*second);
  EXPECT_EQ(run->state, RunState::kFailed);
  EXPECT_TRUE(run->exhaustion_failure);
  EXPECT_EQ(run->error_message, kSubnetExhaustedMessage);
  EXPECT_EQ(world.stats().exhaustion_failures, 1);
  EXPECT_EQ(world.Counts("subnet-a").total, 22);  // the failed run took nothing
}

TEST(World, UnknownJobIsEntityNotFound) {
  const Workload w = SmallWorkload();
  World world(w, 1);
  Result<std::string> id = world.StartJobRun(RunOf("nope"));
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().reason(), "EntityNotFoundException");
}

TEST(World, StuckRunHoldsItsEnisUntilForceStopped) {
  const Workload w = SmallWorkload();
  World world(w, 1);
  Result<std::string> id = world.StartJobRun(RunOf("etl"));
  world.AdvanceTo(w.start + minutes(2));
  ASSERT_TRUE(world.MakeRunStuck(*id).ok());
  world.AdvanceTo(w.start + minutes(120));
  EXPECT_EQ(world.FindRun(*id)->state, RunState::kStopping);
  EXPECT_EQ(world.Counts("subnet-a").in_use, 12);

  ASSERT_TRUE(world.StopJobRun("etl", *id).ok());  // the runbook's force stop
  EXPECT_EQ(world.FindRun(*id)->state, RunState::kStopped);
  world.AdvanceTo(w.start + minutes(121));
  EXPECT_EQ(world.Counts("subnet-a").available, 10);
  EXPECT_FALSE(world.StopJobRun("etl", *id).ok());  // already finished
}

TEST(World, DeletingAnEniFollowsItsState) {
  const Workload w = SmallWorkload();
  World world(w, 1);
  Result<std::string> id = world.StartJobRun(RunOf("etl", std::nullopt, minutes(5)));
  world.AdvanceTo(w.start + minutes(2));
  std::string eni;
  for (const SimEni* e : world.Enis()) {
    if (e->owner == *id) eni = e->id;
  }
  Status in_use = world.DeleteEni(eni);
  EXPECT_EQ(in_use.reason(), "InvalidNetworkInterface.InUse");
  world.AdvanceTo(w.start + minutes(6) + seconds(10));  // detaching
  EXPECT_EQ(world.DeleteEni(eni).reason(), "InvalidParameterValue");
  world.AdvanceTo(w.start + minutes(7));  // available
  EXPECT_TRUE(world.DeleteEni(eni).ok());
  EXPECT_EQ(world.DeleteEni(eni).reason(), "InvalidNetworkInterfaceID.NotFound");
}

TEST(World, InjectedOrphansStayAvailableForever) {
  const Workload w = SmallWorkload();
  World world(w, 1);
  EXPECT_EQ(world.InjectOrphanEnis("subnet-a", 3).size(), 3u);
  world.AdvanceTo(w.start + std::chrono::hours(48));
  EXPECT_EQ(world.Counts("subnet-a").available, 3);
}

TEST(World, SessionWithAConnectionTakesEnisWhileReadyAndReleasesThemWhenStopped) {
  const Workload w = SmallWorkload();
  World world(w, 1);
  Result<const SimSession*> s = world.CreateSession(SessionOf("s1", 4, {"batch-connection"}));
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ((*s)->status, SessionState::kProvisioning);
  world.AdvanceTo(w.start + minutes(1));
  EXPECT_EQ(world.FindSession("s1")->status, SessionState::kReady);
  EXPECT_EQ(world.Counts("subnet-a").in_use, 6);
  ASSERT_TRUE(world.StopSession("s1").ok());
  world.AdvanceTo(w.start + minutes(2));
  EXPECT_EQ(world.FindSession("s1")->status, SessionState::kStopped);
  EXPECT_EQ(world.StopSession("s1").reason(), "IllegalSessionStateException");
  ASSERT_TRUE(world.DeleteSession("s1").ok());
  EXPECT_EQ(world.FindSession("s1"), nullptr);
  EXPECT_EQ(world.DeleteSession("s1").reason(), "EntityNotFoundException");
  EXPECT_EQ(world.CreateSession(SessionOf("s2", std::nullopt, {"nope"})).status().reason(),
            "EntityNotFoundException");
}

TEST(World, IdleSessionStopsAfterItsIdleTimeout) {
  const Workload w = SmallWorkload();
  World world(w, 1);
  CreateSessionInput idle = SessionOf("s1");
  idle.idle_timeout_minutes = 15;
  idle.active = minutes(10);
  ASSERT_TRUE(world.CreateSession(idle).ok());
  world.AdvanceTo(w.start + minutes(25));
  EXPECT_EQ(world.FindSession("s1")->status, SessionState::kReady);
  world.AdvanceTo(w.start + minutes(27));
  EXPECT_EQ(world.FindSession("s1")->status, SessionState::kStopped);
}

TEST(World, SameSeedGivesTheSameWorld) {
  const Workload w = SmallWorkload();
  World a(w, 7);
  World b(w, 7);
  for (World* world : {&a, &b}) {
    ASSERT_TRUE(world->StartJobRun(RunOf("etl", std::nullopt, std::nullopt, "k")).ok());
    world->AdvanceTo(w.start + minutes(45));
  }
  ASSERT_EQ(a.Enis().size(), b.Enis().size());
  for (size_t i = 0; i < a.Enis().size(); ++i) {
    EXPECT_EQ(a.Enis()[i]->id, b.Enis()[i]->id);
    EXPECT_EQ(a.Enis()[i]->status, b.Enis()[i]->status);
  }
}

TEST(Workload, TextThatIsNotAYamlMapIsRefusedWithWhereAndWhy) {
  Result<Workload> broken = ParseWorkload("jobs: [\n", "w.yaml");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("w.yaml:"), std::string::npos) << broken.status().message();
  EXPECT_NE(broken.status().message().find("not valid YAML"), std::string::npos) << broken.status().message();
  Result<Workload> list = ParseWorkload("- a\n- b\n", "w.yaml");
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().message(), "w.yaml:1: a workload must be a YAML map");
}

}  // namespace
}  // namespace glueguard
