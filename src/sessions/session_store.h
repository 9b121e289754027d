// SessionStore: what session boundaries remember so that no event is lost and none acts twice — the dedupe
// ledger (event ids claimed, handled, sessions known), the inbox (events accepted and not yet handled) and
// the dead letters (events that could not be handled, with their error, until they are replayed). Memory,
// SQLite (the same file as the observation store, tables of its own) and DynamoDB share one contract test.
//
// Each concern is an interface of its own (EventLedger, EventInbox, DeadLetterStore), so a part takes only
// what it uses, and a deployment may park the dead letters elsewhere (an SQS queue,
// sessions.dead_letter_queue_url) while the rest stays in the store.
//
// Every method is thread-safe. Errors: Unavailable when the backing store cannot be reached, Internal when it
// holds something unreadable, InvalidArgument for bad input (an empty event id).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace glueguard {

// Whether an event id may be handled now.
enum class ClaimResult {
  kClaimed,     // first time seen (or its last claim went stale, or was released): handle it
  kDone,        // already handled within the dedupe window: a duplicate
  kInProgress,  // claimed by another handler that has not finished: a duplicate delivered concurrently
};

// An event accepted (POST /v1/events answers at once) and not yet handled.
struct InboxItem {
  int64_t id = 0;
  std::string source;
  std::string body;
  Time received_at{};
};

// An event that could not be handled, parked with why.
struct DeadLetter {
  int64_t id = 0;        // assigned by the store
  std::string event_id;  // empty when the event could not be parsed
  std::string source;    // where it came from: http, sqs, lambda, reconcile, file
  std::string body;      // the event exactly as received
  std::string error;     // the last error, for people
  int attempts = 0;      // how many times handling was tried
  Time parked_at{};
  int replays = 0;  // replays tried that failed again
};

// Where events that could not be handled are parked until they are replayed.
class DeadLetterStore {
 public:
  virtual ~DeadLetterStore() = default;

  // Parks an event; returns its id.
  virtual Result<int64_t> Park(const DeadLetter& letter) = 0;
  // Up to `limit` parked events, oldest first.
  virtual Result<std::vector<DeadLetter>> DeadLetters(int limit) = 0;
  virtual Result<std::optional<DeadLetter>> FindDeadLetter(int64_t id) = 0;
  // Removes a parked event (replayed). NotFound when there is none with that id.
  virtual Status RemoveDeadLetter(int64_t id) = 0;
  // Records a failed replay: the error and one more replay.
  virtual Status UpdateDeadLetter(int64_t id, const std::string& error) = 0;
  virtual Result<int64_t> DeadLetterCount() = 0;
};

// The dedupe ledger: which events were claimed and handled, and which sessions an event announced.
class EventLedger {
 public:
  virtual ~EventLedger() = default;

  // Claims `event_id` for handling at `now`. A claim still in progress older than `stale_after` is taken
  // over (its handler died). A done record older than `window` no longer counts, so the event is claimed.
  virtual Result<ClaimResult> Claim(const std::string& event_id, Time now, Duration window,
                                    Duration stale_after) = 0;
  // Records the claimed event as handled with `outcome` (compliant, violation, ignored, ...).
  virtual Status MarkDone(const std::string& event_id, const std::string& outcome, Time now) = 0;
  // Forgets a claim that failed, so a replay or redelivery can claim it again.
  virtual Status Release(const std::string& event_id) = 0;
  // Forgets every claim not marked done; returns how many. For a process starting up: claims left by one that
  // died mid-handling would otherwise keep their events from being handled until the claims go stale.
  virtual Result<int64_t> ReleaseUnfinishedClaims() = 0;
  // Whether a session id was announced by an event already handled (the reconcile sweep skips those).
  virtual Status RememberSession(const std::string& session_id, Time now) = 0;
  virtual Result<bool> SessionKnown(const std::string& session_id) = 0;
  // Deletes dedupe records and known sessions older than `cutoff`; returns how many.
  virtual Result<int64_t> ExpireBefore(Time cutoff) = 0;
};

// The inbox: events accepted and waiting for a worker, kept across restarts.
class EventInbox {
 public:
  virtual ~EventInbox() = default;

  // Returns the new item's id.
  virtual Result<int64_t> Enqueue(const std::string& source, const std::string& body, Time now) = 0;
  // Up to `limit` waiting events, oldest first.
  virtual Result<std::vector<InboxItem>> Pending(int limit) = 0;
  // Removes a handled event from the inbox (no error when it is gone already).
  virtual Status Dequeue(int64_t id) = 0;
};

// The three together, in one backend: what session boundaries open from the configuration.
class SessionStore : public EventLedger, public EventInbox, public DeadLetterStore {};

// In memory: for tests, demos, and the "memory" store kind.
std::unique_ptr<SessionStore> NewMemorySessionStore();

// Opens (creating if needed) the session tables in the SQLite database at `path` (":memory:" for a private
// one). Unavailable when the file cannot be opened.
Result<std::unique_ptr<SessionStore>> OpenSqliteSessionStore(const std::string& path);

}  // namespace glueguard
