// `glueguard store init` and `store check`: the tables' expected shapes, creating what is missing, and
// checking what is there (keys, status, TTL, and read and write access).
#include <fmt/format.h>

#include <optional>

#include "store/dynamodb_item.h"
#include "store/dynamodb_store.h"

namespace glueguard {

using ddb::kTtlAttribute;
using ddb::N;
using ddb::S;

namespace {

struct TableShape {
  const std::string& name;
  KeyAttribute partition_key;
  std::optional<KeyAttribute> sort_key;
  bool ttl;
};

std::vector<TableShape> Shapes(const DynamoDbTableNames& tables) {
  return {{tables.observations, {"subnet_id", "S"}, KeyAttribute{"observed_at", "N"}, true},
          // TTL for the items beside the subnets' states (the doctor's ENI ledger); states never expire.
          {tables.state, {"subnet_id", "S"}, std::nullopt, true},
          {tables.decisions, {"subnet_id", "S"}, KeyAttribute{"decision_key", "S"}, true},
          {tables.sessions, {"pk", "S"}, std::nullopt, true},
          {tables.queue, {"queue", "S"}, KeyAttribute{"id", "N"}, true}};
}

std::string KeyText(const KeyAttribute& key) { return key.name + " (" + key.type + ")"; }

}  // namespace

Status InitDynamoDbTables(DynamoDbApi& dynamodb, const DynamoDbTableNames& tables, Sleeper& sleeper,
                          const Log& log) {
  for (const TableShape& shape : Shapes(tables)) {
    Result<TableDescription> described = dynamodb.DescribeTable(shape.name);
    if (!described.ok() && described.status().code() != StatusCode::kNotFound) return described.status();
    if (!described.ok()) {
      GG_RETURN_IF_ERROR(dynamodb
                             .CreateTable({.table_name = shape.name,
                                           .partition_key = shape.partition_key,
                                           .sort_key = shape.sort_key})
                             .status());
      log("created table " + shape.name + " (on-demand)");
    } else {
      log("table " + shape.name + " exists");
    }
    // A new table takes seconds to become ACTIVE; TTL can only be set on an active one. Asked again after
    // 0.1 s, doubling to at most 5 s, for two minutes in all.
    Duration waited{0}, pause = std::chrono::milliseconds(100);
    for (;;) {
      GG_ASSIGN_OR_RETURN(TableDescription table, dynamodb.DescribeTable(shape.name));
      if (table.table_status == "ACTIVE") break;
      if (waited >= std::chrono::minutes(2)) {
        return Status::DeadlineExceeded("table " + shape.name + " is still " + table.table_status +
                                        " after two minutes");
      }
      sleeper.Sleep(pause);
      waited += pause;
      pause = std::min<Duration>(pause * 2, std::chrono::seconds(5));
    }
    if (!shape.ttl) continue;
    GG_ASSIGN_OR_RETURN(TimeToLiveDescription ttl, dynamodb.DescribeTimeToLive(shape.name));
    if (ttl.status == "ENABLED" || ttl.status == "ENABLING") {
      if (ttl.attribute_name != kTtlAttribute) {
        return Status::FailedPrecondition("table " + shape.name + " has TTL on " + ttl.attribute_name +
                                          ", not on " + kTtlAttribute + ": change it in DynamoDB first");
      }
      log("TTL on " + shape.name + "." + kTtlAttribute + " is " + ttl.status);
      continue;
    }
    const Status turned_on = dynamodb.UpdateTimeToLive(shape.name, kTtlAttribute, true);
    if (turned_on.reason() == "UnknownOperationException") {
      // Local servers such as dynalite have no TTL: items stay until ExpireBefore deletes them.
      log("this DynamoDB server cannot turn TTL on for " + shape.name +
          " (it does not know UpdateTimeToLive)");
      continue;
    }
    GG_RETURN_IF_ERROR(turned_on);
    log("turned TTL on for " + shape.name + "." + kTtlAttribute);
  }
  return Status::Ok();
}

Result<std::vector<std::string>> CheckDynamoDbTables(DynamoDbApi& dynamodb,
                                                     const DynamoDbTableNames& tables) {
  std::vector<std::string> problems;
  for (const TableShape& shape : Shapes(tables)) {
    Result<TableDescription> described = dynamodb.DescribeTable(shape.name);
    if (!described.ok()) {
      if (described.status().code() == StatusCode::kNotFound) {
        problems.push_back("table " + shape.name + " does not exist (glueguard store init creates it)");
        continue;
      }
      if (described.status().code() == StatusCode::kPermissionDenied) {
        problems.push_back("dynamodb:DescribeTable on " + shape.name +
                           " is denied: " + described.status().message());
        continue;
      }
      return described.status();
    }
    const TableDescription& t = *described;
    if (t.table_status != "ACTIVE") problems.push_back("table " + shape.name + " is " + t.table_status);
    if (t.partition_key.name != shape.partition_key.name ||
        t.partition_key.type != shape.partition_key.type) {
      problems.push_back(fmt::format("table {} has partition key {}, expected {}", shape.name,
                                     KeyText(t.partition_key), KeyText(shape.partition_key)));
    }
    const std::string sort = t.sort_key ? KeyText(*t.sort_key) : "none";
    const std::string expected_sort = shape.sort_key ? KeyText(*shape.sort_key) : "none";
    if (sort != expected_sort) {
      problems.push_back(
          fmt::format("table {} has sort key {}, expected {}", shape.name, sort, expected_sort));
    }
    if (shape.ttl) {
      Result<TimeToLiveDescription> ttl = dynamodb.DescribeTimeToLive(shape.name);
      if (!ttl.ok()) {
        problems.push_back("cannot read the TTL of " + shape.name + ": " + ttl.status().message());
      } else if (ttl->status != "ENABLED" || ttl->attribute_name != kTtlAttribute) {
        problems.push_back(fmt::format("table {} has TTL {} on '{}', expected ENABLED on {}", shape.name,
                                       ttl->status.empty() ? "DISABLED" : ttl->status, ttl->attribute_name,
                                       kTtlAttribute));
      }
    }
    // Reading and writing: a read of a key that is never written, and a put whose condition cannot hold. Both
    // change nothing; an AccessDenied names the missing permission.
    Item probe{{shape.partition_key.name, S("glueguard-store-check")}};
    if (shape.sort_key) {
      probe[shape.sort_key->name] = shape.sort_key->type == "N" ? N(0) : S("0");
    }
    const Result<std::optional<Item>> read = dynamodb.GetItem({.table_name = shape.name, .key = probe});
    if (!read.ok())
      problems.push_back("dynamodb:GetItem on " + shape.name + " failed: " + read.status().message());
    const Result<Item> wrote =
        dynamodb.PutItem({.table_name = shape.name,
                          .item = probe,
                          .condition_expression = "attribute_exists(no_such_attribute)"});
    if (!wrote.ok() && wrote.status().reason() != "ConditionalCheckFailedException") {
      problems.push_back("dynamodb:PutItem on " + shape.name + " failed: " + wrote.status().message());
    }
  }
  return problems;
}

}  // namespace glueguard
