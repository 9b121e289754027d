// The one event session boundaries act on: a CloudTrail record of glue:CreateSession as EventBridge delivers
// it
// ("AWS API Call via CloudTrail", detail in CloudTrail's lowerCamelCase), parsed defensively: every member
// may be absent, and a member of the wrong JSON type is an error that names it.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace glueguard {

// What a CreateSession call asked for (detail.requestParameters; a member the request left out is taken from
// detail.responseElements.session, what Glue reports it applied), or what GetSession shows of a live session.
// Members absent from both stay absent: Glue fills in its defaults, which the policy knows
// (GlueSessionDefaults).
struct SessionRequest {
  std::string id;    // requestParameters.id, else responseElements.session.id
  std::string role;  // the role the session runs as
  std::optional<int> number_of_workers;
  std::optional<std::string> worker_type;
  std::optional<double> max_capacity;  // DPUs, when asked for instead of workers
  std::optional<int> idle_timeout_minutes;
  std::optional<int> timeout_minutes;
  std::optional<std::vector<std::string>> connections;  // connections.connections
  std::optional<std::string> glue_version;
  std::map<std::string, std::string> tags;
  bool tags_known = true;     // false for a session seen through GetSession (which does not return tags)
  bool timeout_known = true;  // false likewise: a Session has no Timeout member
};

// A CreateSession event.
struct SessionEvent {
  std::string event_id;     // detail.eventID; the envelope's id when CloudTrail's is missing. The dedupe key.
  std::string account;      // envelope account, else detail.recipientAccountId
  std::string region;       // envelope region, else detail.awsRegion
  Time event_time{};        // detail.eventTime, else the envelope's time; the epoch when neither parses
  std::string creator_arn;  // detail.userIdentity.arn
  std::string creator;      // a person's name for messages: the part after ':' of principalId when it has
                            // one ("jane.doe@example.com"), else tags.owner, else userIdentity.userName,
                            // else the ARN, else "an unknown caller"
  SessionRequest request;
};

// The outcome of reading one event: either a CreateSession to evaluate, or a reason it is not one.
struct ParsedEvent {
  std::optional<SessionEvent> event;  // set for a successful glue:CreateSession
  std::string ignored;                // set otherwise: "not a Glue event (source aws.s3)", "CreateSession
                                      // failed: AccessDeniedException", "not CreateSession (StopSession)"
};

// The largest event ParseSessionEvent reads: twice EventBridge's 256 KB limit on an event entry, so every
// event EventBridge can deliver (its envelope adds a few hundred bytes) fits with room to spare.
inline constexpr size_t kMaxSessionEventBytes = 512 * 1024;

// Parses one event (the EventBridge envelope, or a bare CloudTrail record with eventSource/eventName at the
// top). A JSON null counts as absent. InvalidArgument naming the problem for text larger than
// kMaxSessionEventBytes, text that is not a JSON object, an object that is neither an EventBridge event (no
// `detail`) nor a CloudTrail record (no `eventSource`), a successful CreateSession that names no session id,
// and members of the wrong type ("detail.requestParameters.numberOfWorkers: expected a number, got a
// string"). Never throws.
Result<ParsedEvent> ParseSessionEvent(std::string_view json);

}  // namespace glueguard
