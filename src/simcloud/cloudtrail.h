// CloudTrail as simcloud plays it: the event CloudTrail records for a successful glue:CreateSession, in the
// shape EventBridge delivers it ("AWS API Call via CloudTrail"; aws-protocol-facts §4), and an emitter that
// delivers each event onto an SQS queue and, optionally, POSTs it to a URL.
//
// The event is built from the CreateSession call as Glue saw it: the request body (PascalCase, as sent) and
// Glue's reply. CloudTrail renders both in lowerCamelCase member names; map keys (DefaultArguments, Tags) are
// data and stay as sent. Absent request members stay absent. The reply's CreatedOn becomes CloudTrail's
// locale-style string ("Nov 23, 2026, 8:20:35 AM").
//
// Not modelled: events of failed calls (responseElements null with errorCode), tlsDetails, other operations.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/log.h"
#include "base/mutex.h"
#include "base/random.h"
#include "base/status.h"
#include "base/time.h"
#include "net/http.h"
#include "simcloud/sqs_service.h"
#include "simcloud/wire.h"

namespace glueguard {

// Who made the call, as CloudTrail's detail.userIdentity describes them.
struct CloudTrailIdentity {
  std::string type;          // "IAMUser" or "AssumedRole"
  std::string principal_id;  // IAMUser: "AIDA..."; AssumedRole: "AROA...:<session name>"
  std::string arn;
  std::string account_id;
  std::string access_key_id;
  std::string user_name;  // IAMUser only
  // AssumedRole only: the role the session was issued for (sessionContext.sessionIssuer) and when.
  std::string role_name;
  std::string role_id;  // "AROA..."
  Time session_created{};
};

// The identity of a verified caller: an IAM user (principalId as StsService reports it, userName from the
// ARN's "user/<name>").
CloudTrailIdentity IamUserIdentity(const Caller& caller);
// An AssumedRole identity for `engineer` ("jane.doe") in the DataEngineer role of `account_id`: principalId
// "AROA...:jane.doe@example.com", ARN arn:aws:sts::<account>:assumed-role/DataEngineer/jane.doe@example.com.
// Stable: the same engineer always gets the same ids.
CloudTrailIdentity DataEngineerIdentity(std::string_view account_id, std::string_view engineer,
                                        Time session_created);
// A made-up data engineer for `key` (a session id): one of a fixed set of names, the same for the same key.
std::string DataEngineerFor(std::string_view key);

// One successful CreateSession call.
struct CreateSessionRecord {
  std::string request_json;   // the request body as sent: a JSON object with the model's PascalCase members
  std::string response_json;  // Glue's reply: {"Session":{...}}
  CloudTrailIdentity identity;
  std::string account_id;  // the account the event is recorded in
  std::string region;
  Time event_time{};
  std::string request_id;  // the call's x-amzn-RequestId; drawn at random when empty
  std::string source_ip_address = "203.0.113.10";
  std::string user_agent = "aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64.debian.12";
};

// The EventBridge event for `record` as JSON text. `random` draws the event id and the eventID (UUIDs).
// InvalidArgument, naming the problem, when request_json or response_json is not a JSON object or the reply
// has no Session object.
Result<std::string> BuildCreateSessionEvent(const CreateSessionRecord& record, Random& random);

// The request's members as CloudTrail renders requestParameters: the CreateSession model's members with
// lowerCamelCase names, nested structures (Command, Connections) converted member by member, map members
// (DefaultArguments, Tags) copied as they are; members outside the model are left out. InvalidArgument when
// `request_json` is not a JSON object.
Result<std::string> CreateSessionRequestParameters(std::string_view request_json);

// "2026-11-23T08:20:35Z" (whole seconds, UTC).
std::string CloudTrailTime(Time t);
// "Nov 23, 2026, 8:20:35 AM" (UTC): how CloudTrail renders timestamps inside responseElements.
std::string CloudTrailDisplayTime(Time t);

struct CloudTrailEmitterOptions {
  std::string queue_name = "glueguard-cloudtrail";  // the SQS queue events go to; created at construction
  std::string post_url;                             // also POST each event here (JSON body); empty = don't
  Duration post_timeout = std::chrono::seconds(2);  // connect and whole-exchange limit of one POST
  size_t max_pending_posts = 1000;  // POSTs waiting beyond this are discarded (counted as post failures)
  double drop_rate = 0;             // share of events dropped before delivery, 0..1 (best-effort delivery)
  size_t recent_capacity = 100;     // events kept for Recent()
  // Where delivery failures are reported; standard error when unset. Called from the emitting or the POST
  // thread.
  Log log;
};

struct CloudTrailStats {
  int64_t emitted = 0;             // events built
  int64_t dropped = 0;             // not delivered anywhere (drop_rate)
  int64_t delivered_to_queue = 0;  // put on the SQS queue
  int64_t queue_failures = 0;      // the queue refused it
  int64_t posted = 0;              // POSTed and answered 2xx
  int64_t post_failures = 0;       // no answer, a non-2xx answer, or discarded while too many were waiting
};

struct RecentCloudTrailEvent {
  std::string event_json;
  bool dropped = false;
};

// Delivers CreateSession events. Delivery is best effort, as CloudTrail's is: a dropped event, a queue that
// refuses it or a failed POST is counted and logged, never reported to the caller. The SQS delivery happens
// in the calling thread (in process, fast); POSTs happen on the emitter's own thread, so an unreachable URL
// never holds up the Glue call that emitted the event. Thread-safe.
class CloudTrailEmitter {
 public:
  // Creates the queue options.queue_name on `sqs`; InvalidArgument for a queue name SQS refuses or a
  // drop_rate outside 0..1. `sqs`, `transport` (POSTs) and `random` (drop draws, event ids; used under the
  // emitter's lock, so it need only be thread-safe when shared with others) must outlive the emitter.
  static Result<std::unique_ptr<CloudTrailEmitter>> Create(SqsService& sqs, HttpTransport& transport,
                                                           Random& random, CloudTrailEmitterOptions options);
  // Lets a POST in progress finish (bounded by post_timeout), discards those still waiting, and stops the
  // POST thread.
  ~CloudTrailEmitter();
  CloudTrailEmitter(const CloudTrailEmitter&) = delete;
  CloudTrailEmitter& operator=(const CloudTrailEmitter&) = delete;

  // Builds the event for `record` and delivers it. InvalidArgument (and nothing delivered or counted) when
  // the record cannot be turned into an event; Ok otherwise, whatever became of the delivery.
  Status Emit(const CreateSessionRecord& record) GG_EXCLUDES(mu_);
  // Waits until every POST handed over so far has been tried, and a failed one reported. For tests and
  // shutdown.
  void Flush() GG_EXCLUDES(mu_);

  CloudTrailStats stats() const GG_EXCLUDES(mu_);
  // The last options.recent_capacity events, oldest first, dropped ones included (marked).
  std::vector<RecentCloudTrailEvent> Recent() const GG_EXCLUDES(mu_);
  // {"queue": ..., "stats": {...}, "events": [{"dropped": bool, "event": {...}}, ...]} for an inspection
  // endpoint.
  std::string InspectionJson() const GG_EXCLUDES(mu_);
  const std::string& queue_name() const { return options_.queue_name; }

 private:
  CloudTrailEmitter(SqsService& sqs, HttpTransport& transport, Random& random,
                    CloudTrailEmitterOptions options);
  void PostLoop() GG_EXCLUDES(mu_);
  void Report(std::string_view message) const;

  SqsService& sqs_;
  HttpTransport& transport_;
  Random& random_;
  const CloudTrailEmitterOptions options_;

  mutable Mutex mu_;
  CloudTrailStats stats_ GG_GUARDED_BY(mu_);
  std::deque<RecentCloudTrailEvent> recent_ GG_GUARDED_BY(mu_);
  std::deque<std::string> pending_posts_ GG_GUARDED_BY(mu_);
  bool posting_ GG_GUARDED_BY(mu_) = false;  // the POST thread is sending one
  bool stopping_ GG_GUARDED_BY(mu_) = false;
  CondVar post_ready_;       // a POST was queued, or stopping
  CondVar post_done_;        // the POST queue may have drained
  std::thread post_thread_;  // runs only when options.post_url is set
};

}  // namespace glueguard
