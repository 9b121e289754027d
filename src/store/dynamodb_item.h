// Building and reading DynamoDB items, for every table glueguard keeps there (the store's, the session
// store's, the doctor's ENI ledger): short constructors for attribute values, the TTL attribute, and a
// reader that keeps the first problem and names the table and the attribute in it.
#pragma once

#include <string>
#include <vector>

#include "aws/dynamodb.h"
#include "base/status.h"
#include "base/time.h"

namespace glueguard::ddb {

// The attribute DynamoDB's TTL is enabled on, in every table that expires items (epoch seconds).
inline constexpr char kTtlAttribute[] = "expires_at";

inline AttributeValue S(const std::string& s) { return AttributeValue::String(s); }
inline AttributeValue N(int64_t n) { return AttributeValue::Number(n); }
inline AttributeValue Millis(Time t) { return N(ToUnixMillis(t)); }
// `t` + `retention` in epoch seconds, as DynamoDB's TTL reads it.
AttributeValue ExpiresAt(Time t, Duration retention);

// Reads typed attributes of one item, keeping the first problem, which names `what` (the table and the
// item) and the attribute: an Internal status.
class ItemReader {
 public:
  ItemReader(const Item& item, std::string what) : item_(item), what_(std::move(what)) {}
  // A map attribute read as an item; a value that is not a map is the reader's first problem.
  ItemReader(const AttributeValue& map, std::string what);

  // Missing and not required: "".
  std::string String(const char* name, bool required = false);
  // Missing and not required: `otherwise`.
  int64_t Int(const char* name, bool required = true, int64_t otherwise = 0);
  Time TimeAt(const char* name, bool required = true) { return FromUnixMillis(Int(name, required)); }
  // Missing: false.
  bool Bool(const char* name);
  // Missing: empty.
  const std::vector<AttributeValue>& List(const char* name);
  Status status() const { return status_; }

 private:
  const AttributeValue* Find(const char* name, bool required);
  void Fail(const std::string& problem);

  static inline const Item empty_{};
  static inline const std::vector<AttributeValue> empty_list_{};
  const Item& item_;
  std::string what_;
  Status status_;
};

}  // namespace glueguard::ddb
