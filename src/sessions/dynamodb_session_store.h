// A session store whose dedupe ledger (claims, handled events, known sessions) is a DynamoDB table shared by
// every replica, so that an event delivered to several of them is acted on once. The inbox and the dead
// letters stay in the local store it wraps: they belong to the process that accepted the event.
//
// The table (store.tables.sessions) has one partition key, pk (S): "event#<id>" for an event's claim or
// record, "session#<id>" for a known session. A claim is a conditional update (free, stale, or done before
// the dedupe window); items carry expires_at (epoch seconds) for DynamoDB's TTL.
#pragma once

#include <memory>
#include <string>

#include "aws/dynamodb.h"
#include "sessions/session_store.h"

namespace glueguard {

// `local` and `dynamodb` must outlive the store. `retention` sets the items' TTL (at least the dedupe
// window). ReleaseUnfinishedClaims releases nothing: a claim may be another live replica's, so a dead
// handler's claim is taken over once it is stale instead.
std::unique_ptr<SessionStore> WithDynamoDbLedger(SessionStore& local, DynamoDbApi& dynamodb,
                                                 std::string table, Duration retention);
// The same, owning the local store.
std::unique_ptr<SessionStore> WithDynamoDbLedger(std::unique_ptr<SessionStore> local, DynamoDbApi& dynamodb,
                                                 std::string table, Duration retention);

}  // namespace glueguard
