#include "policy/policy.h"

#include <gtest/gtest.h>

namespace glueguard {
namespace {

SessionRequest Request(int workers, const std::string& type) {
  SessionRequest r;
  r.id = "sess-1";
  r.role = "arn:aws:iam::123456789012:role/GlueRole";
  r.number_of_workers = workers;
  r.worker_type = type;
  r.idle_timeout_minutes = 30;
  r.timeout_minutes = 120;
  r.connections = std::vector<std::string>{"vpc-a"};
  r.glue_version = "4.0";
  r.tags = {{"owner", "jane"}};
  return r;
}

SessionEvent Event(SessionRequest request, const std::string& creator_arn =
                                               "arn:aws:sts::123456789012:assumed-role/DataEngineer/jane") {
  SessionEvent e;
  e.event_id = "e-1";
  e.creator = "jane";
  e.creator_arn = creator_arn;
  e.request = std::move(request);
  return e;
}

TEST(WorkerDpu, KnowsGluesWorkerTypes) {
  EXPECT_EQ(WorkerDpu("G.025X"), 0.25);
  EXPECT_EQ(WorkerDpu("Standard"), 1);
  EXPECT_EQ(WorkerDpu("G.1X"), 1);
  EXPECT_EQ(WorkerDpu("G.2X"), 2);
  EXPECT_EQ(WorkerDpu("Z.2X"), 2);
  EXPECT_EQ(WorkerDpu("G.4X"), 4);
  EXPECT_EQ(WorkerDpu("G.8X"), 8);
  EXPECT_EQ(WorkerDpu("R.8X"), 8);
  EXPECT_FALSE(WorkerDpu("g.1x"));
  EXPECT_FALSE(WorkerDpu("G.3X"));
}

TEST(ResolveSession, FillsInGluesDefaultsAndNamesThem) {
  SessionRequest r;
  r.id = "sess-1";
  const EffectiveSession s = ResolveSession(r, "jane", "arn", GlueSessionDefaults{});
  EXPECT_EQ(s.number_of_workers, 5);
  EXPECT_EQ(s.worker_type, "G.1X");
  EXPECT_EQ(s.dpu, 5);
  EXPECT_EQ(s.timeout_minutes, 2880);
  EXPECT_EQ(s.idle_timeout_minutes, 2880);  // Glue: the session's timeout
  EXPECT_EQ(s.glue_version, "2.0");
  EXPECT_EQ(s.defaulted, (std::vector<std::string>{"worker_type", "number_of_workers", "timeout_minutes",
                                                   "idle_timeout_minutes", "glue_version"}));
}

TEST(ResolveSession, TheIdleTimeoutDefaultsToTheRequestsTimeoutUnlessConfigured) {
  SessionRequest r = Request(2, "G.1X");
  r.idle_timeout_minutes.reset();
  r.timeout_minutes = 90;
  EXPECT_EQ(ResolveSession(r, "", "", GlueSessionDefaults{}).idle_timeout_minutes, 90);
  GlueSessionDefaults d;
  d.idle_timeout_minutes = 15;
  EXPECT_EQ(ResolveSession(r, "", "", d).idle_timeout_minutes, 15);
}

TEST(ResolveSession, MaxCapacityIsTheDpuWhenNoWorkersWereAskedFor) {
  SessionRequest r = Request(2, "G.2X");
  r.number_of_workers.reset();
  r.max_capacity = 10;
  const EffectiveSession s = ResolveSession(r, "", "", GlueSessionDefaults{});
  EXPECT_EQ(s.dpu, 10);
  EXPECT_EQ(s.number_of_workers, 5);
}

TEST(ResolveSession, ASessionReadBackHasNoTimeoutOrTags) {
  SessionRequest r = Request(2, "G.1X");
  r.tags_known = false;
  r.timeout_known = false;
  const EffectiveSession s = ResolveSession(r, "", "", GlueSessionDefaults{});
  EXPECT_FALSE(s.timeout_minutes);
  EXPECT_FALSE(s.tags);
}

TEST(Evaluate, TheMessageSaysWhatWasAskedWhatIsAllowedAndWhatToDo) {
  SessionPolicy policy;
  policy.defaults.max_workers = 10;
  policy.defaults.max_dpu = 20;
  const Evaluation e = Evaluate(policy, Event(Request(40, "G.2X")));
  ASSERT_EQ(e.violations.size(), 2u);
  EXPECT_EQ(e.violations[0].code, "max_workers");
  EXPECT_EQ(e.violations[0].limit, "10");
  EXPECT_EQ(e.violations[0].actual, "40");
  EXPECT_EQ(
      e.violations[0].message,
      "asked for 40 workers; sessions may use at most 10. Create the session with --number-of-workers 10 "
      "or fewer.");
  EXPECT_EQ(e.violations[1].code, "max_dpu");
  EXPECT_EQ(e.violations[1].limit, "20");
  EXPECT_EQ(e.violations[1].actual, "80");
  EXPECT_EQ(e.violations[1].message,
            "asked for 40 G.2X workers (80 DPU); sessions may use at most 20 DPU. Create the session with "
            "--number-of-workers 10 or fewer (G.2X workers have 2 DPU each).");
}

TEST(Evaluate, AWorkerTooLargeForTheDpuLimitAsksForASmallerType) {
  SessionPolicy policy;
  policy.defaults.max_dpu = 4;
  const Evaluation e = Evaluate(policy, Event(Request(1, "G.8X")));
  ASSERT_EQ(e.violations.size(), 1u);
  EXPECT_NE(e.violations[0].message.find("One G.8X worker alone has 8 DPU"), std::string::npos);
}

TEST(Evaluate, AnUnknownWorkerTypeCannotPassADpuLimit) {
  SessionPolicy policy;
  policy.defaults.max_dpu = 100;
  const Evaluation e = Evaluate(policy, Event(Request(1, "X.99X")));
  ASSERT_EQ(e.violations.size(), 1u);
  EXPECT_EQ(e.violations[0].code, "max_dpu");
  EXPECT_EQ(e.violations[0].actual, "unknown");
  EXPECT_TRUE(Evaluate(SessionPolicy{}, Event(Request(1, "X.99X"))).compliant());
}

TEST(Evaluate, ChecksWhichConnectionNotJustThatOneIsAttached) {
  SessionPolicy policy;
  policy.defaults.require_vpc_connection = true;
  policy.defaults.allowed_connections = std::vector<std::string>{"vpc-a", "vpc-b"};
  SessionRequest r = Request(2, "G.1X");
  EXPECT_TRUE(Evaluate(policy, Event(r)).compliant());
  r.connections = std::vector<std::string>{"vpc-a", "public", "other"};
  const Evaluation e = Evaluate(policy, Event(r));
  ASSERT_EQ(e.violations.size(), 1u);
  EXPECT_EQ(e.violations[0].code, "connection_not_allowed");
  EXPECT_EQ(e.violations[0].actual, "public, other");
  EXPECT_EQ(e.violations[0].limit, "vpc-a, vpc-b");
  EXPECT_NE(e.violations[0].message.find("--connections Connections=vpc-a"), std::string::npos);
  r.connections.reset();
  const Evaluation none = Evaluate(policy, Event(r));
  ASSERT_EQ(none.violations.size(), 1u);
  EXPECT_EQ(none.violations[0].code, "vpc_connection_required");
  EXPECT_EQ(none.violations[0].actual, "none");
}

TEST(Evaluate, ADefaultedValueIsNamedAsGluesDefault) {
  SessionPolicy policy;
  policy.defaults.max_idle_timeout_minutes = 60;
  policy.defaults.allowed_glue_versions = std::vector<std::string>{"4.0"};
  SessionRequest r = Request(2, "G.1X");
  r.idle_timeout_minutes.reset();
  r.glue_version.reset();
  const Evaluation e = Evaluate(policy, Event(r));
  ASSERT_EQ(e.violations.size(), 2u);
  EXPECT_EQ(e.violations[0].actual, "120");
  EXPECT_NE(e.violations[0].message.find("Glue's default: the call set no IdleTimeout"), std::string::npos);
  EXPECT_NE(e.violations[1].message.find("Glue's default version 2.0"), std::string::npos);
  EXPECT_NE(e.violations[1].message.find("--glue-version 4.0"), std::string::npos);
}

TEST(Evaluate, RequiredTagsMustBePresentAndNotEmpty) {
  SessionPolicy policy;
  policy.defaults.required_tags = std::vector<std::string>{"owner", "cost-center"};
  SessionRequest r = Request(2, "G.1X");
  r.tags = {{"owner", ""}};
  const Evaluation e = Evaluate(policy, Event(r));
  ASSERT_EQ(e.violations.size(), 2u);
  EXPECT_EQ(e.violations[0].limit, "owner");
  EXPECT_EQ(e.violations[0].actual, "empty");
  EXPECT_EQ(e.violations[1].limit, "cost-center");
  EXPECT_EQ(e.violations[1].actual, "missing");
}

TEST(EvaluateRequest, SkipsWhatGetSessionDoesNotShow) {
  SessionPolicy policy;
  policy.defaults.required_tags = std::vector<std::string>{"owner"};
  policy.defaults.max_timeout_minutes = 60;
  policy.defaults.max_workers = 3;
  SessionRequest r = Request(4, "G.1X");
  r.tags.clear();
  r.tags_known = false;
  r.timeout_known = false;
  const Evaluation e = EvaluateRequest(policy, r, "jane", "");
  ASSERT_EQ(e.violations.size(), 1u);
  EXPECT_EQ(e.violations[0].code, "max_workers");
}

TEST(EffectiveLimits, TheFirstMatchingScopeOverridesOnlyWhatItSets) {
  SessionPolicy policy;
  policy.defaults.max_workers = 10;
  policy.defaults.max_idle_timeout_minutes = 60;
  PolicyScope by_tag;
  by_tag.name = "ml";
  by_tag.tags = {{"team", "ml"}};
  by_tag.limits.max_workers = 50;
  PolicyScope by_role;
  by_role.name = "data-science";
  by_role.arn_pattern = "arn:aws:iam::*:role/DataScience*";
  by_role.limits.max_workers = 20;
  policy.scopes = {by_tag, by_role};

  // The creator's assumed role, as an IAM role ARN, matches.
  Evaluation e = Evaluate(
      policy, Event(Request(15, "G.1X"), "arn:aws:sts::123456789012:assumed-role/DataScienceTeam/li.wei"));
  EXPECT_EQ(e.scope, "data-science");
  EXPECT_EQ(e.limits.max_workers, 20);
  EXPECT_EQ(e.limits.max_idle_timeout_minutes, 60);
  EXPECT_TRUE(e.compliant());
  EXPECT_NE(Evaluate(policy,
                     Event(Request(25, "G.1X"), "arn:aws:sts::123456789012:assumed-role/DataScience/li.wei"))
                .violations[0]
                .message.find("sessions of data-science may use at most 20"),
            std::string::npos);

  // The session's role matches too.
  SessionRequest r = Request(15, "G.1X");
  r.role = "arn:aws:iam::123456789012:role/DataScienceGlue";
  EXPECT_EQ(Evaluate(policy, Event(r)).scope, "data-science");

  // Tags: the first scope wins over the second.
  r.tags["team"] = "ml";
  EXPECT_EQ(Evaluate(policy, Event(r)).scope, "ml");

  // Nothing matches: the defaults.
  e = Evaluate(policy, Event(Request(15, "G.1X")));
  EXPECT_EQ(e.scope, "default");
  EXPECT_EQ(e.violations.size(), 1u);
}

TEST(EffectiveLimits, ATagScopeNeverMatchesASessionWhoseTagsAreUnknown) {
  SessionPolicy policy;
  PolicyScope scope;
  scope.name = "ml";
  scope.tags = {{"team", "ml"}};
  policy.scopes = {scope};
  SessionRequest r = Request(1, "G.1X");
  r.tags = {{"team", "ml"}};
  r.tags_known = false;
  EXPECT_EQ(EvaluateRequest(policy, r, "", "").scope, "default");
}

TEST(ComposeNotice, NamesTheSessionCreatorLimitsExcessAndACompliantCommand) {
  SessionPolicy policy;
  policy.defaults.max_workers = 10;
  policy.defaults.max_dpu = 20;
  policy.defaults.allowed_worker_types = std::vector<std::string>{"G.1X", "G.2X"};
  policy.defaults.max_idle_timeout_minutes = 60;
  policy.defaults.required_tags = std::vector<std::string>{"cost-center"};
  SessionRequest r = Request(40, "G.8X");
  r.idle_timeout_minutes = 600;
  const Evaluation e = Evaluate(policy, Event(r));
  const SessionNotice ended = ComposeNotice(e, true);
  EXPECT_LE(ended.subject.size(), 100u);
  EXPECT_EQ(ended.subject,
            "glueguard: session sess-1 ended: max_workers, max_dpu, worker_type, max_idle_timeout, "
            "required_tag");
  const std::string& body = ended.body;
  EXPECT_NE(body.find("sess-1 breaks 5 limits"), std::string::npos) << body;
  EXPECT_NE(body.find("Created by: jane (arn:aws:sts::123456789012:assumed-role/DataEngineer/jane)"),
            std::string::npos);
  EXPECT_NE(body.find("max_workers: limit 10, actual 40 (30 over)"), std::string::npos) << body;
  EXPECT_NE(body.find("max_dpu: limit 20, actual 320 (300 over)"), std::string::npos);
  EXPECT_NE(body.find("glueguard stopped and deleted the session"), std::string::npos);
  EXPECT_NE(body.find("--worker-type G.1X --number-of-workers 10 --idle-timeout 60 --timeout 120 "
                      "--glue-version 4.0"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("--tags 'cost-center=<value>,owner=jane'"), std::string::npos) << body;

  const SessionNotice reported = ComposeNotice(e, false);
  EXPECT_NE(reported.subject.find("out of bounds"), std::string::npos);
  EXPECT_NE(reported.body.find("left running"), std::string::npos);
}

TEST(ComposeNotice, TheSubjectStaysWithinSnsLimitForALongSessionId) {
  SessionPolicy policy;
  policy.defaults.max_workers = 1;
  SessionRequest r = Request(2, "G.1X");
  r.id = std::string(200, 's');
  const SessionNotice notice = ComposeNotice(Evaluate(policy, Event(r)), true);
  EXPECT_EQ(notice.subject.size(), 100u);
  EXPECT_EQ(notice.subject.substr(97), "...");
}

TEST(ComposeNotice, ACompliantSessionGetsAShortNotice) {
  const SessionNotice notice = ComposeNotice(Evaluate(SessionPolicy{}, Event(Request(2, "G.1X"))), false);
  EXPECT_NE(notice.subject.find("within its limits"), std::string::npos);
}

}  // namespace
}  // namespace glueguard
