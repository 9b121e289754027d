#include "store/dynamodb_item.h"

#include <fmt/format.h>

#include <chrono>

namespace glueguard::ddb {

AttributeValue ExpiresAt(Time t, Duration retention) {
  return N(std::chrono::duration_cast<std::chrono::seconds>((t + retention).time_since_epoch()).count());
}

ItemReader::ItemReader(const AttributeValue& map, std::string what)
    : item_(map.AsMap() != nullptr ? *map.AsMap() : empty_), what_(std::move(what)) {
  if (map.AsMap() == nullptr) Fail("is not a map");
}

std::string ItemReader::String(const char* name, bool required) {
  const AttributeValue* v = Find(name, required);
  if (v == nullptr) return "";
  if (v->AsString() == nullptr) {
    Fail(fmt::format("attribute {} is not a string", name));
    return "";
  }
  return *v->AsString();
}

int64_t ItemReader::Int(const char* name, bool required, int64_t otherwise) {
  const AttributeValue* v = Find(name, required);
  if (v == nullptr) return otherwise;
  const std::optional<int64_t> n = v->AsInt64();
  if (!n) {
    Fail(fmt::format("attribute {} is not a whole number", name));
    return otherwise;
  }
  return *n;
}

bool ItemReader::Bool(const char* name) {
  const AttributeValue* v = Find(name, false);
  if (v == nullptr) return false;
  if (!v->AsBool()) {
    Fail(fmt::format("attribute {} is not a boolean", name));
    return false;
  }
  return *v->AsBool();
}

const std::vector<AttributeValue>& ItemReader::List(const char* name) {
  const AttributeValue* v = Find(name, false);
  if (v == nullptr) return empty_list_;
  if (v->AsList() == nullptr) {
    Fail(fmt::format("attribute {} is not a list", name));
    return empty_list_;
  }
  return *v->AsList();
}

const AttributeValue* ItemReader::Find(const char* name, bool required) {
  auto it = item_.find(name);
  if (it != item_.end()) return &it->second;
  if (required) Fail(fmt::format("attribute {} is missing", name));
  return nullptr;
}

void ItemReader::Fail(const std::string& problem) {
  if (status_.ok()) status_ = Status::Internal(fmt::format("dynamodb: {}: {}", what_, problem));
}

}  // namespace glueguard::ddb
