// The doctor pass against dumb in-memory EC2 and Glue fakes: the grace period, the retry of ENIs EC2 says are
// still in use, the rate limit, the bounds, ownership, stuck runs and the dry run that changes nothing. One
// file over 500 lines: every case runs the one pass over the same fakes, and splitting them would split the
// fixture.
#include "doctor/doctor.h"

#include <gtest/gtest.h>

#include <deque>
#include <sstream>

#include "store/memory_store.h"

namespace glueguard {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr char kSubnetA[] = "subnet-0a";
constexpr char kRole[] = "arn:aws:iam::123456789012:role/GlueJobRole";

// ENIs in memory. DeleteNetworkInterface answers from a script per ENI when there is one, else deletes.
class FakeEc2 final : public Ec2Api {
 public:
  FakeEc2(const Clock& clock) : clock_(clock) {}

  void AddGlueEni(const std::string& id, const std::string& status = "available",
                  const std::string& role = kRole) {
    NetworkInterface eni;
    eni.id = id;
    eni.subnet_id = kSubnetA;
    eni.status = status;
    eni.description = "Attached to Glue using role: " + role;
    enis_.push_back(eni);
  }
  void Script(const std::string& id, std::deque<Status> answers) { scripts_[id] = std::move(answers); }
  bool Has(const std::string& id) const {
    for (const NetworkInterface& e : enis_) {
      if (e.id == id) return true;
    }
    return false;
  }

  Result<NetworkInterfacePage> DescribeNetworkInterfaces(const DescribeNetworkInterfacesRequest& r) override {
    if (!describe_error.ok()) return describe_error;
    NetworkInterfacePage page;
    for (const NetworkInterface& e : enis_) {
      if (r.filters.empty() || r.filters[0].values[0] == e.subnet_id) page.interfaces.push_back(e);
    }
    return page;
  }
  Result<std::vector<Subnet>> DescribeSubnets(const DescribeSubnetsRequest&) override {
    return Status::Unavailable("not faked");
  }
  Status DeleteNetworkInterface(const std::string& id) override {
    deletes.push_back({id, clock_.Now()});
    auto script = scripts_.find(id);
    if (script != scripts_.end() && !script->second.empty()) {
      Status s = script->second.front();
      script->second.pop_front();
      if (!s.ok()) return s;
    }
    for (auto it = enis_.begin(); it != enis_.end(); ++it) {
      if (it->id == id) {
        enis_.erase(it);
        return Status::Ok();
      }
    }
    return Status::NotFound("gone").WithReason("InvalidNetworkInterfaceID.NotFound");
  }

  struct Call {
    std::string id;
    Time at;
  };
  std::vector<Call> deletes;
  Status describe_error;

 private:
  const Clock& clock_;
  std::vector<NetworkInterface> enis_;
  std::map<std::string, std::deque<Status>> scripts_;
};

// Jobs and runs in memory; every job uses the connection "conn-a" (subnet A).
class FakeGlue final : public GlueApi {
 public:
  void AddRun(const std::string& job, const std::string& id, const std::string& state, Time modified) {
    JobRun run;
    run.id = id;
    run.job_name = job;
    run.job_run_state = state;
    run.last_modified_on = modified;
    runs_.push_back(run);
  }
  std::string StateOf(const std::string& id) const {
    for (const JobRun& r : runs_) {
      if (r.id == id) return r.job_run_state;
    }
    return "";
  }

  Result<Session> GetSession(const std::string&) override { return Status::NotFound("none"); }
  Result<SessionPage> ListSessions(const ListSessionsRequest&) override { return SessionPage{}; }
  Status StopSession(const std::string&) override { return Status::Unavailable("not faked"); }
  Status DeleteSession(const std::string&) override { return Status::Unavailable("not faked"); }
  Result<Job> GetJob(const std::string& name) override {
    Job job;
    job.name = name;
    job.role = job_role;
    job.connections = {"conn-a"};
    return job;
  }
  Result<std::string> StartJobRun(const StartJobRunRequest&) override {
    return Status::Unavailable("not faked");
  }
  Result<JobRun> GetJobRun(const std::string&, const std::string& id) override {
    for (const JobRun& r : runs_) {
      if (r.id == id) return r;
    }
    return Status::NotFound("no run");
  }
  Result<JobRunPage> GetJobRuns(const GetJobRunsRequest& request) override {
    JobRunPage page;
    for (const JobRun& r : runs_) {
      if (r.job_name == request.job_name) page.job_runs.push_back(r);
    }
    return page;
  }
  Result<BatchStopJobRunResult> BatchStopJobRun(const std::string& job,
                                                const std::vector<std::string>& ids) override {
    ++stops;
    BatchStopJobRunResult result;
    for (JobRun& r : runs_) {
      for (const std::string& id : ids) {
        if (r.id != id) continue;
        r.job_run_state = "STOPPED";
        result.successful_submissions.push_back({job, id});
      }
    }
    return result;
  }
  Result<GlueConnection> GetConnection(const std::string& name) override {
    return Status::NotFound("no connection " + name);
  }

  std::string job_role = kRole;
  int stops = 0;

 private:
  std::vector<JobRun> runs_;
};

class DoctorTest : public ::testing::Test {
 protected:
  DoctorTest() {
    SubnetConfig a;
    a.id = kSubnetA;
    a.name = "subnet-a";
    a.cidr = *ParseCidr("10.0.0.0/26");
    config_.subnets = {a};
    CategoryConfig critical;
    critical.name = "critical";
    critical.subnet_id = kSubnetA;
    critical.connection = "conn-a";
    config_.categories = {critical};
    options_.grace = minutes(60);
  }

  DoctorReport Pass() {
    const DoctorDeps deps{config_, ec2_, glue_, nullptr, &store_, *ledger_, clock_, sleeper_, Log::To(log_)};
    Result<DoctorReport> report = RunDoctorPass(deps, options_);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : DoctorReport{};
  }
  static const DoctorAction* ActionFor(const DoctorReport& r, const std::string& target) {
    for (const DoctorAction& a : r.actions) {
      if (a.target == target) return &a;
    }
    return nullptr;
  }
  static const EniFinding* EniIn(const DoctorReport& r, const std::string& id) {
    for (const EniFinding& e : r.enis) {
      if (e.eni_id == id) return &e;
    }
    return nullptr;
  }

  Config config_;
  FakeClock clock_;
  FakeSleeper sleeper_{clock_};
  FakeEc2 ec2_{clock_};
  FakeGlue glue_;
  MemoryStore store_;
  std::unique_ptr<EniLedger> ledger_ = MakeMemoryEniLedger();
  DoctorOptions options_;
  std::ostringstream log_;
};

TEST_F(DoctorTest, AnEniIsDeletedOnlyByALaterPassOnceItHasBeenAvailableForTheGracePeriod) {
  options_.apply = true;
  ec2_.AddGlueEni("eni-1");
  DoctorReport first = Pass();
  ASSERT_EQ(first.enis.size(), 1u);
  EXPECT_TRUE(first.enis[0].first_seen_now);
  EXPECT_EQ(first.enis[0].verdict, EniVerdict::kInGrace);
  EXPECT_FALSE(first.NeedsAttention());

  clock_.Advance(minutes(59));
  DoctorReport second = Pass();
  EXPECT_EQ(second.enis[0].verdict, EniVerdict::kInGrace);
  EXPECT_EQ(second.enis[0].available_for, minutes(59));
  EXPECT_TRUE(ec2_.deletes.empty());

  clock_.Advance(minutes(1));
  DoctorReport third = Pass();
  EXPECT_EQ(third.enis[0].verdict, EniVerdict::kOrphan);
  ASSERT_NE(ActionFor(third, "eni-1"), nullptr);
  EXPECT_EQ(ActionFor(third, "eni-1")->outcome, "done");
  EXPECT_FALSE(ec2_.Has("eni-1"));
  EXPECT_FALSE(third.NeedsAttention());
  EXPECT_NE(log_.str().find("delete eni-1 in subnet-0a: done"), std::string::npos) << log_.str();
}

TEST_F(DoctorTest, AnEniThatStopsBeingAvailableStartsItsGracePeriodOver) {
  options_.apply = true;
  ec2_.AddGlueEni("eni-1");
  Pass();
  clock_.Advance(minutes(30));
  FakeEc2 attached(clock_);  // seen attached by this pass
  attached.AddGlueEni("eni-1", "in-use");
  const DoctorDeps deps{config_, attached, glue_, nullptr, &store_, *ledger_, clock_, sleeper_, {}};
  ASSERT_TRUE(RunDoctorPass(deps, options_).ok());
  clock_.Advance(minutes(45));  // 75 minutes after the first sighting, 45 after the second
  DoctorReport r = Pass();
  EXPECT_EQ(r.enis[0].verdict, EniVerdict::kInGrace);
  EXPECT_TRUE(ec2_.deletes.empty());
}

TEST_F(DoctorTest, ADeleteRefusedAsStillDetachingIsRetriedWithinThePass) {
  options_.apply = true;
  options_.retry_after = seconds(15);
  ec2_.AddGlueEni("eni-1");
  ec2_.Script("eni-1", {Status::FailedPrecondition("detaching").WithReason("InvalidParameterValue")});
  Pass();
  clock_.Advance(minutes(61));
  DoctorReport r = Pass();
  const DoctorAction* a = ActionFor(r, "eni-1");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->outcome, "done");
  EXPECT_EQ(a->attempts, 2);
  EXPECT_EQ(sleeper_.waits(), std::vector<Duration>{seconds(15)});
  EXPECT_FALSE(r.NeedsAttention());
}

TEST_F(DoctorTest, AnEniStillInUseAfterEveryRetryIsLeftForTheNextPassNotFailed) {
  options_.apply = true;
  options_.delete_retries = 2;
  ec2_.AddGlueEni("eni-1");
  const Status in_use = Status::FailedPrecondition("in use").WithReason("InvalidNetworkInterface.InUse");
  ec2_.Script("eni-1", {in_use, in_use, in_use});
  Pass();
  clock_.Advance(minutes(61));
  DoctorReport r = Pass();
  EXPECT_EQ(ActionFor(r, "eni-1")->outcome, "retry-later");
  EXPECT_EQ(ActionFor(r, "eni-1")->attempts, 3);
  EXPECT_TRUE(r.NeedsAttention());
  EXPECT_EQ(ledger_->Entries(kSubnetA)->at(0).delete_attempts, 3);

  clock_.Advance(minutes(10));  // the next cron run: EC2 lets it go now
  DoctorReport next = Pass();
  EXPECT_EQ(EniIn(next, "eni-1")->refused_deletes, 3);
  EXPECT_EQ(ActionFor(next, "eni-1")->outcome, "done");
  EXPECT_FALSE(ec2_.Has("eni-1"));
}

TEST_F(DoctorTest, DeletesGoThroughTheTokenBucketAndStopAtMaxDeletes) {
  options_.apply = true;
  options_.rate.burst = 3;
  options_.rate.refill_per_second = 1;
  options_.max_deletes = 5;
  for (int i = 0; i < 7; ++i) ec2_.AddGlueEni("eni-" + std::to_string(i));
  Pass();
  clock_.Advance(minutes(61));
  const Time start = clock_.Now();
  DoctorReport r = Pass();
  ASSERT_EQ(ec2_.deletes.size(), 5u);
  EXPECT_EQ(ec2_.deletes[0].at, start);
  EXPECT_EQ(ec2_.deletes[2].at, start);  // the burst
  EXPECT_EQ(ec2_.deletes[3].at, start + seconds(1));
  EXPECT_EQ(ec2_.deletes[4].at, start + seconds(2));
  int skipped = 0;
  for (const DoctorAction& a : r.actions) skipped += a.outcome == "skipped";
  EXPECT_EQ(skipped, 2);
  EXPECT_TRUE(r.NeedsAttention());
}

TEST_F(DoctorTest, TheDryRunChangesNothingAndPlansExactlyWhatApplyDoes) {
  ec2_.AddGlueEni("eni-old");
  glue_.AddRun("etl", "jr_stuck", "STOPPING", clock_.Now());
  options_.jobs = {"etl"};
  options_.max_deletes = 1;
  Pass();  // both passes record sightings; neither mutates
  clock_.Advance(minutes(61));
  ec2_.AddGlueEni("eni-new");
  DoctorReport dry = Pass();
  EXPECT_TRUE(ec2_.deletes.empty());
  EXPECT_EQ(glue_.stops, 0);
  EXPECT_EQ(glue_.StateOf("jr_stuck"), "STOPPING");
  EXPECT_TRUE(ec2_.Has("eni-old"));
  EXPECT_TRUE(dry.NeedsAttention());

  options_.apply = true;
  DoctorReport applied = Pass();
  ASSERT_EQ(dry.actions.size(), applied.actions.size());
  for (size_t i = 0; i < dry.actions.size(); ++i) {
    EXPECT_EQ(dry.actions[i].kind, applied.actions[i].kind);
    EXPECT_EQ(dry.actions[i].target, applied.actions[i].target);
    EXPECT_EQ(dry.actions[i].outcome, "planned");
    EXPECT_EQ(applied.actions[i].outcome, "done");
  }
  EXPECT_FALSE(ec2_.Has("eni-old"));
  EXPECT_TRUE(ec2_.Has("eni-new"));  // within its grace period
}

TEST_F(DoctorTest, ALiveRunWithTheEnisRoleInTheSubnetKeepsItsEnis) {
  options_.apply = true;
  options_.jobs = {"etl"};
  glue_.AddRun("etl", "jr_1", "RUNNING", clock_.Now());
  ec2_.AddGlueEni("eni-mine");
  ec2_.AddGlueEni("eni-other-role", "available", "arn:aws:iam::123456789012:role/SomebodyElse");
  Pass();
  clock_.Advance(minutes(61));
  DoctorReport r = Pass();
  const EniFinding* mine = EniIn(r, "eni-mine");
  EXPECT_EQ(mine->verdict, EniVerdict::kPossiblyOwned);
  ASSERT_EQ(mine->possible_owners.size(), 1u);
  EXPECT_NE(mine->possible_owners[0].find("jr_1"), std::string::npos);
  EXPECT_TRUE(ec2_.Has("eni-mine"));
  EXPECT_FALSE(ec2_.Has("eni-other-role"));
}

TEST_F(DoctorTest, AStuckRunIsForceStoppedAndNoLongerShieldsItsLeftovers) {
  options_.apply = true;
  options_.jobs = {"etl"};
  options_.stuck_after = minutes(30);
  glue_.AddRun("etl", "jr_stuck", "STOPPING", clock_.Now());
  glue_.AddRun("etl", "jr_done", "SUCCEEDED", clock_.Now());
  ec2_.AddGlueEni("eni-1");
  DoctorReport early = Pass();
  EXPECT_TRUE(early.stuck_runs.empty());  // STOPPING for less than 30 minutes
  EXPECT_EQ(early.enis[0].verdict, EniVerdict::kPossiblyOwned);
  clock_.Advance(minutes(61));
  DoctorReport r = Pass();
  ASSERT_EQ(r.stuck_runs.size(), 1u);
  EXPECT_EQ(r.stuck_runs[0].stopping_for, minutes(61));
  EXPECT_EQ(ActionFor(r, "etl/jr_stuck")->outcome, "done");
  EXPECT_EQ(glue_.StateOf("jr_stuck"), "STOPPED");
  EXPECT_EQ(ActionFor(r, "eni-1")->outcome, "done");
  EXPECT_FALSE(r.NeedsAttention());
}

TEST_F(DoctorTest, UtilisationOverTheAlertThresholdNeedsAttentionAndTheTrendComesFromTheStore) {
  for (int i = 0; i < 40; ++i) ec2_.AddGlueEni("eni-" + std::to_string(i), "in-use");
  Observation earlier;
  earlier.subnet_id = kSubnetA;
  earlier.observed_at = clock_.Now() - minutes(30);
  earlier.total_enis = 20;
  earlier.in_use = 20;
  ASSERT_TRUE(store_.AppendObservation(earlier).ok());
  DoctorReport r = Pass();
  ASSERT_EQ(r.subnets.size(), 1u);
  EXPECT_EQ(r.subnets[0].capacity, 59);
  EXPECT_EQ(r.subnets[0].counts.total, 40);
  EXPECT_FALSE(r.subnets[0].over_threshold());  // 68 %
  EXPECT_EQ(r.subnets[0].observations, 2);
  ASSERT_TRUE(r.subnets[0].trend_per_hour.has_value());
  EXPECT_DOUBLE_EQ(*r.subnets[0].trend_per_hour, 40.0);  // +20 in half an hour
  EXPECT_FALSE(r.NeedsAttention());
  for (int i = 40; i < 48; ++i) ec2_.AddGlueEni("eni-" + std::to_string(i), "in-use");
  EXPECT_TRUE(Pass().NeedsAttention());  // 48 / 59 = 81 %
}

TEST_F(DoctorTest, TheCleanupTailComesFromTheEniChangeLogServeStored) {
  DoctorReport none = Pass();
  ASSERT_EQ(none.subnets.size(), 1u);
  EXPECT_EQ(none.subnets[0].cleanup_tail.count, 0);
  EXPECT_NE(FormatDoctorJson(none).find("\"p50_minutes\": null"), std::string::npos)
      << FormatDoctorJson(none);

  // Three Glue ENIs that stayed available 10, 20 and 40 minutes, as a controller's commits recorded them.
  int64_t version = 0;
  const Time start = clock_.Now() - std::chrono::hours(3);
  const int tails[] = {10, 20, 40};
  for (int i = 0; i < 3; ++i) {
    const std::string id = "eni-t" + std::to_string(i);
    const Time available = start + std::chrono::hours(i);
    EniChange appeared{kSubnetA, available, id, EniEvent::kAppeared, "arn:aws:iam::1:role/Glue", true, true};
    EniChange now_available{kSubnetA, available, id, EniEvent::kAvailable, "", false, false};
    EniChange gone{kSubnetA, available + minutes(tails[i]), id, EniEvent::kGone, "", false, false};
    for (const auto& lines :
         {std::vector<EniChange>{appeared, now_available}, std::vector<EniChange>{gone}}) {
      SubnetCommit commit;
      commit.expected_version = version++;
      commit.record.subnet_id = kSubnetA;
      commit.changes.eni_changes = lines;
      ASSERT_TRUE(store_.Commit(commit).ok());
    }
  }
  DoctorReport r = Pass();
  EXPECT_EQ(r.subnets[0].cleanup_tail.count, 3);
  ASSERT_EQ(r.subnets[0].cleanup_tail.quantiles.size(), 2u);
  EXPECT_EQ(r.subnets[0].cleanup_tail.quantiles[0].second, minutes(20));  // p50
  EXPECT_EQ(r.subnets[0].cleanup_tail.quantiles[1].second, minutes(40));  // p95
  EXPECT_NE(FormatDoctorTable(r).find("20/40m"), std::string::npos) << FormatDoctorTable(r);
  EXPECT_NE(FormatDoctorJson(r).find("\"p95_minutes\": 40.0"), std::string::npos) << FormatDoctorJson(r);
}

// The bug: two observations seconds apart were scaled to an hour, and the table printed a trend of +100800.0.
TEST_F(DoctorTest, TooLittleHistoryGivesNoTrendAndSaysSo) {
  for (int i = 0; i < 40; ++i) ec2_.AddGlueEni("eni-" + std::to_string(i), "in-use");
  Observation earlier;
  earlier.subnet_id = kSubnetA;
  earlier.observed_at = clock_.Now() - seconds(1);
  earlier.total_enis = 12;
  earlier.in_use = 12;
  ASSERT_TRUE(store_.AppendObservation(earlier).ok());
  DoctorReport r = Pass();
  ASSERT_EQ(r.subnets.size(), 1u);
  EXPECT_EQ(r.subnets[0].observations, 2);
  EXPECT_EQ(r.subnets[0].history_span, seconds(1));
  EXPECT_FALSE(r.subnets[0].trend_per_hour.has_value());
  EXPECT_FALSE(r.NeedsAttention());  // too little history is not a problem

  const std::string table = FormatDoctorTable(r);
  EXPECT_EQ(table.find("+100800.0"), std::string::npos) << table;
  EXPECT_NE(table.find("note: no trend for subnet-0a: 1s of history (2 observations), a trend needs 10m0s"),
            std::string::npos)
      << table;
  EXPECT_NE(FormatDoctorJson(r).find("\"trend_per_hour\": null"), std::string::npos) << FormatDoctorJson(r);

  // Ten minutes of history are enough.
  clock_.Advance(minutes(10) - seconds(1));
  r = Pass();
  ASSERT_TRUE(r.subnets[0].trend_per_hour.has_value());
  EXPECT_DOUBLE_EQ(*r.subnets[0].trend_per_hour, 168.0);  // +28 in ten minutes
  EXPECT_EQ(FormatDoctorTable(r).find("no trend"), std::string::npos);
}

TEST_F(DoctorTest, APassFailsOnlyWhenEc2CannotBeAsked) {
  ec2_.describe_error = Status::Unavailable("connection refused");
  const DoctorDeps deps{config_, ec2_, glue_, nullptr, &store_, *ledger_, clock_, sleeper_, {}};
  Result<DoctorReport> r = RunDoctorPass(deps, options_);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find(kSubnetA), std::string::npos);
}

TEST_F(DoctorTest, AGlueFailureIsAProblemInTheReport) {
  options_.jobs = {"etl"};
  class FailingGlue final : public GlueApi {
   public:
    Result<Session> GetSession(const std::string&) override { return Status::Unavailable("x"); }
    Result<SessionPage> ListSessions(const ListSessionsRequest&) override {
      return Status::PermissionDenied("AccessDeniedException: glue:ListSessions");
    }
    Status StopSession(const std::string&) override { return Status::Unavailable("x"); }
    Status DeleteSession(const std::string&) override { return Status::Unavailable("x"); }
    Result<Job> GetJob(const std::string&) override { return Status::NotFound("Job etl not found"); }
    Result<std::string> StartJobRun(const StartJobRunRequest&) override { return Status::Unavailable("x"); }
    Result<JobRun> GetJobRun(const std::string&, const std::string&) override {
      return Status::Unavailable("x");
    }
    Result<JobRunPage> GetJobRuns(const GetJobRunsRequest&) override { return Status::Unavailable("x"); }
    Result<BatchStopJobRunResult> BatchStopJobRun(const std::string&,
                                                  const std::vector<std::string>&) override {
      return Status::Unavailable("x");
    }
    Result<GlueConnection> GetConnection(const std::string&) override { return Status::Unavailable("x"); }
  } glue;
  const DoctorDeps deps{config_, ec2_, glue, nullptr, &store_, *ledger_, clock_, sleeper_, {}};
  Result<DoctorReport> r = RunDoctorPass(deps, options_);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->problems.size(), 2u);
  EXPECT_NE(r->problems[0].find("GetJob etl"), std::string::npos);
  EXPECT_NE(r->problems[1].find("ListSessions"), std::string::npos);
  EXPECT_TRUE(r->NeedsAttention());
}

TEST(GlueEniRole, ReadsTheRoleFromGluesDescription) {
  EXPECT_EQ(GlueEniRole("Attached to Glue using role: arn:aws:iam::1:role/R"), "arn:aws:iam::1:role/R");
  EXPECT_EQ(GlueEniRole("Glue_abc"), "");
  EXPECT_EQ(GlueEniRole("ELB app/x"), "");
}

TEST(DoctorFormat, TheJsonSaysWhetherSomethingNeedsAttention) {
  DoctorReport r;
  r.actions.push_back(DoctorAction{"delete-eni", "eni-1", "planned", "why", 0});
  const std::string json = FormatDoctorJson(r);
  EXPECT_NE(json.find("\"needs_attention\": true"), std::string::npos) << json;
  EXPECT_NE(json.find("ec2:DeleteNetworkInterface"), std::string::npos);
  EXPECT_NE(FormatDoctorTable(r).find("needs attention"), std::string::npos);
}

}  // namespace
}  // namespace glueguard
