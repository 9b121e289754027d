#include "aws/dynamodb.h"

#include <gtest/gtest.h>

#include <string>

#include "aws/aws_client.h"
#include "net/fake_transport.h"
#include "testing/fake_aws.h"

namespace glueguard {
namespace {

constexpr const char* kTableDescription =
    R"({"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},
  {"AttributeName":"sk","AttributeType":"N"}],"TableName":"glueguard-state","KeySchema":[
  {"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"TableStatus":"ACTIVE",
  "CreationDateTime":1.700000000123E9,"ItemCount":12,"TableSizeBytes":0,
  "TableArn":"arn:aws:dynamodb:us-east-1:123456789012:table/glueguard-state",
  "BillingModeSummary":{"BillingMode":"PAY_PER_REQUEST"}})";

// The JSON 1.0 error shape DynamoDB sends: a namespaced __type.
class DynamoDbClientTest : public testing::JsonClientTest<DynamoDbClient> {
 protected:
  DynamoDbClientTest()
      : JsonClientTest("com.amazonaws.dynamodb.v20120810#", "application/x-amz-json-1.0", "ddb-req-1") {}
  DynamoDbClient& dynamodb_ = client_;
};

Item Key(const std::string& pk) { return {{"pk", AttributeValue::String(pk)}}; }

TEST_F(DynamoDbClientTest, CreateTableSendsKeySchemaAndOnDemandBilling) {
  transport_.Push(200, std::string(R"({"TableDescription":)") + kTableDescription + "}");
  Result<TableDescription> d = dynamodb_.CreateTable(
      {.table_name = "glueguard-state", .partition_key = {"pk", "S"}, .sort_key = KeyAttribute{"sk", "N"}});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  const HttpRequest sent = Sent(0);
  EXPECT_EQ(Target(sent), "DynamoDB_20120810.CreateTable");
  EXPECT_EQ(*FindHeader(sent.headers, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_NE(FindHeader(sent.headers, "Authorization")->find("/us-east-1/dynamodb/aws4_request"),
            std::string::npos);
  EXPECT_EQ(
      sent.body,
      R"({"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},)"
      R"({"AttributeName":"sk","AttributeType":"N"}],"BillingMode":"PAY_PER_REQUEST",)"
      R"("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],)"
      R"("TableName":"glueguard-state"})");
  EXPECT_EQ(d->table_name, "glueguard-state");
  EXPECT_EQ(d->partition_key.name, "pk");
  EXPECT_EQ(d->partition_key.type, "S");
  ASSERT_TRUE(d->sort_key.has_value());
  EXPECT_EQ(d->sort_key->name, "sk");
  EXPECT_EQ(d->sort_key->type, "N");
}

TEST_F(DynamoDbClientTest, CreateTableWithoutSortKeySendsOnlyTheHashKey) {
  transport_.Push(200, R"({"TableDescription":{"TableName":"tbl","TableStatus":"CREATING"}})");
  Result<TableDescription> d = dynamodb_.CreateTable({.table_name = "tbl", .partition_key = {"id", "S"}});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(
      Sent(0).body,
      R"({"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST",)"
      R"("KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"TableName":"tbl"})");
  EXPECT_EQ(d->table_status, "CREATING");
  EXPECT_FALSE(d->sort_key.has_value());
}

TEST_F(DynamoDbClientTest, CreateTableThatExistsKeepsResourceInUseAsReason) {
  PushError(400, "ResourceInUseException", "Table already exists: tbl");
  Result<TableDescription> d = dynamodb_.CreateTable({.table_name = "tbl", .partition_key = {"id", "S"}});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().reason(), "ResourceInUseException");
}

TEST_F(DynamoDbClientTest, DescribeTableParsesStatusKeysBillingAndCreationTime) {
  transport_.Push(200, std::string(R"({"Table":)") + kTableDescription + "}");
  Result<TableDescription> d = dynamodb_.DescribeTable("glueguard-state");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(Target(Sent(0)), "DynamoDB_20120810.DescribeTable");
  EXPECT_EQ(Sent(0).body, R"({"TableName":"glueguard-state"})");
  EXPECT_EQ(d->table_status, "ACTIVE");
  EXPECT_EQ(d->billing_mode, "PAY_PER_REQUEST");
  EXPECT_EQ(d->item_count, 12);
  EXPECT_EQ(ToUnixMillis(d->creation_time), 1'700'000'000'123);
  EXPECT_EQ(d->table_arn, "arn:aws:dynamodb:us-east-1:123456789012:table/glueguard-state");
}

TEST_F(DynamoDbClientTest, DescribeMissingTableIsNotFoundWithReasonAndRequestId) {
  PushError(400, "ResourceNotFoundException", "Requested resource not found: Table: nope not found");
  Result<TableDescription> d = dynamodb_.DescribeTable("nope");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(d.status().reason(), "ResourceNotFoundException");
  EXPECT_NE(d.status().message().find("ddb-req-1"), std::string::npos);
  EXPECT_EQ(transport_.requests().size(), 1u);
}

TEST_F(DynamoDbClientTest, UpdateTimeToLiveSendsTheSpecificationAndDescribeReadsItBack) {
  transport_.Push(200, R"({"TimeToLiveSpecification":{"AttributeName":"expires_at","Enabled":true}})");
  ASSERT_TRUE(dynamodb_.UpdateTimeToLive("tbl", "expires_at", true).ok());
  EXPECT_EQ(Target(Sent(0)), "DynamoDB_20120810.UpdateTimeToLive");
  EXPECT_EQ(Sent(0).body,
            R"({"TableName":"tbl","TimeToLiveSpecification":{"AttributeName":"expires_at","Enabled":true}})");

  transport_.Push(200,
                  R"({"TimeToLiveDescription":{"TimeToLiveStatus":"ENABLED","AttributeName":"expires_at"}})");
  Result<TimeToLiveDescription> ttl = dynamodb_.DescribeTimeToLive("tbl");
  ASSERT_TRUE(ttl.ok()) << ttl.status().ToString();
  EXPECT_EQ(Target(Sent(1)), "DynamoDB_20120810.DescribeTimeToLive");
  EXPECT_EQ(ttl->status, "ENABLED");
  EXPECT_EQ(ttl->attribute_name, "expires_at");
}

TEST_F(DynamoDbClientTest, PutItemSendsItemConditionAndExpressionAttributes) {
  transport_.Push(200, "{}");
  PutItemRequest request;
  request.table_name = "MyTable";
  request.item = {{"pk", AttributeValue::String("a")},
                  {"ttl", AttributeValue::Number(1700000000)},
                  {"flag", AttributeValue::Bool(true)}};
  request.condition_expression = "attribute_not_exists(pk) OR #v < :v";
  request.expression_attribute_names = {{"#v", "version"}};
  request.expression_attribute_values = {{":v", AttributeValue::Number("3")}};
  Result<Item> old = dynamodb_.PutItem(request);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_TRUE(old->empty());
  EXPECT_EQ(Target(Sent(0)), "DynamoDB_20120810.PutItem");
  EXPECT_EQ(
      Sent(0).body,
      R"({"ConditionExpression":"attribute_not_exists(pk) OR #v < :v",)"
      R"("ExpressionAttributeNames":{"#v":"version"},"ExpressionAttributeValues":{":v":{"N":"3"}},)"
      R"("Item":{"flag":{"BOOL":true},"pk":{"S":"a"},"ttl":{"N":"1700000000"}},"TableName":"MyTable"})");
}

TEST_F(DynamoDbClientTest, FailedConditionIsFailedPreconditionWithConditionalCheckFailedReason) {
  PushError(400, "ConditionalCheckFailedException", "The conditional request failed");
  Result<Item> r = dynamodb_.PutItem(
      {.table_name = "MyTable", .item = Key("a"), .condition_expression = "attribute_not_exists(pk)"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().reason(), "ConditionalCheckFailedException");
  EXPECT_NE(r.status().message().find("The conditional request failed"), std::string::npos);
  EXPECT_EQ(transport_.requests().size(), 1u);
}

TEST_F(DynamoDbClientTest, PutItemWithAllOldReturnsThePreviousItem) {
  transport_.Push(200, R"({"Attributes":{"pk":{"S":"a"},"n":{"N":"1"}}})");
  Result<Item> old =
      dynamodb_.PutItem({.table_name = "MyTable", .item = Key("a"), .return_values = "ALL_OLD"});
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(Sent(0).body, R"({"Item":{"pk":{"S":"a"}},"ReturnValues":"ALL_OLD","TableName":"MyTable"})");
  EXPECT_EQ(old->at("n").AsInt64(), 1);
}

TEST_F(DynamoDbClientTest, GetItemSendsConsistentReadAndParsesTheItem) {
  transport_.Push(200, R"({"Item":{"pk":{"S":"a"},"tags":{"SS":["x","y"]},"blob":{"B":"aGn/"}}})");
  Result<std::optional<Item>> item =
      dynamodb_.GetItem({.table_name = "MyTable", .key = Key("a"), .consistent_read = true});
  ASSERT_TRUE(item.ok()) << item.status().ToString();
  EXPECT_EQ(Target(Sent(0)), "DynamoDB_20120810.GetItem");
  EXPECT_EQ(Sent(0).body, R"({"ConsistentRead":true,"Key":{"pk":{"S":"a"}},"TableName":"MyTable"})");
  ASSERT_TRUE(item->has_value());
  EXPECT_EQ(*(*item)->at("pk").AsString(), "a");
  EXPECT_EQ(*(*item)->at("tags").AsStringSet(), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(*(*item)->at("blob").AsBinary(), std::string("hi\xff"));
}

TEST_F(DynamoDbClientTest, GetItemOfAMissingKeyIsNullopt) {
  transport_.Push(200, "{}");
  Result<std::optional<Item>> item = dynamodb_.GetItem({.table_name = "MyTable", .key = Key("zzz")});
  ASSERT_TRUE(item.ok()) << item.status().ToString();
  EXPECT_FALSE(item->has_value());
  EXPECT_EQ(Sent(0).body, R"({"Key":{"pk":{"S":"zzz"}},"TableName":"MyTable"})");
}

TEST_F(DynamoDbClientTest, UpdateItemSendsExpressionsAndReturnsTheNewItem) {
  transport_.Push(200, R"({"Attributes":{"pk":{"S":"a"},"status":{"S":"done"}}})");
  UpdateItemRequest request;
  request.table_name = "MyTable";
  request.key = Key("a");
  request.update_expression = "SET #s = :s";
  request.condition_expression = "attribute_exists(pk)";
  request.expression_attribute_names = {{"#s", "status"}};
  request.expression_attribute_values = {{":s", AttributeValue::String("done")}};
  request.return_values = "ALL_NEW";
  Result<Item> updated = dynamodb_.UpdateItem(request);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(Target(Sent(0)), "DynamoDB_20120810.UpdateItem");
  EXPECT_EQ(
      Sent(0).body,
      R"json({"ConditionExpression":"attribute_exists(pk)","ExpressionAttributeNames":{"#s":"status"},)json"
      R"("ExpressionAttributeValues":{":s":{"S":"done"}},"Key":{"pk":{"S":"a"}},"ReturnValues":"ALL_NEW",)"
      R"("TableName":"MyTable","UpdateExpression":"SET #s = :s"})");
  EXPECT_EQ(*updated->at("status").AsString(), "done");
}

TEST_F(DynamoDbClientTest, DeleteItemSendsKeyAndCondition) {
  transport_.Push(200, "{}");
  Result<Item> r =
      dynamodb_.DeleteItem({.table_name = "MyTable",
                            .key = Key("a"),
                            .condition_expression = "owner = :me",
                            .expression_attribute_values = {{":me", AttributeValue::String("x")}}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Target(Sent(0)), "DynamoDB_20120810.DeleteItem");
  EXPECT_EQ(Sent(0).body,
            R"({"ConditionExpression":"owner = :me","ExpressionAttributeValues":{":me":{"S":"x"}},)"
            R"("Key":{"pk":{"S":"a"}},"TableName":"MyTable"})");
}

TEST_F(DynamoDbClientTest, QuerySendsEveryOptionAndParsesThePage) {
  transport_.Push(200, R"({"Count":1,"Items":[{"pk":{"S":"a"},"n":{"N":"1"}}],"ScannedCount":3,
                           "LastEvaluatedKey":{"pk":{"S":"a"},"sk":{"N":"1"}}})");
  QueryRequest request;
  request.table_name = "MyTable";
  request.key_condition_expression = "pk = :v";
  request.filter_expression = "#st <> :done";
  request.expression_attribute_names = {{"#st", "status"}};
  request.expression_attribute_values = {{":v", AttributeValue::String("a")},
                                         {":done", AttributeValue::String("done")}};
  request.scan_index_forward = false;
  request.limit = 3;
  request.consistent_read = true;
  request.exclusive_start_key = {{"pk", AttributeValue::String("a")}, {"sk", AttributeValue::Number("0")}};
  Result<QueryPage> page = dynamodb_.Query(request);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(Target(Sent(0)), "DynamoDB_20120810.Query");
  EXPECT_EQ(
      Sent(0).body,
      R"({"ConsistentRead":true,"ExclusiveStartKey":{"pk":{"S":"a"},"sk":{"N":"0"}},)"
      R"("ExpressionAttributeNames":{"#st":"status"},)"
      R"("ExpressionAttributeValues":{":done":{"S":"done"},":v":{"S":"a"}},"FilterExpression":"#st <> :done",)"
      R"("KeyConditionExpression":"pk = :v","Limit":3,"ScanIndexForward":false,"TableName":"MyTable"})");
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].at("n").AsInt64(), 1);
  EXPECT_EQ(page->count, 1);
  EXPECT_EQ(page->scanned_count, 3);
  EXPECT_EQ(page->last_evaluated_key.at("sk"), AttributeValue::Number("1"));
}

TEST_F(DynamoDbClientTest, MinimalQuerySendsOnlyTableAndKeyCondition) {
  transport_.Push(200, R"({"Count":0,"Items":[],"ScannedCount":0})");
  Result<QueryPage> page = dynamodb_.Query({.table_name = "MyTable", .key_condition_expression = "pk = :v"});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(Sent(0).body, R"({"KeyConditionExpression":"pk = :v","TableName":"MyTable"})");
  EXPECT_TRUE(page->last_evaluated_key.empty());
}

TEST_F(DynamoDbClientTest, QueryAllFollowsLastEvaluatedKeyAcrossTwoPages) {
  transport_.Push(200, R"({"Count":1,"Items":[{"pk":{"S":"a"},"sk":{"N":"1"}}],"ScannedCount":1,
                           "LastEvaluatedKey":{"pk":{"S":"a"},"sk":{"N":"1"}}})");
  transport_.Push(200, R"({"Count":1,"Items":[{"pk":{"S":"a"},"sk":{"N":"2"}}],"ScannedCount":1})");
  Result<std::vector<Item>> all =
      QueryAll(dynamodb_, {.table_name = "MyTable",
                           .key_condition_expression = "pk = :v",
                           .expression_attribute_values = {{":v", AttributeValue::String("a")}},
                           .limit = 1});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].at("sk").AsInt64(), 2);
  ASSERT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(Sent(0).body.find("ExclusiveStartKey"), std::string::npos);
  EXPECT_NE(Sent(1).body.find(R"("ExclusiveStartKey":{"pk":{"S":"a"},"sk":{"N":"1"}})"), std::string::npos);
}

TEST_F(DynamoDbClientTest, QueryAllStopsWhenTheSameLastEvaluatedKeyComesBack) {
  transport_.set_handler([](const HttpRequest&) -> Result<HttpResponse> {
    return HttpResponse{200, {}, R"({"Count":0,"Items":[],"LastEvaluatedKey":{"pk":{"S":"a"}}})"};
  });
  Result<std::vector<Item>> all =
      QueryAll(dynamodb_, {.table_name = "MyTable", .key_condition_expression = "pk = :v"});
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), StatusCode::kInternal);
  EXPECT_EQ(transport_.requests().size(), 2u);
}

TEST_F(DynamoDbClientTest, ProvisionedThroughputExceededIsRetriedThenSucceeds) {
  PushError(400, "ProvisionedThroughputExceededException",
            "The level of configured provisioned throughput ...");
  transport_.Push(200, R"({"Count":0,"Items":[],"ScannedCount":0})");
  Result<QueryPage> page = dynamodb_.Query({.table_name = "MyTable", .key_condition_expression = "pk = :v"});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(transport_.requests().size(), 2u);
  EXPECT_EQ(sleeper_.waits().size(), 1u);
  EXPECT_EQ(Sent(0).body, Sent(1).body);
}

TEST_F(DynamoDbClientTest, ThrottlingOnEveryAttemptIsUnavailable) {
  for (int i = 0; i < 3; ++i) PushError(400, "ProvisionedThroughputExceededException", "slow down");
  Result<Item> r = dynamodb_.PutItem({.table_name = "MyTable", .item = Key("a")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().reason(), "ProvisionedThroughputExceededException");
  EXPECT_EQ(transport_.requests().size(), 3u);
}

TEST_F(DynamoDbClientTest, InvalidRequestsAreRefusedWithoutACall) {
  EXPECT_EQ(dynamodb_.DescribeTable("T").status().code(),
            StatusCode::kInvalidArgument);  // below 3 characters
  EXPECT_EQ(dynamodb_.PutItem({.table_name = "MyTable"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(dynamodb_.GetItem({.table_name = "MyTable"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(dynamodb_.Query({.table_name = "MyTable"}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(dynamodb_.Query({.table_name = "MyTable", .key_condition_expression = "pk = :v", .limit = -1})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(dynamodb_.UpdateTimeToLive("MyTable", "", true).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(transport_.requests().empty());
}

TEST_F(DynamoDbClientTest, AMalformedSuccessReplyIsInternal) {
  transport_.Push(200, R"({"Items":[{"pk":{"S":"a"}})");
  Result<QueryPage> page = dynamodb_.Query({.table_name = "MyTable", .key_condition_expression = "pk = :v"});
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kInternal);
  EXPECT_NE(page.status().message().find("DynamoDB Query reply: not valid JSON"), std::string::npos);
}

// --- AttributeValue and the item JSON ---

TEST(DynamoDbAttributeValueTest, EveryTypeRoundTripsThroughJson) {
  Item inner = {{"x", AttributeValue::Null()}};
  Item item = {
      {"s", AttributeValue::String("text")},
      {"n", AttributeValue::Number("-12.5")},
      {"b", AttributeValue::Binary(std::string("\0hi\xff", 4))},
      {"t", AttributeValue::Bool(true)},
      {"z", AttributeValue::Null()},
      {"ss", AttributeValue::StringSet({"a", "b"})},
      {"ns", AttributeValue::NumberSet({"1", "2"})},
      {"bs", AttributeValue::BinarySet({"a", "ab", "abc"})},
      {"l", AttributeValue::List({AttributeValue::Number(int64_t{1}), AttributeValue::String("two")})},
      {"m", AttributeValue::Map(inner)},
  };
  const std::string json = ItemToJson(item);
  EXPECT_EQ(json,
            R"({"b":{"B":"AGhp/w=="},"bs":{"BS":["YQ==","YWI=","YWJj"]},"l":{"L":[{"N":"1"},{"S":"two"}]},)"
            R"("m":{"M":{"x":{"NULL":true}}},"n":{"N":"-12.5"},"ns":{"NS":["1","2"]},"s":{"S":"text"},)"
            R"("ss":{"SS":["a","b"]},"t":{"BOOL":true},"z":{"NULL":true}})");
  Result<Item> back = ParseItemJson(json);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, item);
}

TEST(DynamoDbAttributeValueTest, AccessorsAnswerOnlyForTheirType) {
  const AttributeValue s = AttributeValue::String("7");
  EXPECT_EQ(*s.AsString(), "7");
  EXPECT_EQ(s.AsNumber(), nullptr);
  EXPECT_FALSE(s.AsInt64().has_value());
  EXPECT_FALSE(s.AsBool().has_value());
  EXPECT_EQ(s.AsMap(), nullptr);
  EXPECT_TRUE(AttributeValue().is_null());
  EXPECT_EQ(AttributeValue::Number("42").AsInt64(), 42);
  EXPECT_EQ(AttributeValue::Number(int64_t{-9}).AsInt64(), -9);
  EXPECT_FALSE(AttributeValue::Number("1.5").AsInt64().has_value());
  EXPECT_FALSE(AttributeValue::Number("99999999999999999999").AsInt64().has_value());
  EXPECT_NE(AttributeValue::Number("1"), AttributeValue::String("1"));
  EXPECT_NE(AttributeValue::Map({{"a", AttributeValue::Bool(true)}}),
            AttributeValue::Map({{"a", AttributeValue::Bool(false)}}));
}

TEST(DynamoDbAttributeValueTest, CopiesOfAMapAreEqualAndIndependentOfTheSource) {
  Item source = {{"k", AttributeValue::String("v")}};
  const AttributeValue m = AttributeValue::Map(source);
  source["k"] = AttributeValue::String("changed");
  // NOLINTNEXTLINE(performance-unnecessary-copy-initialization): the copy is what is under test
  const AttributeValue copy = m;
  EXPECT_EQ(copy, m);
  EXPECT_EQ(*copy.AsMap()->at("k").AsString(), "v");
}

TEST(DynamoDbAttributeValueTest, ParseItemJsonRejectsBadValuesNamingTheAttribute) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"a":{"S":"x","N":"1"}})", "item.a: expected exactly one type key, got 2"},
      {R"({"a":{}})", "item.a: expected exactly one type key, got 0"},
      {R"({"a":{"X":"1"}})", "item.a: unknown attribute type \"X\""},
      {R"({"a":{"N":1}})", "item.a.N: expected a string, got number"},
      {R"({"a":{"B":"not base64!"}})", "item.a.B: invalid base64"},
      {R"({"a":{"B":"YQ="}})", "item.a.B: invalid base64"},
      {R"({"a":{"BOOL":"true"}})", "item.a.BOOL: expected a boolean, got string"},
      {R"({"a":{"SS":["x",1]}})", "item.a.SS[1]: expected a string, got number"},
      {R"({"a":{"L":[{"S":"x"},{"M":{"b":{"N":true}}}]}})", "item.a.L[1].M.b.N: expected a string"},
      {R"({"a":"x"})", "item.a: expected an attribute value object, got string"},
      {R"([])", "expected a JSON object, got array"},
      {R"({"a":{"S":"x"})", "not valid JSON"},
  };
  for (const auto& [json, message] : cases) {
    Result<Item> item = ParseItemJson(json);
    ASSERT_FALSE(item.ok()) << json;
    EXPECT_EQ(item.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(item.status().message().find(message), std::string::npos)
        << json << " -> " << item.status().message();
  }
}

std::string Nested(int levels) {
  std::string json = R"({"S":"leaf"})";
  for (int i = 0; i < levels; ++i) json = R"({"L":[)" + json + "]}";
  return R"({"a":)" + json + "}";
}

TEST(DynamoDbAttributeValueTest, NestingIsLimitedToDynamoDbsThirtyTwoLevels) {
  EXPECT_TRUE(ParseItemJson(Nested(32)).ok()) << ParseItemJson(Nested(32)).status().ToString();
  Result<Item> too_deep = ParseItemJson(Nested(33));
  ASSERT_FALSE(too_deep.ok());
  EXPECT_NE(too_deep.status().message().find("nested deeper than 32 levels"), std::string::npos);
  EXPECT_FALSE(ParseItemJson(Nested(5000)).ok());  // no stack overflow on hostile input
}

// --- Reply parsers on their own ---

TEST(DynamoDbParseTest, WronglyShapedRepliesAreInternalWithThePath) {
  const std::pair<const char*, std::string> cases[] = {
      {R"({"Items":{}})", "DynamoDB Query reply: Items: expected a list, got object"},
      {R"({"Items":[{"pk":{"S":1}}]})", "Items[0].pk.S: expected a string, got number"},
      {R"({"Items":[],"Count":"1"})", "Count: expected a 64-bit integer, got string"},
      {R"({"Items":[],"Count":1.5})", "Count: expected a 64-bit integer"},
      {R"({"Items":[],"LastEvaluatedKey":[]})", "LastEvaluatedKey: expected an object of attributes"},
      {R"({"Items":[],"LastEvaluatedKey":{"pk":{"B":"@@"}}})", "LastEvaluatedKey.pk.B: invalid base64"},
      {"null", "expected a JSON object, got null"},
      {"", "not valid JSON"},
  };
  for (const auto& [json, message] : cases) {
    Result<QueryPage> page = ParseQueryResponse(json);
    ASSERT_FALSE(page.ok()) << json;
    EXPECT_EQ(page.status().code(), StatusCode::kInternal);
    EXPECT_NE(page.status().message().find(message), std::string::npos)
        << json << " -> " << page.status().message();
  }
  EXPECT_NE(ParseDescribeTableResponse("{}").status().message().find("Table: missing"), std::string::npos);
  EXPECT_NE(
      ParseDescribeTableResponse(R"({"Table":{"KeySchema":[{"AttributeName":"pk","KeyType":"SIDEWAYS"}]}})")
          .status()
          .message()
          .find("Table.KeySchema[0].KeyType: expected HASH or RANGE"),
      std::string::npos);
  EXPECT_NE(ParseCreateTableResponse(R"({"TableDescription":{"CreationDateTime":"yesterday"}})")
                .status()
                .message()
                .find("TableDescription.CreationDateTime: expected a number"),
            std::string::npos);
  EXPECT_FALSE(
      ParseDescribeTimeToLiveResponse(R"({"TimeToLiveDescription":{"TimeToLiveStatus":true}})").ok());
  EXPECT_FALSE(ParseUpdateTimeToLiveResponse(R"({"TimeToLiveSpecification":"on"})").ok());
  EXPECT_FALSE(ParseGetItemResponse(R"({"Item":{"pk":{"NULL":"yes"}}})").ok());
  EXPECT_FALSE(ParseUpdateItemResponse(R"({"Attributes":5})").ok());
  EXPECT_FALSE(ParseDeleteItemResponse("{").ok());
  EXPECT_TRUE(ParsePutItemResponse(R"({"ConsumedCapacity":{"TableName":"t","CapacityUnits":1.0}})").ok());
}

TEST(DynamoDbParseTest, EveryTruncationOfAValidQueryReplyIsAnErrorWithAMessage) {
  const std::string full =
      R"({"Count":2,"Items":[{"pk":{"S":"a"},"m":{"M":{"l":{"L":[{"N":"1"},{"B":"YQ=="}]}}}},{"pk":{"S":"b"}}],)"
      R"("ScannedCount":2,"LastEvaluatedKey":{"pk":{"S":"b"}}})";
  ASSERT_TRUE(ParseQueryResponse(full).ok());
  for (size_t n = 0; n < full.size(); ++n) {
    Result<QueryPage> page = ParseQueryResponse(std::string_view(full).substr(0, n));
    ASSERT_FALSE(page.ok()) << n;
    EXPECT_FALSE(page.status().message().empty());
  }
}

TEST(DynamoDbParseTest, QueryCountsDefaultToTheItemsWhenAbsent) {
  Result<QueryPage> page = ParseQueryResponse(R"({"Items":[{"pk":{"S":"a"}},{"pk":{"S":"b"}}]})");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->count, 2);
  EXPECT_EQ(page->scanned_count, 2);
}

}  // namespace
}  // namespace glueguard
