// SimCloud: the local cloud. A running simulation (SimWorld) served over AWS's wire protocols by one Front:
// EC2, Glue, SNS, SQS and STS on one endpoint, CloudTrail CreateSession events onto an SQS queue (and a URL),
// fault injection, and inspection endpoints under /_simcloud/:
//   GET  /_simcloud/state     simulated time, each subnet's ENI counts, job runs, sessions
//   GET  /_simcloud/sns       every SNS message published
//   GET  /_simcloud/events    the CloudTrail events emitted (and whether each was dropped)
//   GET  /_simcloud/requests  request counts by service, operation and outcome
//   GET/POST /_simcloud/faults  the fault configuration (and counters)
//   POST /_simcloud/orphans   {"subnet": ID, "count": N}: available Glue ENIs nobody owns (the runbook's
//   orphans) POST /_simcloud/stuck     {"run_id": ID}: a job run hangs in STOPPING until force-stopped
// Thread-safe once started.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "net/http.h"
#include "base/clock.h"
#include "base/random.h"
#include "simcloud/cloudtrail.h"
#include "simcloud/ec2_service.h"
#include "simcloud/front.h"
#include "simcloud/glue_service.h"
#include "simcloud/sim_world.h"
#include "simcloud/sns_service.h"
#include "simcloud/sqs_service.h"
#include "simcloud/sts_service.h"

namespace glueguard {

struct SimCloudOptions {
  FrontOptions front;     // where to listen, test credentials, signature checks
  SimWorldOptions world;  // seed, speed, whether the workload's own arrivals run
  CloudTrailEmitterOptions cloudtrail;
  std::vector<std::string> sns_topics;  // topic ARNs that exist from the start
};

class SimCloud {
 public:
  // Builds every service over `workload`. `workload`, `clock` (the wall clock the simulation follows and the
  // signature skew check uses), `random`, `sleeper` (injected latency) and `transport` (CloudTrail POSTs)
  // must outlive it. InvalidArgument for a bad option (a queue name, a topic ARN, a drop rate).
  static Result<std::unique_ptr<SimCloud>> Create(const Workload& workload, SimCloudOptions options,
                                                  Clock& clock, Random& random, Sleeper& sleeper,
                                                  HttpTransport& transport);
  ~SimCloud();

  Status Start();
  void Stop();
  std::string endpoint() const { return front_->endpoint(); }
  int port() const { return front_->port(); }

  SimWorld& sim() { return *sim_; }
  Front& front() { return *front_; }
  SqsService& sqs() { return *sqs_; }
  SnsService& sns() { return *sns_; }
  CloudTrailEmitter& cloudtrail() { return *cloudtrail_; }

  // The JSON of GET /_simcloud/state.
  std::string StateJson();

 private:
  SimCloud() = default;
  Status RegisterInspection();

  std::unique_ptr<SimWorld> sim_;
  std::unique_ptr<SqsService> sqs_;
  std::unique_ptr<SnsService> sns_;
  std::unique_ptr<StsService> sts_;
  std::unique_ptr<CloudTrailEmitter> cloudtrail_;
  std::unique_ptr<Ec2Service> ec2_;
  std::unique_ptr<GlueService> glue_;
  std::unique_ptr<Front> front_;
};

}  // namespace glueguard
