// simcloud's Glue: the Glue JSON 1.1 operations glueguard uses (X-Amz-Target AWSGlue.<Op>), answered from a
// SimWorld. Request and reply members are the Glue model's, PascalCase (aws-protocol-facts §1.5, §2.3);
// timestamps are epoch seconds as JSON numbers.
//
// Operations: CreateSession, GetSession, ListSessions, StopSession, DeleteSession, GetJob, StartJobRun,
// GetJobRun, GetJobRuns, BatchStopJobRun, GetConnection. A successful CreateSession is recorded in CloudTrail
// (the emitter's event carries the request as sent and the reply); so are the sessions the workload creates
// by itself, as made-up data engineers (AssumedRole identities) creating them from notebooks.
//
// Errors, HTTP 400 with {"__type": code, "message": ...}:
//   EntityNotFoundException       an unknown session, job, run or connection
//   AlreadyExistsException        CreateSession with an id in use
//   IllegalSessionStateException  StopSession on a session that has already stopped
//   InvalidInputException         a body that is not a JSON object, a missing required member, a member of
//   the
//                                 wrong type or out of range (MaxResults outside 1..1000), a bad NextToken
//   InternalServiceException      (HTTP 500) a World failure none of the above describes
// Not modelled: job bookmarks, triggers, Spark UI, DPU-seconds, StartJobRun's JobRunId retries, the other
// Glue operations (answered UnknownOperationException by the front), tags on anything but sessions.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "simcloud/cloudtrail.h"
#include "simcloud/sim_world.h"
#include "simcloud/wire.h"

namespace glueguard {

struct GlueServiceOptions {
  int default_page_size = 100;  // ListSessions / GetJobRuns page size when MaxResults is absent
  // CloudTrail's sourceIPAddress and userAgent for sessions created through the API.
  std::string source_ip_address = "203.0.113.10";
  std::string user_agent = "aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64.debian.12";
};

// Thread-safe: every access to the world goes through SimWorld::With; CloudTrail events are emitted outside
// the world's lock for API calls and under it (SimWorld's callback) for the workload's own sessions.
class GlueService final : public ServiceHandler {
 public:
  // `sim` and `cloudtrail` must outlive the service. Registers itself as sim's OnSessionCreated callback, so
  // it must be constructed before the world first runs (before any SimWorld::With), and only one GlueService
  // may serve a SimWorld.
  GlueService(SimWorld& sim, CloudTrailEmitter& cloudtrail, GlueServiceOptions options = {});

  bool Handles(std::string_view operation) const override;
  ServerResponse Handle(const AwsCall& call) override;

 private:
  using Op = ServerResponse (GlueService::*)(const AwsCall& call);
  // Every operation, by name.
  static const std::map<std::string, Op, std::less<>>& Operations();

  ServerResponse CreateSession(const AwsCall& call);
  ServerResponse GetSession(const AwsCall& call);
  ServerResponse ListSessions(const AwsCall& call);
  ServerResponse StopSession(const AwsCall& call);
  ServerResponse DeleteSession(const AwsCall& call);
  ServerResponse GetJob(const AwsCall& call);
  ServerResponse StartJobRun(const AwsCall& call);
  ServerResponse GetJobRun(const AwsCall& call);
  ServerResponse GetJobRuns(const AwsCall& call);
  ServerResponse BatchStopJobRun(const AwsCall& call);
  ServerResponse GetConnection(const AwsCall& call);

  // Emits the CloudTrail event of a session the workload created. Called under the world's lock.
  void RecordWorkloadSession(World& world, const SimSession& session);

  SimWorld& sim_;
  CloudTrailEmitter& cloudtrail_;
  const GlueServiceOptions options_;
};

}  // namespace glueguard
