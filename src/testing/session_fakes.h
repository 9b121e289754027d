// Test doubles for session boundaries: a dumb in-memory Glue with error injection, and CreateSession events
// in EventBridge's shape.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/glue.h"
#include "base/clock.h"
#include "base/mutex.h"
#include "base/random.h"
#include "config/config.h"
#include "notify/notifier.h"
#include "sessions/session_store.h"

namespace glueguard::testing {

// A dumb Glue: sessions by id with a status; PROVISIONING turns READY after `provisioning_polls` GetSession
// calls; every call can be made to fail `fail_calls` times.
class FakeGlue final : public GlueApi {
 public:
  void Add(const std::string& id, const std::string& status, int provisioning_polls = 0, Time created = {}) {
    MutexLock lock(mu_);
    Session s;
    s.id = id;
    s.status = status;
    s.role = "arn:aws:iam::123456789012:role/GlueRole";
    s.number_of_workers = 40;
    s.worker_type = "G.1X";
    s.created_on = created;
    sessions_[id] = s;
    polls_left_[id] = provisioning_polls;
  }
  bool Exists(const std::string& id) {
    MutexLock lock(mu_);
    return sessions_.count(id) > 0;
  }
  std::string StatusOf(const std::string& id) {
    MutexLock lock(mu_);
    return sessions_.count(id) > 0 ? sessions_[id].status : "";
  }
  void FailNext(int n, Status error) {
    MutexLock lock(mu_);
    fail_calls_ = n;
    failure_ = std::move(error);
  }
  std::vector<std::string> calls() {
    MutexLock lock(mu_);
    return calls_;
  }

  Result<Session> GetSession(const std::string& id) override {
    MutexLock lock(mu_);
    GG_RETURN_IF_ERROR(Called("GetSession " + id));
    auto it = sessions_.find(id);
    if (it == sessions_.end())
      return Status::NotFound("Session not found").WithReason("EntityNotFoundException");
    if (it->second.status == "PROVISIONING" && polls_left_[id]-- <= 0) it->second.status = "READY";
    return it->second;
  }
  Result<SessionPage> ListSessions(const ListSessionsRequest&) override {
    MutexLock lock(mu_);
    GG_RETURN_IF_ERROR(Called("ListSessions"));
    SessionPage page;
    for (const auto& [id, s] : sessions_) {
      page.ids.push_back(id);
      page.sessions.push_back(s);
    }
    return page;
  }
  Status StopSession(const std::string& id) override {
    MutexLock lock(mu_);
    GG_RETURN_IF_ERROR(Called("StopSession " + id));
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return Status::NotFound("Session not found");
    it->second.status = "STOPPED";
    return Status::Ok();
  }
  Status DeleteSession(const std::string& id) override {
    MutexLock lock(mu_);
    GG_RETURN_IF_ERROR(Called("DeleteSession " + id));
    if (sessions_.erase(id) == 0) return Status::NotFound("Session not found");
    return Status::Ok();
  }
  Result<Job> GetJob(const std::string&) override { return Status::Internal("not used"); }
  Result<std::string> StartJobRun(const StartJobRunRequest&) override { return Status::Internal("not used"); }
  Result<JobRun> GetJobRun(const std::string&, const std::string&) override {
    return Status::Internal("not used");
  }
  Result<JobRunPage> GetJobRuns(const GetJobRunsRequest&) override { return Status::Internal("not used"); }
  Result<BatchStopJobRunResult> BatchStopJobRun(const std::string&,
                                                const std::vector<std::string>&) override {
    return Status::Internal("not used");
  }
  Result<GlueConnection> GetConnection(const std::string&) override { return Status::Internal("not used"); }

 private:
  Status Called(const std::string& call) GG_REQUIRES(mu_) {
    calls_.push_back(call);
    if (fail_calls_ > 0) {
      --fail_calls_;
      return failure_;
    }
    return Status::Ok();
  }
  Mutex mu_;
  std::map<std::string, Session> sessions_ GG_GUARDED_BY(mu_);
  std::map<std::string, int> polls_left_ GG_GUARDED_BY(mu_);
  std::vector<std::string> calls_ GG_GUARDED_BY(mu_);
  int fail_calls_ GG_GUARDED_BY(mu_) = 0;
  Status failure_ GG_GUARDED_BY(mu_);
};

// A CreateSession event in EventBridge's shape.
inline std::string CreateSessionEvent(const std::string& event_id, const std::string& session_id,
                                      int workers) {
  nlohmann::json e = {
      {"version", "0"},
      {"id", "env-" + event_id},
      {"detail-type", "AWS API Call via CloudTrail"},
      {"source", "aws.glue"},
      {"account", "123456789012"},
      {"time", "2026-11-23T08:20:35Z"},
      {"region", "us-east-1"},
      {"resources", nlohmann::json::array()},
      {"detail",
       {{"eventVersion", "1.09"},
        {"userIdentity",
         {{"type", "AssumedRole"},
          {"principalId", "AROAEXAMPLE:jane.doe@example.com"},
          {"arn", "arn:aws:sts::123456789012:assumed-role/DataEngineer/jane.doe@example.com"}}},
        {"eventTime", "2026-11-23T08:20:35Z"},
        {"eventSource", "glue.amazonaws.com"},
        {"eventName", "CreateSession"},
        {"awsRegion", "us-east-1"},
        {"eventID", event_id},
        {"requestParameters",
         {{"id", session_id},
          {"role", "arn:aws:iam::123456789012:role/GlueRole"},
          {"command", {{"name", "glueetl"}, {"pythonVersion", "3"}}},
          {"numberOfWorkers", workers},
          {"workerType", "G.1X"},
          {"idleTimeout", 30},
          {"glueVersion", "4.0"}}},
        {"responseElements", {{"session", {{"id", session_id}, {"status", "PROVISIONING"}}}}}}}};
  return e.dump();
}

// What session boundaries run against in a test: their configuration (configured, the rest default), the
// fake Glue, a recording notifier, a memory store and fake time. A fixture derives from it and sets the
// configuration it needs before building the parts under test.
struct SessionWorld {
  SessionWorld() { config_.configured = true; }

  SessionsConfig config_;
  FakeGlue glue_;
  RecordingNotifier notifier_;
  std::unique_ptr<SessionStore> store_ = NewMemorySessionStore();
  FakeClock clock_;
  FakeSleeper sleeper_{clock_};
  SeededRandom random_{3};
};

}  // namespace glueguard::testing
