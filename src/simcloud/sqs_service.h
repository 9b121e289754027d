// simcloud's SQS: in-memory standard queues behind the query protocol Debian's awscli 2.9 speaks (a form POST
// to the endpoint with QueueUrl as a parameter; aws-protocol-facts §2.6), plus a C++ API for simcloud itself
// (CloudTrail events are put on a queue with Send) and a snapshot for the inspection endpoint.
//
// Operations: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, GetQueueAttributes, SetQueueAttributes,
// PurgeQueue, SendMessage, ReceiveMessage (long polls up to 20 s), DeleteMessage, ChangeMessageVisibility.
// Queue URLs are http://<Host header>/<account>/<name>; a queue is found by the last path segment of the
// QueueUrl parameter, or of the request path when there is none. Not modelled: FIFO queues, batches,
// dead-letter queues, permissions, tags.
#pragma once

#include <list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/mutex.h"
#include "base/random.h"
#include "base/status.h"
#include "simcloud/wire.h"

namespace glueguard {

struct SqsServiceOptions {
  std::string account_id = "123456789012";  // the account in queue URLs and ARNs
  std::string region = "us-east-1";         // the region in queue ARNs when the caller's is unknown
  // How often, in real time, a waiting long poll re-reads the injected clock. A send wakes it at once; this
  // bounds how late it notices that its wait (or a message's visibility timeout) ran out on the clock.
  Duration long_poll_recheck = std::chrono::milliseconds(50);
};

struct SqsMessageSnapshot {
  std::string message_id;
  std::string body;
  int receive_count = 0;
  bool visible = false;  // could be received now
  Time sent{};
};

struct SqsQueueSnapshot {
  std::string name;
  int visible = 0;    // ApproximateNumberOfMessages
  int in_flight = 0;  // ApproximateNumberOfMessagesNotVisible: received, visibility timeout running
  int delayed = 0;    // ApproximateNumberOfMessagesDelayed: sent with a delay not yet over
  std::vector<SqsMessageSnapshot> messages;  // in the order sent
};

// Thread-safe: one mutex guards every queue. A long poll that finds nothing is parked, holding no thread; one
// waiter thread (started with the first such poll) answers parked polls when a message becomes receivable,
// their wait ends on the clock, their queue goes away, or the service shuts down.
class SqsService final : public ServiceHandler {
 public:
  // `clock` (message timestamps, visibility, long-poll waits) and `random` (message ids, receipt handles)
  // must outlive the service.
  SqsService(Clock& clock, Random& random, SqsServiceOptions options = {});

  bool Handles(std::string_view operation) const override;
  // Errors as SQS answers them in query mode: AWS.SimpleQueueService.NonExistentQueue (400) for an unknown
  // queue, ReceiptHandleIsInvalid for a receipt handle that is malformed or not the message's latest,
  // MessageNotInflight, MissingParameter, InvalidParameterValue, InvalidAttributeName, QueueAlreadyExists,
  // InvalidMessageContents.
  // Waits for the answer (a long poll blocks the calling thread): for tests and in-process callers.
  ServerResponse Handle(const AwsCall& call) override GG_EXCLUDES(mu_);
  void HandleAsync(const AwsCall& call, std::function<void(ServerResponse)> done) override GG_EXCLUDES(mu_);
  // Answers every parked long poll (with no messages); later receives do not wait.
  void Shutdown() override GG_EXCLUDES(mu_);
  ~SqsService() override;

  // Creates `name` with default attributes; Ok when it already exists. InvalidArgument for a name SQS
  // refuses.
  Status CreateQueue(const std::string& name) GG_EXCLUDES(mu_);
  // Puts `body` on the queue `name` as if SendMessage had; returns the message id. NotFound for an unknown
  // queue, InvalidArgument for a body SQS refuses (empty, too large, characters outside XML's).
  Result<std::string> Send(const std::string& queue_name, const std::string& body) GG_EXCLUDES(mu_);
  // Every queue and message, by queue name.
  std::vector<SqsQueueSnapshot> Snapshot() const GG_EXCLUDES(mu_);

 private:
  struct Message {
    std::string id;
    std::string body;
    std::string md5_of_body;
    std::map<std::string, MessageAttributeValue> attributes;
    std::string sender_id;
    Time sent{};
    Time visible_at{};
    std::optional<Time> first_receive;
    int receive_count = 0;
    std::string receipt_handle;  // the latest; empty until first received
  };
  struct Queue {
    std::string name;
    Time created{};
    Time last_modified{};
    std::map<std::string, int, std::less<>> attributes;  // the settable ones (VisibilityTimeout, ...)
    std::list<Message> messages;                         // in the order sent
  };
  struct Counts {
    int visible = 0;
    int in_flight = 0;
    int delayed = 0;
  };
  // An operation runs with mu_ held and, when it addresses a queue, with that queue found.
  using Op = ServerResponse (SqsService::*)(const AwsCall& call, Queue* queue);
  struct OpSpec {
    Op op;
    bool needs_queue;
  };
  static const std::map<std::string, OpSpec, std::less<>>& Operations();

  ServerResponse CreateQueueOp(const AwsCall& call, Queue*) GG_REQUIRES(mu_);
  ServerResponse GetQueueUrlOp(const AwsCall& call, Queue*) GG_REQUIRES(mu_);
  ServerResponse ListQueuesOp(const AwsCall& call, Queue*) GG_REQUIRES(mu_);
  ServerResponse DeleteQueueOp(const AwsCall& call, Queue* queue) GG_REQUIRES(mu_);
  ServerResponse GetQueueAttributesOp(const AwsCall& call, Queue* queue) GG_REQUIRES(mu_);
  ServerResponse SetQueueAttributesOp(const AwsCall& call, Queue* queue) GG_REQUIRES(mu_);
  ServerResponse PurgeQueueOp(const AwsCall& call, Queue* queue) GG_REQUIRES(mu_);
  ServerResponse SendMessageOp(const AwsCall& call, Queue* queue) GG_REQUIRES(mu_);
  ServerResponse ReceiveMessageOp(const AwsCall& call, Queue* queue) GG_REQUIRES(mu_);
  // A ReceiveMessage whose wait has not ended, with what it asked for.
  struct Poll {
    AwsCall call;
    std::string queue_name;
    int max = 1;
    int visibility = 0;
    Time deadline{};
    std::function<void(ServerResponse)> done;
  };
  // Reads a ReceiveMessage's parameters into `poll` (deadline from the clock); the error to answer otherwise.
  std::optional<AwsError> ReadPoll(const AwsCall& call, Queue& queue, Poll& poll) GG_REQUIRES(mu_);
  // The answer to `poll` when it has one now: messages receivable, its wait over (`now` >= deadline or
  // shutdown), or its queue gone.
  std::optional<ServerResponse> TryReceive(const Poll& poll, Time now) GG_REQUIRES(mu_);
  // The waiter thread: answers parked polls as they become answerable.
  void WaitForPolls() GG_EXCLUDES(mu_);
  ServerResponse DeleteMessageOp(const AwsCall& call, Queue* queue) GG_REQUIRES(mu_);
  ServerResponse ChangeMessageVisibilityOp(const AwsCall& call, Queue* queue) GG_REQUIRES(mu_);

  // The queue `call` addresses, or nullptr and the error to answer.
  Queue* FindQueue(const AwsCall& call, AwsError& error) GG_REQUIRES(mu_);
  // The message whose latest receipt handle is `handle`; nullptr with `error` set for a malformed or stale
  // handle, nullptr with an empty `error` when the message is gone.
  Message* FindByReceipt(Queue& queue, const std::string& handle, AwsError& error) GG_REQUIRES(mu_);
  // Creates `name` with default attributes. REQUIRES: `name` valid and not taken.
  Queue& CreateLocked(const std::string& name) GG_REQUIRES(mu_);
  // Drops messages older than the queue's retention period. REQUIRES: mu_ held.
  static void Prune(Queue& queue, Time now);
  static Counts CountMessages(const Queue& queue, Time now);
  std::string AddMessage(Queue& queue, std::string body,
                         std::map<std::string, MessageAttributeValue> attributes, std::string sender_id,
                         Duration delay) GG_REQUIRES(mu_);
  // Reads the Attribute.N.Name / .Value parameters into `out`; the error to answer for an unknown name or an
  // invalid value.
  static std::optional<AwsError> ReadAttributes(const AwsCall& call, std::map<std::string, int>& out);
  std::string QueueUrl(const AwsCall& call, const std::string& name) const;

  Clock& clock_;
  Random& random_;
  const SqsServiceOptions options_;
  mutable Mutex mu_;
  CondVar messages_changed_;  // signalled when a message may have become receivable
  std::map<std::string, Queue> queues_ GG_GUARDED_BY(mu_);
  bool shut_down_ GG_GUARDED_BY(mu_) = false;
  std::list<Poll> polls_ GG_GUARDED_BY(mu_);  // parked long polls, oldest first
  std::thread waiter_;  // started with the first parked poll; joined on destruction
};

}  // namespace glueguard
