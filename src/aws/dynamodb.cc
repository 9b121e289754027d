// The DynamoDB client: the AttributeValue codec, request bodies, reply parsers and the operations. One file
// over 500 lines because the codec's reader is shared by every reply parser and is private to the client.
#include "aws/dynamodb.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "aws/aws_client.h"
#include "aws/service.h"
#include "base/json_limits.h"
#include "formats/json_reply.h"

namespace glueguard {

namespace {

using Json = nlohmann::json;

// DynamoDB's own limit on nested M and L values.
constexpr int kMaxNesting = 32;

std::string Dump(const Json& body) { return body.dump(-1, ' ', false, Json::error_handler_t::replace); }

constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += kBase64Alphabet[(n >> 6) & 63];
    out += kBase64Alphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    const uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += kBase64Alphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

// Standard base64, padded or not; nullopt for any other character, misplaced padding or an impossible length.
std::optional<std::string> Base64Decode(std::string_view text) {
  const size_t last = text.find_last_not_of('=');
  const size_t padding = last == std::string_view::npos ? text.size() : text.size() - last - 1;
  if (padding > 2 || (padding > 0 && text.size() % 4 != 0)) return std::nullopt;
  text.remove_suffix(padding);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else {
      return std::nullopt;
    }
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

Json StringsToJson(const std::vector<std::string>& values, bool base64) {
  Json out = Json::array();
  for (const std::string& v : values) out.push_back(base64 ? Base64Encode(v) : v);
  return out;
}

Json ItemToJsonValue(const Item& item);

Json ValueToJson(const AttributeValue& value) {
  Json out = Json::object();
  switch (value.type()) {
    case AttributeValue::Type::kNull:
      out["NULL"] = true;
      break;
    case AttributeValue::Type::kString:
      out["S"] = *value.AsString();
      break;
    case AttributeValue::Type::kNumber:
      out["N"] = *value.AsNumber();
      break;
    case AttributeValue::Type::kBinary:
      out["B"] = Base64Encode(*value.AsBinary());
      break;
    case AttributeValue::Type::kBool:
      out["BOOL"] = *value.AsBool();
      break;
    case AttributeValue::Type::kStringSet:
      out["SS"] = StringsToJson(*value.AsStringSet(), false);
      break;
    case AttributeValue::Type::kNumberSet:
      out["NS"] = StringsToJson(*value.AsNumberSet(), false);
      break;
    case AttributeValue::Type::kBinarySet:
      out["BS"] = StringsToJson(*value.AsBinarySet(), true);
      break;
    case AttributeValue::Type::kList: {
      Json list = Json::array();
      for (const AttributeValue& v : *value.AsList()) list.push_back(ValueToJson(v));
      out["L"] = std::move(list);
      break;
    }
    case AttributeValue::Type::kMap:
      out["M"] = ItemToJsonValue(*value.AsMap());
      break;
  }
  return out;
}

Json ItemToJsonValue(const Item& item) {
  Json out = Json::object();
  for (const auto& [name, value] : item) out[name] = ValueToJson(value);
  return out;
}

Json StringMapToJson(const std::map<std::string, std::string>& map) {
  Json out = Json::object();
  for (const auto& [k, v] : map) out[k] = v;
  return out;
}

Status Malformed(const std::string& path, std::string_view what) {
  return Status::Internal(fmt::format("{}: {}", path, what));
}

std::string Mismatch(std::string_view expected, const Json& got) {
  return fmt::format("expected {}, got {}", expected, got.type_name());
}

Result<Item> ReadItem(const Json& j, const std::string& path, int depth);

// A list of strings (base64-decoded when `base64`) for SS, NS and BS.
Result<std::vector<std::string>> ReadStrings(const Json& j, const std::string& path, bool base64) {
  if (!j.is_array()) return Malformed(path, Mismatch("a list", j));
  std::vector<std::string> out;
  out.reserve(j.size());
  for (const Json& e : j) {
    const std::string where = fmt::format("{}[{}]", path, out.size());
    if (!e.is_string()) return Malformed(where, Mismatch("a string", e));
    if (!base64) {
      out.push_back(e.get_ref<const std::string&>());
      continue;
    }
    std::optional<std::string> bytes = Base64Decode(e.get_ref<const std::string&>());
    if (!bytes) return Malformed(where, "invalid base64");
    out.push_back(std::move(*bytes));
  }
  return out;
}

Result<AttributeValue> ReadValue(const Json& j, const std::string& path, int depth) {
  if (!j.is_object()) return Malformed(path, Mismatch("an attribute value object", j));
  if (j.size() != 1) return Malformed(path, fmt::format("expected exactly one type key, got {}", j.size()));
  const std::string& tag = j.begin().key();
  const Json& v = j.begin().value();
  const std::string where = fmt::format("{}.{}", path, tag);
  if (tag == "S" || tag == "N" || tag == "B") {
    if (!v.is_string()) return Malformed(where, Mismatch("a string", v));
    const std::string& text = v.get_ref<const std::string&>();
    if (tag == "S") return AttributeValue::String(text);
    if (tag == "N") return AttributeValue::Number(text);
    std::optional<std::string> bytes = Base64Decode(text);
    if (!bytes) return Malformed(where, "invalid base64");
    return AttributeValue::Binary(std::move(*bytes));
  }
  if (tag == "BOOL" || tag == "NULL") {
    if (!v.is_boolean()) return Malformed(where, Mismatch("a boolean", v));
    return tag == "BOOL" ? AttributeValue::Bool(v.get<bool>()) : AttributeValue::Null();
  }
  if (tag == "SS" || tag == "NS" || tag == "BS") {
    Result<std::vector<std::string>> values = ReadStrings(v, where, tag == "BS");
    if (!values.ok()) return values.status();
    if (tag == "SS") return AttributeValue::StringSet(std::move(*values));
    if (tag == "NS") return AttributeValue::NumberSet(std::move(*values));
    return AttributeValue::BinarySet(std::move(*values));
  }
  if (tag == "L" || tag == "M") {
    if (depth > kMaxNesting) {
      return Malformed(where, fmt::format("nested deeper than {} levels", kMaxNesting));
    }
    if (tag == "M") {
      Result<Item> map = ReadItem(v, where, depth + 1);
      if (!map.ok()) return map.status();
      return AttributeValue::Map(std::move(*map));
    }
    if (!v.is_array()) return Malformed(where, Mismatch("a list", v));
    std::vector<AttributeValue> list;
    list.reserve(v.size());
    for (const Json& e : v) {
      Result<AttributeValue> element = ReadValue(e, fmt::format("{}[{}]", where, list.size()), depth + 1);
      if (!element.ok()) return element.status();
      list.push_back(std::move(*element));
    }
    return AttributeValue::List(std::move(list));
  }
  return Malformed(path, fmt::format("unknown attribute type \"{}\"", tag));
}

Result<Item> ReadItem(const Json& j, const std::string& path, int depth) {
  if (!j.is_object()) return Malformed(path, Mismatch("an object of attributes", j));
  Item item;
  for (auto it = j.begin(); it != j.end(); ++it) {
    Result<AttributeValue> value = ReadValue(*it, fmt::format("{}.{}", path, it.key()), depth);
    if (!value.ok()) return value.status();
    item.emplace(it.key(), std::move(*value));
  }
  return item;
}

// An attribute value nests two JSON levels per DynamoDB level ({"M": {...}}) and DynamoDB allows 32; the
// reply's own envelope adds a few. Deeper text is refused before parsing; the 32-level rule is checked on the
// parsed attribute values, with its own message.
constexpr int kMaxReplyJsonDepth = 2 * 32 + 16;

Result<Json> ParseObject(std::string_view text) { return ParseJsonReplyObject(text, kMaxReplyJsonDepth); }

// The member `key` of `object`, or nullptr when it is absent or null.
const Json* Find(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

Status ReadString(const Json& object, const char* key, const std::string& path, std::string& out) {
  const Json* v = Find(object, key);
  if (v == nullptr) return Status::Ok();
  if (!v->is_string()) return Malformed(path + key, Mismatch("a string", *v));
  out = v->get_ref<const std::string&>();
  return Status::Ok();
}

Status ReadInt64(const Json& object, const char* key, const std::string& path, std::optional<int64_t>& out) {
  const Json* v = Find(object, key);
  if (v == nullptr) return Status::Ok();
  if (v->is_number_unsigned() &&
      v->get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    out = static_cast<int64_t>(v->get<uint64_t>());
  } else if (v->is_number_integer() && !v->is_number_unsigned()) {
    out = v->get<int64_t>();
  } else {
    return Malformed(path + key, Mismatch("a 64-bit integer", *v));
  }
  return Status::Ok();
}

Status ReadEpochSeconds(const Json& object, const char* key, const std::string& path, Time& out) {
  const Json* v = Find(object, key);
  if (v == nullptr) return Status::Ok();
  if (!v->is_number()) return Malformed(path + key, Mismatch("a number (epoch seconds)", *v));
  const double seconds = v->get<double>();
  if (!std::isfinite(seconds) || std::fabs(seconds) > 1e11)
    return Malformed(path + key, "epoch seconds out of range");
  out = FromUnixMillis(std::llround(seconds * 1000.0));
  return Status::Ok();
}

// An optional member holding an item (Attributes, Item, LastEvaluatedKey); left empty when absent.
Status ReadItemMember(const Json& object, const char* key, const std::string& path, Item& out) {
  const Json* v = Find(object, key);
  if (v == nullptr) return Status::Ok();
  Result<Item> item = ReadItem(*v, path + key, 1);
  if (!item.ok()) return item.status();
  out = std::move(*item);
  return Status::Ok();
}

// A list of objects: calls `each(element, path)` for each, stopping at the first error.
template <typename Each>
Status ReadObjects(const Json& object, const char* key, const std::string& path, Each&& each) {
  const Json* v = Find(object, key);
  if (v == nullptr) return Status::Ok();
  if (!v->is_array()) return Malformed(path + key, Mismatch("a list", *v));
  size_t i = 0;
  for (const Json& e : *v) {
    const std::string where = fmt::format("{}{}[{}]", path, key, i++);
    if (!e.is_object()) return Malformed(where, Mismatch("an object", e));
    GG_RETURN_IF_ERROR(each(e, where + "."));
  }
  return Status::Ok();
}

Result<TableDescription> ReadTable(const Json& reply, const char* wrapper) {
  const Json* table = Find(reply, wrapper);
  if (table == nullptr) return Malformed(wrapper, "missing");
  if (!table->is_object()) return Malformed(wrapper, Mismatch("an object", *table));
  const std::string path = std::string(wrapper) + ".";
  TableDescription d;
  GG_RETURN_IF_ERROR(ReadString(*table, "TableName", path, d.table_name));
  GG_RETURN_IF_ERROR(ReadString(*table, "TableStatus", path, d.table_status));
  GG_RETURN_IF_ERROR(ReadString(*table, "TableArn", path, d.table_arn));
  GG_RETURN_IF_ERROR(ReadInt64(*table, "ItemCount", path, d.item_count));
  GG_RETURN_IF_ERROR(ReadEpochSeconds(*table, "CreationDateTime", path, d.creation_time));
  if (const Json* billing = Find(*table, "BillingModeSummary")) {
    if (!billing->is_object()) return Malformed(path + "BillingModeSummary", Mismatch("an object", *billing));
    GG_RETURN_IF_ERROR(ReadString(*billing, "BillingMode", path + "BillingModeSummary.", d.billing_mode));
  }
  std::map<std::string, std::string> types;  // attribute name -> S | N | B
  auto read_definition = [&](const Json& e, const std::string& at) {
    std::string name;
    std::string type;
    GG_RETURN_IF_ERROR(ReadString(e, "AttributeName", at, name));
    GG_RETURN_IF_ERROR(ReadString(e, "AttributeType", at, type));
    types[name] = type;
    return Status::Ok();
  };
  auto read_key = [&](const Json& e, const std::string& at) {
    KeyAttribute key;
    std::string key_type;
    GG_RETURN_IF_ERROR(ReadString(e, "AttributeName", at, key.name));
    GG_RETURN_IF_ERROR(ReadString(e, "KeyType", at, key_type));
    auto type = types.find(key.name);
    key.type = type == types.end() ? "" : type->second;
    if (key_type == "HASH") {
      d.partition_key = std::move(key);
    } else if (key_type == "RANGE") {
      d.sort_key = std::move(key);
    } else {
      return Malformed(at + "KeyType", fmt::format("expected HASH or RANGE, got \"{}\"", key_type));
    }
    return Status::Ok();
  };
  Status definitions = ReadObjects(*table, "AttributeDefinitions", path, read_definition);
  if (!definitions.ok()) return definitions;
  Status key_schema = ReadObjects(*table, "KeySchema", path, read_key);
  if (!key_schema.ok()) return key_schema;
  return d;
}

// Parses the reply of `operation` with `read(const Json& object) -> Result<T>`, prefixing errors with
// context.
template <typename T, typename Read>
Result<T> ParseReply(std::string_view operation, std::string_view text, Read&& read) {
  const std::string context = fmt::format("DynamoDB {} reply", operation);
  Result<Json> body = ParseObject(text);
  if (!body.ok()) return body.status().WithContext(context);
  Result<T> value = read(*body);
  if (!value.ok()) return value.status().WithContext(context);
  return value;
}

Result<Item> ParseAttributesReply(std::string_view operation, std::string_view text) {
  return ParseReply<Item>(operation, text, [](const Json& reply) -> Result<Item> {
    Item attributes;
    GG_RETURN_IF_ERROR(ReadItemMember(reply, "Attributes", "", attributes));
    return attributes;
  });
}

void AddExpressions(Json& body, const std::map<std::string, std::string>& names, const Item& values) {
  if (!names.empty()) body["ExpressionAttributeNames"] = StringMapToJson(names);
  if (!values.empty()) body["ExpressionAttributeValues"] = ItemToJsonValue(values);
}

void AddIfSet(Json& body, const char* key, const std::string& value) {
  if (!value.empty()) body[key] = value;
}

Status CheckTableName(std::string_view operation, const std::string& table_name) {
  if (table_name.size() < 3 || table_name.size() > 255) {
    return Status::InvalidArgument(
        fmt::format("DynamoDB {}: table name \"{}\" is not 3..255 characters", operation, table_name));
  }
  return Status::Ok();
}

Status CheckNotEmpty(std::string_view operation, std::string_view what, const Item& item) {
  if (item.empty())
    return Status::InvalidArgument(fmt::format("DynamoDB {}: the {} is empty", operation, what));
  return Status::Ok();
}

template <typename T>
Result<T> Call(AwsClient& aws, std::string_view operation, std::string body,
               Result<T> (*parse)(std::string_view)) {
  Result<AwsResponse> reply = aws.Json(kDynamoDbService, operation, std::move(body));
  if (!reply.ok()) return reply.status();
  return parse(reply->body);
}

std::string TableNameBody(const std::string& table_name) {
  Json body = Json::object();
  body["TableName"] = table_name;
  return Dump(body);
}

}  // namespace

// --- AttributeValue ---

AttributeValue AttributeValue::String(std::string value) {
  AttributeValue v;
  v.type_ = Type::kString;
  v.scalar_ = std::move(value);
  return v;
}

AttributeValue AttributeValue::Number(std::string decimal) {
  AttributeValue v;
  v.type_ = Type::kNumber;
  v.scalar_ = std::move(decimal);
  return v;
}

AttributeValue AttributeValue::Number(int64_t value) { return Number(std::to_string(value)); }

AttributeValue AttributeValue::Binary(std::string bytes) {
  AttributeValue v;
  v.type_ = Type::kBinary;
  v.scalar_ = std::move(bytes);
  return v;
}

AttributeValue AttributeValue::Bool(bool value) {
  AttributeValue v;
  v.type_ = Type::kBool;
  v.bool_ = value;
  return v;
}

AttributeValue AttributeValue::StringSet(std::vector<std::string> values) {
  AttributeValue v;
  v.type_ = Type::kStringSet;
  v.set_ = std::move(values);
  return v;
}

AttributeValue AttributeValue::NumberSet(std::vector<std::string> decimals) {
  AttributeValue v;
  v.type_ = Type::kNumberSet;
  v.set_ = std::move(decimals);
  return v;
}

AttributeValue AttributeValue::BinarySet(std::vector<std::string> values) {
  AttributeValue v;
  v.type_ = Type::kBinarySet;
  v.set_ = std::move(values);
  return v;
}

AttributeValue AttributeValue::List(std::vector<AttributeValue> values) {
  AttributeValue v;
  v.type_ = Type::kList;
  v.list_ = std::move(values);
  return v;
}

AttributeValue AttributeValue::Map(std::map<std::string, AttributeValue> values) {
  AttributeValue v;
  v.type_ = Type::kMap;
  v.map_ = std::make_shared<const Item>(std::move(values));
  return v;
}

std::optional<int64_t> AttributeValue::AsInt64() const {
  if (type_ != Type::kNumber || scalar_.empty()) return std::nullopt;
  int64_t n = 0;
  const char* end = scalar_.data() + scalar_.size();
  auto [ptr, ec] = std::from_chars(scalar_.data(), end, n);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return n;
}

bool operator==(const AttributeValue& a, const AttributeValue& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case AttributeValue::Type::kNull:
      return true;
    case AttributeValue::Type::kBool:
      return a.bool_ == b.bool_;
    case AttributeValue::Type::kString:
    case AttributeValue::Type::kNumber:
    case AttributeValue::Type::kBinary:
      return a.scalar_ == b.scalar_;
    case AttributeValue::Type::kStringSet:
    case AttributeValue::Type::kNumberSet:
    case AttributeValue::Type::kBinarySet:
      return a.set_ == b.set_;
    case AttributeValue::Type::kList:
      return a.list_ == b.list_;
    case AttributeValue::Type::kMap:
      return *a.map_ == *b.map_;
  }
  return false;
}

std::string AttributeValueToJson(const AttributeValue& value) { return Dump(ValueToJson(value)); }

std::string ItemToJson(const Item& item) { return Dump(ItemToJsonValue(item)); }

Result<Item> ParseItemJson(std::string_view json) {
  Result<Json> body = ParseObject(json);
  Result<Item> item = body.ok() ? ReadItem(*body, "item", 1) : Result<Item>(body.status());
  if (!item.ok()) return Status::InvalidArgument(item.status().message());
  return item;
}

// --- Request bodies ---

std::string CreateTableBody(const CreateTableRequest& request) {
  Json body = Json::object();
  body["TableName"] = request.table_name;
  body["BillingMode"] = "PAY_PER_REQUEST";
  Json definitions = Json::array();
  Json schema = Json::array();
  auto add = [&](const KeyAttribute& key, const char* key_type) {
    definitions.push_back(Json{{"AttributeName", key.name}, {"AttributeType", key.type}});
    schema.push_back(Json{{"AttributeName", key.name}, {"KeyType", key_type}});
  };
  add(request.partition_key, "HASH");
  if (request.sort_key) add(*request.sort_key, "RANGE");
  body["AttributeDefinitions"] = std::move(definitions);
  body["KeySchema"] = std::move(schema);
  return Dump(body);
}

std::string PutItemBody(const PutItemRequest& request) {
  Json body = Json::object();
  body["TableName"] = request.table_name;
  body["Item"] = ItemToJsonValue(request.item);
  AddIfSet(body, "ConditionExpression", request.condition_expression);
  AddExpressions(body, request.expression_attribute_names, request.expression_attribute_values);
  AddIfSet(body, "ReturnValues", request.return_values);
  return Dump(body);
}

std::string GetItemBody(const GetItemRequest& request) {
  Json body = Json::object();
  body["TableName"] = request.table_name;
  body["Key"] = ItemToJsonValue(request.key);
  if (request.consistent_read) body["ConsistentRead"] = true;
  AddIfSet(body, "ProjectionExpression", request.projection_expression);
  AddExpressions(body, request.expression_attribute_names, {});
  return Dump(body);
}

std::string UpdateItemBody(const UpdateItemRequest& request) {
  Json body = Json::object();
  body["TableName"] = request.table_name;
  body["Key"] = ItemToJsonValue(request.key);
  AddIfSet(body, "UpdateExpression", request.update_expression);
  AddIfSet(body, "ConditionExpression", request.condition_expression);
  AddExpressions(body, request.expression_attribute_names, request.expression_attribute_values);
  AddIfSet(body, "ReturnValues", request.return_values);
  return Dump(body);
}

std::string DeleteItemBody(const DeleteItemRequest& request) {
  Json body = Json::object();
  body["TableName"] = request.table_name;
  body["Key"] = ItemToJsonValue(request.key);
  AddIfSet(body, "ConditionExpression", request.condition_expression);
  AddExpressions(body, request.expression_attribute_names, request.expression_attribute_values);
  AddIfSet(body, "ReturnValues", request.return_values);
  return Dump(body);
}

std::string QueryBody(const QueryRequest& request) {
  Json body = Json::object();
  body["TableName"] = request.table_name;
  AddIfSet(body, "IndexName", request.index_name);
  AddIfSet(body, "KeyConditionExpression", request.key_condition_expression);
  AddIfSet(body, "FilterExpression", request.filter_expression);
  AddIfSet(body, "ProjectionExpression", request.projection_expression);
  AddExpressions(body, request.expression_attribute_names, request.expression_attribute_values);
  if (!request.scan_index_forward) body["ScanIndexForward"] = false;
  if (request.limit > 0) body["Limit"] = request.limit;
  if (request.consistent_read) body["ConsistentRead"] = true;
  if (!request.exclusive_start_key.empty())
    body["ExclusiveStartKey"] = ItemToJsonValue(request.exclusive_start_key);
  return Dump(body);
}

// --- Reply parsers ---

Result<TableDescription> ParseCreateTableResponse(std::string_view json) {
  return ParseReply<TableDescription>("CreateTable", json,
                                      [](const Json& reply) { return ReadTable(reply, "TableDescription"); });
}

Result<TableDescription> ParseDescribeTableResponse(std::string_view json) {
  return ParseReply<TableDescription>("DescribeTable", json,
                                      [](const Json& reply) { return ReadTable(reply, "Table"); });
}

Status ParseUpdateTimeToLiveResponse(std::string_view json) {
  return ParseReply<bool>("UpdateTimeToLive", json,
                          [](const Json& reply) -> Result<bool> {
                            const Json* spec = Find(reply, "TimeToLiveSpecification");
                            if (spec != nullptr && !spec->is_object()) {
                              return Malformed("TimeToLiveSpecification", Mismatch("an object", *spec));
                            }
                            return true;
                          })
      .status();
}

Result<TimeToLiveDescription> ParseDescribeTimeToLiveResponse(std::string_view json) {
  return ParseReply<TimeToLiveDescription>(
      "DescribeTimeToLive", json, [](const Json& reply) -> Result<TimeToLiveDescription> {
        const Json* ttl = Find(reply, "TimeToLiveDescription");
        if (ttl == nullptr) return Malformed("TimeToLiveDescription", "missing");
        if (!ttl->is_object()) return Malformed("TimeToLiveDescription", Mismatch("an object", *ttl));
        TimeToLiveDescription d;
        GG_RETURN_IF_ERROR(ReadString(*ttl, "TimeToLiveStatus", "TimeToLiveDescription.", d.status));
        GG_RETURN_IF_ERROR(ReadString(*ttl, "AttributeName", "TimeToLiveDescription.", d.attribute_name));
        return d;
      });
}

Result<Item> ParsePutItemResponse(std::string_view json) { return ParseAttributesReply("PutItem", json); }

Result<Item> ParseUpdateItemResponse(std::string_view json) {
  return ParseAttributesReply("UpdateItem", json);
}

Result<Item> ParseDeleteItemResponse(std::string_view json) {
  return ParseAttributesReply("DeleteItem", json);
}

Result<std::optional<Item>> ParseGetItemResponse(std::string_view json) {
  return ParseReply<std::optional<Item>>("GetItem", json,
                                         [](const Json& reply) -> Result<std::optional<Item>> {
                                           if (Find(reply, "Item") == nullptr) return std::optional<Item>();
                                           Item item;
                                           GG_RETURN_IF_ERROR(ReadItemMember(reply, "Item", "", item));
                                           return std::optional<Item>(std::move(item));
                                         });
}

namespace {

// A Query or Scan reply: the same shape.
Result<QueryPage> ParsePage(const char* operation, std::string_view json) {
  return ParseReply<QueryPage>(operation, json, [](const Json& reply) -> Result<QueryPage> {
    QueryPage page;
    if (const Json* items = Find(reply, "Items")) {
      if (!items->is_array()) return Malformed("Items", Mismatch("a list", *items));
      for (const Json& e : *items) {
        Result<Item> item = ReadItem(e, fmt::format("Items[{}]", page.items.size()), 1);
        if (!item.ok()) return item.status();
        page.items.push_back(std::move(*item));
      }
    }
    std::optional<int64_t> count;
    std::optional<int64_t> scanned;
    GG_RETURN_IF_ERROR(ReadInt64(reply, "Count", "", count));
    GG_RETURN_IF_ERROR(ReadInt64(reply, "ScannedCount", "", scanned));
    page.count = count.value_or(static_cast<int64_t>(page.items.size()));
    page.scanned_count = scanned.value_or(page.count);
    GG_RETURN_IF_ERROR(ReadItemMember(reply, "LastEvaluatedKey", "", page.last_evaluated_key));
    return page;
  });
}

// Every page of `call`, following LastEvaluatedKey.
template <typename Call>
Result<std::vector<Item>> AllPages(const char* operation, QueryRequest request, Call call) {
  std::vector<Item> all;
  std::set<std::string> seen;
  while (true) {
    Result<QueryPage> page = call(request);
    if (!page.ok()) return page.status();
    for (Item& item : page->items) all.push_back(std::move(item));
    if (page->last_evaluated_key.empty()) return all;
    if (!seen.insert(ItemToJson(page->last_evaluated_key)).second) {
      return Status::Internal(
          fmt::format("DynamoDB {}: LastEvaluatedKey repeated; pagination loop stopped", operation));
    }
    request.exclusive_start_key = std::move(page->last_evaluated_key);
  }
}

}  // namespace

Result<QueryPage> ParseQueryResponse(std::string_view json) { return ParsePage("Query", json); }
Result<QueryPage> ParseScanResponse(std::string_view json) { return ParsePage("Scan", json); }

// --- DynamoDbClient ---

Result<TableDescription> DynamoDbClient::CreateTable(const CreateTableRequest& request) {
  GG_RETURN_IF_ERROR(CheckTableName("CreateTable", request.table_name));
  if (request.partition_key.name.empty()) {
    return Status::InvalidArgument("DynamoDB CreateTable: the partition key has no name");
  }
  if (request.sort_key && request.sort_key->name.empty()) {
    return Status::InvalidArgument("DynamoDB CreateTable: the sort key has no name");
  }
  return Call(aws_, "CreateTable", CreateTableBody(request), &ParseCreateTableResponse);
}

Result<TableDescription> DynamoDbClient::DescribeTable(const std::string& table_name) {
  GG_RETURN_IF_ERROR(CheckTableName("DescribeTable", table_name));
  return Call(aws_, "DescribeTable", TableNameBody(table_name), &ParseDescribeTableResponse);
}

Status DynamoDbClient::UpdateTimeToLive(const std::string& table_name, const std::string& attribute_name,
                                        bool enabled) {
  GG_RETURN_IF_ERROR(CheckTableName("UpdateTimeToLive", table_name));
  if (attribute_name.empty())
    return Status::InvalidArgument("DynamoDB UpdateTimeToLive: the attribute name is empty");
  Json body = Json::object();
  body["TableName"] = table_name;
  body["TimeToLiveSpecification"] = Json{{"AttributeName", attribute_name}, {"Enabled", enabled}};
  Result<AwsResponse> reply = aws_.Json(kDynamoDbService, "UpdateTimeToLive", Dump(body));
  if (!reply.ok()) return reply.status();
  return ParseUpdateTimeToLiveResponse(reply->body);
}

Result<TimeToLiveDescription> DynamoDbClient::DescribeTimeToLive(const std::string& table_name) {
  GG_RETURN_IF_ERROR(CheckTableName("DescribeTimeToLive", table_name));
  return Call(aws_, "DescribeTimeToLive", TableNameBody(table_name), &ParseDescribeTimeToLiveResponse);
}

Result<Item> DynamoDbClient::PutItem(const PutItemRequest& request) {
  GG_RETURN_IF_ERROR(CheckTableName("PutItem", request.table_name));
  GG_RETURN_IF_ERROR(CheckNotEmpty("PutItem", "item", request.item));
  return Call(aws_, "PutItem", PutItemBody(request), &ParsePutItemResponse);
}

Result<std::optional<Item>> DynamoDbClient::GetItem(const GetItemRequest& request) {
  GG_RETURN_IF_ERROR(CheckTableName("GetItem", request.table_name));
  GG_RETURN_IF_ERROR(CheckNotEmpty("GetItem", "key", request.key));
  return Call(aws_, "GetItem", GetItemBody(request), &ParseGetItemResponse);
}

Result<Item> DynamoDbClient::UpdateItem(const UpdateItemRequest& request) {
  GG_RETURN_IF_ERROR(CheckTableName("UpdateItem", request.table_name));
  GG_RETURN_IF_ERROR(CheckNotEmpty("UpdateItem", "key", request.key));
  return Call(aws_, "UpdateItem", UpdateItemBody(request), &ParseUpdateItemResponse);
}

Result<Item> DynamoDbClient::DeleteItem(const DeleteItemRequest& request) {
  GG_RETURN_IF_ERROR(CheckTableName("DeleteItem", request.table_name));
  GG_RETURN_IF_ERROR(CheckNotEmpty("DeleteItem", "key", request.key));
  return Call(aws_, "DeleteItem", DeleteItemBody(request), &ParseDeleteItemResponse);
}

Result<QueryPage> DynamoDbClient::Query(const QueryRequest& request) {
  GG_RETURN_IF_ERROR(CheckTableName("Query", request.table_name));
  if (request.key_condition_expression.empty()) {
    return Status::InvalidArgument("DynamoDB Query: the key condition expression is empty");
  }
  if (request.limit < 0) return Status::InvalidArgument("DynamoDB Query: the limit is negative");
  return Call(aws_, "Query", QueryBody(request), &ParseQueryResponse);
}

Result<QueryPage> DynamoDbClient::Scan(const QueryRequest& request) {
  GG_RETURN_IF_ERROR(CheckTableName("Scan", request.table_name));
  if (!request.key_condition_expression.empty() || !request.scan_index_forward) {
    return Status::InvalidArgument("DynamoDB Scan: a key condition or a sort order is for Query");
  }
  if (request.limit < 0) return Status::InvalidArgument("DynamoDB Scan: the limit is negative");
  return Call(aws_, "Scan", QueryBody(request), &ParseScanResponse);
}

Result<std::vector<Item>> QueryAll(DynamoDbApi& dynamodb, QueryRequest request) {
  return AllPages("Query", std::move(request), [&](const QueryRequest& r) { return dynamodb.Query(r); });
}

Result<std::vector<Item>> ScanAll(DynamoDbApi& dynamodb, QueryRequest request) {
  return AllPages("Scan", std::move(request), [&](const QueryRequest& r) { return dynamodb.Scan(r); });
}

}  // namespace glueguard
