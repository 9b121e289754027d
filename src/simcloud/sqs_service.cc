// simcloud's SQS: queues, visibility, long polls parked without a thread, and the Query and JSON wire forms.
// One file over 500 lines because every operation works on the same queue state under one lock, and the
// parked long polls are woken from the same place the messages arrive.
#include "simcloud/sqs_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <future>

#include "base/strings.h"

namespace glueguard {

namespace {

using std::chrono::seconds;

constexpr int kMaxMessagesPerReceive = 10;
constexpr int kMaxWaitSeconds = 20;
constexpr int kMaxVisibilityTimeout = 43200;
constexpr int kMaxDelaySeconds = 900;
constexpr std::string_view kReceiptPrefix = "AQEB";
constexpr size_t kReceiptNonceChars = 32;

// Settable queue attributes with their defaults and allowed ranges.
struct AttributeSpec {
  const char* name;
  int default_value;
  int min;
  int max;
};
constexpr AttributeSpec kSettable[] = {
    {"DelaySeconds", 0, 0, kMaxDelaySeconds},
    {"MaximumMessageSize", 262144, 1024, 262144},
    {"MessageRetentionPeriod", 345600, 60, 1209600},
    {"ReceiveMessageWaitTimeSeconds", 0, 0, kMaxWaitSeconds},
    {"VisibilityTimeout", 30, 0, kMaxVisibilityTimeout},
};
constexpr std::string_view kComputed[] = {"ApproximateNumberOfMessages",
                                          "ApproximateNumberOfMessagesNotVisible",
                                          "ApproximateNumberOfMessagesDelayed",
                                          "CreatedTimestamp",
                                          "LastModifiedTimestamp",
                                          "QueueArn"};
constexpr const char* kMessageSystemAttributes[] = {"SenderId", "SentTimestamp", "ApproximateReceiveCount",
                                                    "ApproximateFirstReceiveTimestamp"};

const AttributeSpec* FindSettable(std::string_view name) {
  for (const AttributeSpec& spec : kSettable) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

AwsError NonExistentQueue() {
  return {400, "AWS.SimpleQueueService.NonExistentQueue",
          "The specified queue does not exist for this wsdl version.", true};
}

AwsError InvalidValue(std::string_view name, std::string_view value, std::string_view reason) {
  return InvalidParameterValueError(
      fmt::format("Value {} for parameter {} is invalid. Reason: {}", value, name, reason));
}

// An optional integer parameter in [min, max]; `fallback` when absent.
std::optional<AwsError> IntParam(const AwsCall& call, std::string_view name, int min, int max, int fallback,
                                 int& out) {
  const std::string* text = FindParam(call.params, name);
  out = fallback;
  if (text == nullptr) return std::nullopt;
  const std::optional<int> value = ParseWholeNumber<int>(*text);
  if (!value) return InvalidValue(name, *text, "Must be an integer.");
  if (*value < min || *value > max) {
    return InvalidValue(name, *text, fmt::format("Must be between {} and {}, if provided.", min, max));
  }
  out = *value;
  return std::nullopt;
}

// SQS accepts #x9 | #xA | #xD | #x20 and above (as UTF-8); the other control characters are refused.
std::optional<AwsError> CheckBody(std::string_view body, int max_size) {
  if (body.empty()) return MissingParameterError("MessageBody");
  for (const char c : body) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 && byte != 0x9 && byte != 0xA && byte != 0xD) {
      return AwsError{
          400, "InvalidMessageContents",
          fmt::format("Invalid binary character '#x{:X}' was found in the message body, the set of "
                      "allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | "
                      "#x10000 to #x10FFFF",
                      byte),
          true};
    }
  }
  if (body.size() > static_cast<size_t>(max_size)) {
    return InvalidParameterValueError(fmt::format(
        "One or more parameters are invalid. Reason: Message must be shorter than {} bytes.", max_size));
  }
  return std::nullopt;
}

std::string QueueNameFromUrl(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  const size_t slash = url.rfind('/');
  return std::string(slash == std::string_view::npos ? url : url.substr(slash + 1));
}

bool ValidQueueName(std::string_view name) {
  return !name.empty() && name.size() <= 80 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

std::string Attribute(std::string_view name, std::string_view value) {
  return "<Attribute>" + XmlElement("Name", name) + XmlElement("Value", value) + "</Attribute>";
}

// Whether `name` is among the names asked for: "All" (or ".*") asks for all, "prefix.*" for a prefix.
bool Wants(const std::vector<std::string>& asked, std::string_view name) {
  for (const std::string& a : asked) {
    if (a == "All" || a == ".*" || a == name) return true;
    if (a.size() > 2 && a.ends_with(".*") && name.starts_with(std::string_view(a).substr(0, a.size() - 1))) {
      return true;
    }
  }
  return false;
}

}  // namespace

SqsService::SqsService(Clock& clock, Random& random, SqsServiceOptions options)
    : clock_(clock), random_(random), options_(std::move(options)) {}

const std::map<std::string, SqsService::OpSpec, std::less<>>& SqsService::Operations() {
  static const std::map<std::string, OpSpec, std::less<>> kOperations = {
      {"ChangeMessageVisibility", {&SqsService::ChangeMessageVisibilityOp, true}},
      {"CreateQueue", {&SqsService::CreateQueueOp, false}},
      {"DeleteMessage", {&SqsService::DeleteMessageOp, true}},
      {"DeleteQueue", {&SqsService::DeleteQueueOp, true}},
      {"GetQueueAttributes", {&SqsService::GetQueueAttributesOp, true}},
      {"GetQueueUrl", {&SqsService::GetQueueUrlOp, false}},
      {"ListQueues", {&SqsService::ListQueuesOp, false}},
      {"PurgeQueue", {&SqsService::PurgeQueueOp, true}},
      {"ReceiveMessage", {&SqsService::ReceiveMessageOp, true}},
      {"SendMessage", {&SqsService::SendMessageOp, true}},
      {"SetQueueAttributes", {&SqsService::SetQueueAttributesOp, true}},
  };
  return kOperations;
}

bool SqsService::Handles(std::string_view operation) const { return Operations().contains(operation); }

ServerResponse SqsService::Handle(const AwsCall& call) {
  std::promise<ServerResponse> answer;
  std::future<ServerResponse> answered = answer.get_future();
  HandleAsync(call, [&answer](ServerResponse r) { answer.set_value(std::move(r)); });
  return answered.get();
}

void SqsService::HandleAsync(const AwsCall& call, std::function<void(ServerResponse)> done) {
  const auto it = Operations().find(call.operation);
  if (it == Operations().end()) return done(ErrorResponse(call, UnknownOperationError(call)));
  MutexLock lock(mu_);
  Queue* queue = nullptr;
  if (it->second.needs_queue) {
    AwsError error;
    queue = FindQueue(call, error);
    if (queue == nullptr) {
      lock.Unlock();
      return done(ErrorResponse(call, error));
    }
  }
  if (call.operation != "ReceiveMessage") {
    ServerResponse response = (this->*(it->second.op))(call, queue);
    lock.Unlock();
    return done(std::move(response));
  }
  Poll poll;
  if (std::optional<AwsError> bad = ReadPoll(call, *queue, poll)) {
    lock.Unlock();
    return done(ErrorResponse(call, *bad));
  }
  if (std::optional<ServerResponse> now = TryReceive(poll, clock_.Now())) {
    lock.Unlock();
    return done(std::move(*now));
  }
  // Nothing yet: park it, holding no thread, for the waiter to answer.
  poll.done = std::move(done);
  polls_.push_back(std::move(poll));
  if (!waiter_.joinable()) waiter_ = std::thread([this] { WaitForPolls(); });
  messages_changed_.NotifyAll();
}

void SqsService::WaitForPolls() {
  MutexLock lock(mu_);
  while (true) {
    std::vector<std::pair<std::function<void(ServerResponse)>, ServerResponse>> answers;
    const Time now = clock_.Now();
    for (auto it = polls_.begin(); it != polls_.end();) {
      if (std::optional<ServerResponse> answer = TryReceive(*it, now)) {
        answers.emplace_back(std::move(it->done), std::move(*answer));
        it = polls_.erase(it);
      } else {
        ++it;
      }
    }
    if (!answers.empty()) {
      lock.Unlock();
      for (auto& [done, response] : answers) done(std::move(response));
      lock.Lock();
      continue;  // messages may have arrived meanwhile
    }
    if (shut_down_ && polls_.empty()) return;
    // A send wakes this at once; the recheck notices waits and visibility timeouts ending on the clock.
    messages_changed_.WaitFor(mu_, options_.long_poll_recheck);
  }
}

SqsService::~SqsService() {
  Shutdown();
  if (waiter_.joinable()) waiter_.join();
}

void SqsService::Shutdown() {
  {
    MutexLock lock(mu_);
    shut_down_ = true;
  }
  messages_changed_.NotifyAll();
}

std::string SqsService::QueueUrl(const AwsCall& call, const std::string& name) const {
  return fmt::format("http://{}/{}/{}", call.host.empty() ? "localhost" : call.host, options_.account_id,
                     name);
}

SqsService::Queue* SqsService::FindQueue(const AwsCall& call, AwsError& error) {
  std::string name;
  if (const std::string* url = FindParam(call.params, "QueueUrl")) {
    name = QueueNameFromUrl(*url);
  } else if (!call.path.empty() && call.path != "/") {
    name = QueueNameFromUrl(call.path);
  } else {
    error = MissingParameterError("QueueUrl");
    return nullptr;
  }
  const auto it = queues_.find(name);
  if (it == queues_.end()) {
    error = NonExistentQueue();
    return nullptr;
  }
  return &it->second;
}

void SqsService::Prune(Queue& queue, Time now) {
  const Duration retention = seconds(queue.attributes.at("MessageRetentionPeriod"));
  queue.messages.remove_if([&](const Message& m) { return m.sent + retention <= now; });
}

SqsService::Counts SqsService::CountMessages(const Queue& queue, Time now) {
  Counts counts;
  for (const Message& m : queue.messages) {
    ++(m.visible_at <= now ? counts.visible : m.receive_count > 0 ? counts.in_flight : counts.delayed);
  }
  return counts;
}

std::string SqsService::AddMessage(Queue& queue, std::string body,
                                   std::map<std::string, MessageAttributeValue> attributes,
                                   std::string sender_id, Duration delay) {
  Message message;
  message.id = NewRequestId(random_);
  message.md5_of_body = Md5Hex(body);
  message.body = std::move(body);
  message.attributes = std::move(attributes);
  message.sender_id = std::move(sender_id);
  message.sent = clock_.Now();
  message.visible_at = message.sent + delay;
  queue.messages.push_back(std::move(message));
  messages_changed_.NotifyAll();
  return queue.messages.back().id;
}

SqsService::Queue& SqsService::CreateLocked(const std::string& name) {
  Queue& queue = queues_[name];
  queue.name = name;
  queue.created = queue.last_modified = clock_.Now();
  for (const AttributeSpec& spec : kSettable) queue.attributes[spec.name] = spec.default_value;
  return queue;
}

Status SqsService::CreateQueue(const std::string& name) {
  if (!ValidQueueName(name)) {
    return Status::InvalidArgument(fmt::format(
        "SQS queue name '{}': only letters, digits, hyphens and underscores, 1 to 80 of them", name));
  }
  MutexLock lock(mu_);
  if (!queues_.contains(name)) CreateLocked(name);
  return Status::Ok();
}

Result<std::string> SqsService::Send(const std::string& queue_name, const std::string& body) {
  MutexLock lock(mu_);
  const auto it = queues_.find(queue_name);
  if (it == queues_.end()) return Status::NotFound(fmt::format("SQS queue '{}' does not exist", queue_name));
  Queue& queue = it->second;
  if (std::optional<AwsError> bad = CheckBody(body, queue.attributes.at("MaximumMessageSize"))) {
    return Status::InvalidArgument(
        fmt::format("SQS queue '{}': {}: {}", queue_name, bad->code, bad->message));
  }
  return AddMessage(queue, body, {}, "simcloud", seconds(queue.attributes.at("DelaySeconds")));
}

std::vector<SqsQueueSnapshot> SqsService::Snapshot() const {
  MutexLock lock(mu_);
  const Time now = clock_.Now();
  std::vector<SqsQueueSnapshot> out;
  for (const auto& [name, queue] : queues_) {
    const Counts counts = CountMessages(queue, now);
    SqsQueueSnapshot snapshot{name, counts.visible, counts.in_flight, counts.delayed, {}};
    for (const Message& m : queue.messages) {
      snapshot.messages.push_back({m.id, m.body, m.receive_count, m.visible_at <= now, m.sent});
    }
    out.push_back(std::move(snapshot));
  }
  return out;
}

std::optional<AwsError> SqsService::ReadAttributes(const AwsCall& call, std::map<std::string, int>& out) {
  for (const FormParams& entry : IndexedGroups(call.params, "Attribute")) {
    const std::string* key = FindParam(entry, "Name");
    const std::string* value = FindParam(entry, "Value");
    if (key == nullptr || value == nullptr) continue;
    const AttributeSpec* spec = FindSettable(*key);
    if (spec == nullptr)
      return AwsError{400, "InvalidAttributeName", "Unknown Attribute " + *key + ".", true};
    const std::optional<int> number = ParseWholeNumber<int>(*value);
    if (!number || *number < spec->min || *number > spec->max) {
      return AwsError{400, "InvalidAttributeValue", "Invalid value for the parameter " + *key + ".", true};
    }
    out[*key] = *number;
  }
  return std::nullopt;
}

ServerResponse SqsService::CreateQueueOp(const AwsCall& call, Queue*) {
  const std::string* name = FindParam(call.params, "QueueName");
  if (name == nullptr) return ErrorResponse(call, MissingParameterError("QueueName"));
  if (!ValidQueueName(*name)) {
    return ErrorResponse(call,
                         InvalidParameterValueError("Can only include alphanumeric characters, hyphens, "
                                                    "or underscores. 1 to 80 in length"));
  }
  std::map<std::string, int> requested;
  if (std::optional<AwsError> bad = ReadAttributes(call, requested)) return ErrorResponse(call, *bad);
  if (const auto existing = queues_.find(*name); existing != queues_.end()) {
    for (const auto& [key, value] : requested) {
      if (existing->second.attributes.at(key) != value) {
        return ErrorResponse(call, {400, "QueueAlreadyExists",
                                    "A queue already exists with the same name and a different value for "
                                    "attribute " +
                                        key,
                                    true});
      }
    }
  } else {
    Queue& queue = CreateLocked(*name);
    for (const auto& [key, value] : requested) queue.attributes[key] = value;
  }
  return QueryResponse(call, XmlElement("QueueUrl", QueueUrl(call, *name)));
}

ServerResponse SqsService::GetQueueUrlOp(const AwsCall& call, Queue*) {
  const std::string* name = FindParam(call.params, "QueueName");
  if (name == nullptr) return ErrorResponse(call, MissingParameterError("QueueName"));
  if (!queues_.contains(*name)) return ErrorResponse(call, NonExistentQueue());
  return QueryResponse(call, XmlElement("QueueUrl", QueueUrl(call, *name)));
}

ServerResponse SqsService::ListQueuesOp(const AwsCall& call, Queue*) {
  const std::string* prefix = FindParam(call.params, "QueueNamePrefix");
  std::string result;
  for (const auto& [name, queue] : queues_) {
    if (prefix == nullptr || name.starts_with(*prefix))
      result += XmlElement("QueueUrl", QueueUrl(call, name));
  }
  return QueryResponse(call, result);
}

ServerResponse SqsService::DeleteQueueOp(const AwsCall& call, Queue* queue) {
  queues_.erase(queue->name);
  messages_changed_.NotifyAll();  // long polls on it answer NonExistentQueue
  return QueryResponse(call, "");
}

ServerResponse SqsService::GetQueueAttributesOp(const AwsCall& call, Queue* queue) {
  const std::vector<std::string> asked = IndexedValues(call.params, "AttributeName");
  for (const std::string& name : asked) {
    if (name != "All" && FindSettable(name) == nullptr &&
        std::find(std::begin(kComputed), std::end(kComputed), name) == std::end(kComputed)) {
      return ErrorResponse(call, {400, "InvalidAttributeName", "Unknown Attribute " + name + ".", true});
    }
  }
  const Time now = clock_.Now();
  Prune(*queue, now);
  const Counts counts = CountMessages(*queue, now);
  std::map<std::string, std::string> values;
  for (const auto& [name, value] : queue->attributes) values[name] = std::to_string(value);
  values["ApproximateNumberOfMessages"] = std::to_string(counts.visible);
  values["ApproximateNumberOfMessagesNotVisible"] = std::to_string(counts.in_flight);
  values["ApproximateNumberOfMessagesDelayed"] = std::to_string(counts.delayed);
  values["CreatedTimestamp"] = std::to_string(ToUnixMillis(queue->created) / 1000);
  values["LastModifiedTimestamp"] = std::to_string(ToUnixMillis(queue->last_modified) / 1000);
  values["QueueArn"] =
      fmt::format("arn:aws:sqs:{}:{}:{}", call.caller.region.empty() ? options_.region : call.caller.region,
                  options_.account_id, queue->name);
  std::string result;
  for (const auto& [name, value] : values) {
    if (Wants(asked, name)) result += Attribute(name, value);
  }
  return QueryResponse(call, result);
}

ServerResponse SqsService::SetQueueAttributesOp(const AwsCall& call, Queue* queue) {
  std::map<std::string, int> requested;
  if (std::optional<AwsError> bad = ReadAttributes(call, requested)) return ErrorResponse(call, *bad);
  for (const auto& [key, value] : requested) queue->attributes[key] = value;
  queue->last_modified = clock_.Now();
  return QueryResponse(call, "");
}

ServerResponse SqsService::PurgeQueueOp(const AwsCall& call, Queue* queue) {
  queue->messages.clear();
  return QueryResponse(call, "");
}

ServerResponse SqsService::SendMessageOp(const AwsCall& call, Queue* queue) {
  const std::string* body = FindParam(call.params, "MessageBody");
  if (body == nullptr) return ErrorResponse(call, MissingParameterError("MessageBody"));
  if (std::optional<AwsError> bad = CheckBody(*body, queue->attributes.at("MaximumMessageSize"))) {
    return ErrorResponse(call, *bad);
  }
  int delay = 0;
  if (auto bad =
          IntParam(call, "DelaySeconds", 0, kMaxDelaySeconds, queue->attributes.at("DelaySeconds"), delay)) {
    return ErrorResponse(call, *bad);
  }
  std::map<std::string, MessageAttributeValue> attributes =
      MessageAttributes(call.params, "MessageAttribute");
  for (const auto& [name, value] : attributes) {
    if (value.data_type.empty() || (value.string_value.empty() && value.binary_value.empty())) {
      return ErrorResponse(call, InvalidParameterValueError(fmt::format(
                                     "The message attribute '{}' must contain non-empty message attribute "
                                     "value and type.",
                                     name)));
    }
  }
  const std::string md5_of_attributes = Md5OfMessageAttributes(attributes);
  const std::string id =
      AddMessage(*queue, *body, std::move(attributes), call.caller.access_key_id, seconds(delay));
  std::string result = XmlElement("MD5OfMessageBody", Md5Hex(*body));
  if (!md5_of_attributes.empty()) result += XmlElement("MD5OfMessageAttributes", md5_of_attributes);
  return QueryResponse(call, result + XmlElement("MessageId", id));
}

ServerResponse SqsService::ReceiveMessageOp(const AwsCall& call, Queue*) {
  // HandleAsync answers ReceiveMessage itself (ReadPoll, TryReceive); the table names it for Handles().
  return ErrorResponse(call, UnknownOperationError(call));
}

std::optional<AwsError> SqsService::ReadPoll(const AwsCall& call, Queue& queue, Poll& poll) {
  int wait = 0;
  std::optional<AwsError> bad = IntParam(call, "MaxNumberOfMessages", 1, kMaxMessagesPerReceive, 1, poll.max);
  if (!bad) {
    bad = IntParam(call, "WaitTimeSeconds", 0, kMaxWaitSeconds,
                   queue.attributes.at("ReceiveMessageWaitTimeSeconds"), wait);
  }
  if (!bad) {
    bad = IntParam(call, "VisibilityTimeout", 0, kMaxVisibilityTimeout,
                   queue.attributes.at("VisibilityTimeout"), poll.visibility);
  }
  poll.call = call;
  poll.queue_name = queue.name;
  poll.deadline = clock_.Now() + seconds(wait);
  return bad;
}

std::optional<ServerResponse> SqsService::TryReceive(const Poll& poll, Time now) {
  const AwsCall& call = poll.call;
  // The queue may have gone away while the poll waited.
  const auto found = queues_.find(poll.queue_name);
  if (found == queues_.end()) return ErrorResponse(call, NonExistentQueue());
  Queue& queue = found->second;
  Prune(queue, now);
  std::vector<Message*> picked;
  for (Message& m : queue.messages) {
    if (m.visible_at <= now && picked.size() < static_cast<size_t>(poll.max)) picked.push_back(&m);
  }
  if (picked.empty() && !shut_down_ && now < poll.deadline) return std::nullopt;

  std::vector<std::string> system_names = IndexedValues(call.params, "AttributeName");
  for (std::string& n : IndexedValues(call.params, "MessageSystemAttributeName")) system_names.push_back(n);
  const std::vector<std::string> attribute_names = IndexedValues(call.params, "MessageAttributeName");
  std::string result;
  for (Message* m : picked) {
    ++m->receive_count;
    if (!m->first_receive) m->first_receive = now;
    m->visible_at = now + seconds(poll.visibility);
    m->receipt_handle = std::string(kReceiptPrefix) + random_.Hex(kReceiptNonceChars / 2) + m->id;
    result += "<Message>" + XmlElement("MessageId", m->id) + XmlElement("ReceiptHandle", m->receipt_handle) +
              XmlElement("MD5OfBody", m->md5_of_body) + XmlElement("Body", m->body);
    const std::map<std::string, std::string> system = {
        {"SenderId", m->sender_id},
        {"SentTimestamp", std::to_string(ToUnixMillis(m->sent))},
        {"ApproximateReceiveCount", std::to_string(m->receive_count)},
        {"ApproximateFirstReceiveTimestamp", std::to_string(ToUnixMillis(*m->first_receive))}};
    for (const char* attribute : kMessageSystemAttributes) {
      if (Wants(system_names, attribute)) result += Attribute(attribute, system.at(attribute));
    }
    std::map<std::string, MessageAttributeValue> selected;
    for (const auto& [key, value] : m->attributes) {
      if (Wants(attribute_names, key)) selected.emplace(key, value);
    }
    if (!selected.empty()) result += XmlElement("MD5OfMessageAttributes", Md5OfMessageAttributes(selected));
    for (const auto& [key, value] : selected) {
      result += "<MessageAttribute>" + XmlElement("Name", key) + "<Value>" +
                (value.binary_value.empty() ? XmlElement("StringValue", value.string_value)
                                            : XmlElement("BinaryValue", value.binary_value)) +
                XmlElement("DataType", value.data_type) + "</Value></MessageAttribute>";
    }
    result += "</Message>";
  }
  return QueryResponse(call, result);
}

SqsService::Message* SqsService::FindByReceipt(Queue& queue, const std::string& handle, AwsError& error) {
  const AwsError invalid{
      400, "ReceiptHandleIsInvalid",
      fmt::format("The input receipt handle \"{}\" is not a valid receipt handle.", handle), true};
  if (!handle.starts_with(kReceiptPrefix) || handle.size() <= kReceiptPrefix.size() + kReceiptNonceChars) {
    error = invalid;
    return nullptr;
  }
  const std::string id = handle.substr(kReceiptPrefix.size() + kReceiptNonceChars);
  for (Message& m : queue.messages) {
    if (m.id != id) continue;
    if (m.receipt_handle == handle) return &m;
    error = invalid;  // an earlier receive's handle: only the latest one acts on the message
    return nullptr;
  }
  error = {};  // the message is gone (deleted or expired)
  return nullptr;
}

ServerResponse SqsService::DeleteMessageOp(const AwsCall& call, Queue* queue) {
  const std::string* handle = FindParam(call.params, "ReceiptHandle");
  if (handle == nullptr) return ErrorResponse(call, MissingParameterError("ReceiptHandle"));
  AwsError error;
  const Message* message = FindByReceipt(*queue, *handle, error);
  if (message == nullptr && !error.code.empty()) return ErrorResponse(call, error);
  if (message != nullptr) queue->messages.remove_if([&](const Message& m) { return &m == message; });
  return QueryResponse(call, "");  // deleting a message already gone succeeds, as on SQS
}

ServerResponse SqsService::ChangeMessageVisibilityOp(const AwsCall& call, Queue* queue) {
  const std::string* handle = FindParam(call.params, "ReceiptHandle");
  if (handle == nullptr) return ErrorResponse(call, MissingParameterError("ReceiptHandle"));
  if (FindParam(call.params, "VisibilityTimeout") == nullptr) {
    return ErrorResponse(call, MissingParameterError("VisibilityTimeout"));
  }
  int timeout = 0;
  if (auto bad = IntParam(call, "VisibilityTimeout", 0, kMaxVisibilityTimeout, 0, timeout)) {
    return ErrorResponse(call, *bad);
  }
  AwsError error;
  Message* message = FindByReceipt(*queue, *handle, error);
  if (message == nullptr && !error.code.empty()) return ErrorResponse(call, error);
  const Time now = clock_.Now();
  if (message == nullptr || message->visible_at <= now) {
    return ErrorResponse(call,
                         {400, "MessageNotInflight",
                          "Message does not exist or is not available for visibility timeout change.", true});
  }
  message->visible_at = now + seconds(timeout);
  if (timeout == 0) messages_changed_.NotifyAll();
  return QueryResponse(call, "");
}

}  // namespace glueguard
