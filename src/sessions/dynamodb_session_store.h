// The session store on DynamoDB, shared by every `serve` replica: an event delivered to several of them is
// acted on once, an event accepted by a replica that dies before handling it is handled by another, and the
// dead letters are one list whichever replica parked them.
//
// Two tables, named in the configuration:
//   store.tables.sessions  partition pk (S): "event#<id>" for an event's claim or record, "session#<id>" for
//                          a known session. A claim is a conditional update (free, stale, or done before the
//                          dedupe window).
//   store.tables.queue     partition queue (S), sort id (N): queue "inbox" holds events accepted and not yet
//                          handled, queue "dead" the parked ones. An id is the time in epoch ms x 1000 plus
//                          a random 0-999, written with a condition that it is new, so ids are unique across
//                          replicas and each queue reads oldest first.
// Every item carries expires_at (epoch seconds) for DynamoDB's TTL: records and known sessions after the
// retention, queued and parked events after the retention too (a dead letter not replayed by then is gone).
// An event must fit one item: bodies over kMaxQueuedBodyBytes are refused (InvalidArgument).
#pragma once

#include <memory>
#include <string>

#include "aws/dynamodb.h"
#include "config/config.h"
#include "sessions/session_store.h"

namespace glueguard {

// The largest event body the queue keeps: DynamoDB's 400 KB item limit less room for the other attributes.
// EventBridge delivers events of at most 256 KB.
inline constexpr size_t kMaxQueuedBodyBytes = 390 * 1024;

// `dynamodb` must outlive the store. `retention` sets the items' TTL (at least the dedupe window).
// ReleaseUnfinishedClaims releases nothing: a claim may be another live replica's, so a dead handler's claim
// is taken over once it is stale instead.
std::unique_ptr<SessionStore> NewDynamoDbSessionStore(DynamoDbApi& dynamodb, const DynamoDbTableNames& tables,
                                                      Duration retention);
// The same, owning its client.
std::unique_ptr<SessionStore> NewDynamoDbSessionStore(std::unique_ptr<DynamoDbApi> dynamodb,
                                                      const DynamoDbTableNames& tables, Duration retention);

}  // namespace glueguard
