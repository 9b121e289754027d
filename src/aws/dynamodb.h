// DynamoDB: the table and item operations a store needs. DynamoDbApi is the seam (an in-memory fake and the
// simulator implement it); DynamoDbClient calls DynamoDB (JSON 1.0) through AwsClient. AttributeValue and
// Item are the values items are made of. The reply parsers are public free functions so fuzz targets can
// reach them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace glueguard {

class AwsClient;

// One DynamoDB attribute value: exactly one of S, N, B, BOOL, NULL, SS, NS, BS, L, M. Numbers are kept as the
// decimal text DynamoDB uses (up to 38 digits, more than any C++ number holds); binaries are raw bytes
// (base64 only on the wire). A plain value type: copies are independent, == compares type and contents.
class AttributeValue {
 public:
  enum class Type {
    kNull,
    kString,
    kNumber,
    kBinary,
    kBool,
    kStringSet,
    kNumberSet,
    kBinarySet,
    kList,
    kMap
  };

  AttributeValue() = default;  // NULL

  static AttributeValue String(std::string value);
  static AttributeValue Number(std::string decimal);  // not validated here; DynamoDB refuses a bad one
  static AttributeValue Number(int64_t value);
  static AttributeValue Binary(std::string bytes);
  static AttributeValue Bool(bool value);
  static AttributeValue Null() { return AttributeValue(); }
  static AttributeValue StringSet(std::vector<std::string> values);
  static AttributeValue NumberSet(std::vector<std::string> decimals);
  static AttributeValue BinarySet(std::vector<std::string> values);
  static AttributeValue List(std::vector<AttributeValue> values);
  static AttributeValue Map(std::map<std::string, AttributeValue> values);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }

  // The value when it has that type; nullptr (or nullopt) otherwise.
  const std::string* AsString() const { return type_ == Type::kString ? &scalar_ : nullptr; }
  const std::string* AsNumber() const { return type_ == Type::kNumber ? &scalar_ : nullptr; }
  const std::string* AsBinary() const { return type_ == Type::kBinary ? &scalar_ : nullptr; }
  std::optional<bool> AsBool() const {
    return type_ == Type::kBool ? std::optional<bool>(bool_) : std::nullopt;
  }
  const std::vector<std::string>* AsStringSet() const { return type_ == Type::kStringSet ? &set_ : nullptr; }
  const std::vector<std::string>* AsNumberSet() const { return type_ == Type::kNumberSet ? &set_ : nullptr; }
  const std::vector<std::string>* AsBinarySet() const { return type_ == Type::kBinarySet ? &set_ : nullptr; }
  const std::vector<AttributeValue>* AsList() const { return type_ == Type::kList ? &list_ : nullptr; }
  const std::map<std::string, AttributeValue>* AsMap() const {
    return type_ == Type::kMap ? map_.get() : nullptr;
  }
  // An N holding an integer that fits int64 ("42", "-7"); nullopt for anything else ("1.5", "1e3", an S).
  std::optional<int64_t> AsInt64() const;

  friend bool operator==(const AttributeValue& a, const AttributeValue& b);

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  std::string scalar_;                // S, N, B
  std::vector<std::string> set_;      // SS, NS, BS
  std::vector<AttributeValue> list_;  // L
  // M: shared and immutable, so copies stay cheap and std::map never holds an incomplete type.
  std::shared_ptr<const std::map<std::string, AttributeValue>> map_;
};

// An item, a key, or a set of expression attribute values: attribute name -> value.
using Item = std::map<std::string, AttributeValue>;

// The DynamoDB JSON of a value ({"S":"x"}, {"N":"1"}, {"B":"<base64>"}, ...) and of an item; keys sorted.
// Strings must be UTF-8: invalid bytes are written as U+FFFD.
std::string AttributeValueToJson(const AttributeValue& value);
std::string ItemToJson(const Item& item);
// Parses what ItemToJson writes. InvalidArgument, naming the attribute, for malformed JSON, a value without
// exactly one known type key, a member of the wrong type, invalid base64, or nesting deeper than 32 levels.
Result<Item> ParseItemJson(std::string_view json);

// A key attribute: its name and scalar type, "S", "N" or "B".
struct KeyAttribute {
  std::string name{};
  std::string type = "S";
};

// Every request member has an initialiser, so designated initialisers ({.job_name = "J"}) compile cleanly
// under -Wextra (GCC 12 -Wmissing-field-initializers).
struct CreateTableRequest {
  std::string table_name{};
  KeyAttribute partition_key{};            // KeyType HASH
  std::optional<KeyAttribute> sort_key{};  // KeyType RANGE
  // Billing is always PAY_PER_REQUEST (on-demand): a store has no capacity to plan.
};

struct TableDescription {
  std::string table_name;
  std::string table_status;  // CREATING | UPDATING | DELETING | ACTIVE | ARCHIVING | ... (kept as sent)
  std::string table_arn;
  KeyAttribute partition_key;  // type from AttributeDefinitions; empty when not described
  std::optional<KeyAttribute> sort_key;
  std::string billing_mode;  // BillingModeSummary.BillingMode; empty when DynamoDB did not say
  std::optional<int64_t> item_count;
  Time creation_time{};  // CreationDateTime; the epoch when absent
};

struct TimeToLiveDescription {
  std::string status;          // ENABLING | DISABLING | ENABLED | DISABLED
  std::string attribute_name;  // empty when TTL is disabled
};

// For PutItem, UpdateItem and DeleteItem, whose writes can be conditional. Empty fields are not sent
// (DynamoDB refuses empty maps).
struct PutItemRequest {
  std::string table_name{};
  Item item{};
  std::string condition_expression{};                               // e.g. "attribute_not_exists(pk)"
  std::map<std::string, std::string> expression_attribute_names{};  // "#s" -> "status"
  Item expression_attribute_values{};                               // ":v" -> value
  std::string return_values{};                                      // NONE | ALL_OLD; empty = not sent (NONE)
};

struct GetItemRequest {
  std::string table_name{};
  Item key{};
  bool consistent_read = false;                                     // sent only when true
  std::string projection_expression{};                              // empty = every attribute
  std::map<std::string, std::string> expression_attribute_names{};  // for the projection
};

struct UpdateItemRequest {
  std::string table_name{};
  Item key{};
  std::string update_expression{};  // e.g. "SET #s = :s ADD version :one"
  std::string condition_expression{};
  std::map<std::string, std::string> expression_attribute_names{};
  Item expression_attribute_values{};
  std::string return_values{};  // NONE | ALL_OLD | UPDATED_OLD | ALL_NEW | UPDATED_NEW; empty = not sent
};

struct DeleteItemRequest {
  std::string table_name{};
  Item key{};
  std::string condition_expression{};
  std::map<std::string, std::string> expression_attribute_names{};
  Item expression_attribute_values{};
  std::string return_values{};  // NONE | ALL_OLD; empty = not sent
};

struct QueryRequest {
  std::string table_name{};
  std::string index_name{};                // empty = the table itself
  std::string key_condition_expression{};  // required, e.g. "pk = :pk AND sk > :from"
  std::string filter_expression{};         // applied after Limit: a page may hold fewer items than Limit
  std::string projection_expression{};
  std::map<std::string, std::string> expression_attribute_names{};
  Item expression_attribute_values{};
  bool scan_index_forward = true;  // false = descending sort key; sent only when false
  int limit = 0;                   // items evaluated per page; 0 = not sent
  bool consistent_read = false;    // sent only when true
  Item exclusive_start_key{};      // empty on the first page; the previous page's last_evaluated_key after
};

struct QueryPage {
  std::vector<Item> items;
  int64_t count = 0;          // items returned (after the filter)
  int64_t scanned_count = 0;  // items evaluated (before the filter)
  Item last_evaluated_key;    // empty on the last page
};

// Errors from every method are AwsClient's, with the AWS error code as reason(): a failed ConditionExpression
// is FailedPrecondition with reason "ConditionalCheckFailedException"; a missing table is NotFound
// ("ResourceNotFoundException"); creating a table that exists is InvalidArgument ("ResourceInUseException");
// throttling ("ProvisionedThroughputExceededException", "ThrottlingException") is Unavailable after the
// retries. Internal for a reply that cannot be read; InvalidArgument, without a call, for a table name
// outside 3..255 characters, an empty key or item, or a negative limit. Implementations are thread-safe.
class DynamoDbApi {
 public:
  virtual ~DynamoDbApi() = default;

  // Starts creating a table; it is usable once DescribeTable says ACTIVE.
  virtual Result<TableDescription> CreateTable(const CreateTableRequest& request) = 0;
  virtual Result<TableDescription> DescribeTable(const std::string& table_name) = 0;
  // Turns TTL on or off for `attribute_name` (epoch seconds, N). DynamoDB refuses to enable it twice
  // (ValidationException): check DescribeTimeToLive first.
  virtual Status UpdateTimeToLive(const std::string& table_name, const std::string& attribute_name,
                                  bool enabled) = 0;
  virtual Result<TimeToLiveDescription> DescribeTimeToLive(const std::string& table_name) = 0;
  // Writes an item. Returns Attributes: the old item with ReturnValues ALL_OLD, else empty.
  virtual Result<Item> PutItem(const PutItemRequest& request) = 0;
  // The item, or nullopt when no item has that key.
  virtual Result<std::optional<Item>> GetItem(const GetItemRequest& request) = 0;
  // Updates (or creates) an item. Returns Attributes as ReturnValues asked, else empty.
  virtual Result<Item> UpdateItem(const UpdateItemRequest& request) = 0;
  // Deletes an item; deleting a missing item is ok. Returns the old item with ReturnValues ALL_OLD, else
  // empty.
  virtual Result<Item> DeleteItem(const DeleteItemRequest& request) = 0;
  // One page of items whose key matches, in sort-key order.
  virtual Result<QueryPage> Query(const QueryRequest& request) = 0;
  // One page of every item of the table that matches filter_expression (key_condition_expression and
  // scan_index_forward must be left unset).
  virtual Result<QueryPage> Scan(const QueryRequest& request) = 0;
};

// DynamoDbApi over the DynamoDB JSON 1.0 protocol. Thread-safe when the AwsClient is.
class DynamoDbClient final : public DynamoDbApi {
 public:
  // `aws` must outlive the client.
  explicit DynamoDbClient(AwsClient& aws) : aws_(aws) {}

  Result<TableDescription> CreateTable(const CreateTableRequest& request) override;
  Result<TableDescription> DescribeTable(const std::string& table_name) override;
  Status UpdateTimeToLive(const std::string& table_name, const std::string& attribute_name,
                          bool enabled) override;
  Result<TimeToLiveDescription> DescribeTimeToLive(const std::string& table_name) override;
  Result<Item> PutItem(const PutItemRequest& request) override;
  Result<std::optional<Item>> GetItem(const GetItemRequest& request) override;
  Result<Item> UpdateItem(const UpdateItemRequest& request) override;
  Result<Item> DeleteItem(const DeleteItemRequest& request) override;
  Result<QueryPage> Query(const QueryRequest& request) override;
  Result<QueryPage> Scan(const QueryRequest& request) override;

 private:
  AwsClient& aws_;
};

// Every item the query matches, following LastEvaluatedKey from request.exclusive_start_key until a page
// comes back without one. request.limit bounds each page, not the total. Errors: the first failing page's
// error; Internal when DynamoDB hands back a key it has already given (a pagination loop).
Result<std::vector<Item>> QueryAll(DynamoDbApi& dynamodb, QueryRequest request);
// The same for Scan.
Result<std::vector<Item>> ScanAll(DynamoDbApi& dynamodb, QueryRequest request);

// The JSON body each request is sent as (member names as DynamoDB spells them; keys sorted); exposed for
// tests and the simulator. They do not validate.
std::string CreateTableBody(const CreateTableRequest& request);
std::string PutItemBody(const PutItemRequest& request);
std::string GetItemBody(const GetItemRequest& request);
std::string UpdateItemBody(const UpdateItemRequest& request);
std::string DeleteItemBody(const DeleteItemRequest& request);
std::string QueryBody(const QueryRequest& request);

// Reply parsers: `json` is the body of a 2xx reply. Internal, with a message naming the member and what is
// wrong, for JSON that is malformed or truncated, a reply that is not an object, a missing Table or
// TableDescription, a member of the wrong type, or an attribute value that does not parse. Never throws.
Result<TableDescription> ParseCreateTableResponse(std::string_view json);
Result<TableDescription> ParseDescribeTableResponse(std::string_view json);
Status ParseUpdateTimeToLiveResponse(std::string_view json);
Result<TimeToLiveDescription> ParseDescribeTimeToLiveResponse(std::string_view json);
// PutItem, UpdateItem and DeleteItem: the Attributes, empty when absent.
Result<Item> ParsePutItemResponse(std::string_view json);
Result<Item> ParseUpdateItemResponse(std::string_view json);
Result<Item> ParseDeleteItemResponse(std::string_view json);
// The Item, nullopt when the reply has none (no item with that key).
Result<std::optional<Item>> ParseGetItemResponse(std::string_view json);
Result<QueryPage> ParseQueryResponse(std::string_view json);
Result<QueryPage> ParseScanResponse(std::string_view json);

}  // namespace glueguard
