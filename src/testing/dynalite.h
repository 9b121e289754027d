// dynalite, a DynamoDB server in Node.js (tests/dynalite, installed by scripts/install-deps), started on
// 127.0.0.1 at a port the kernel picks, once per test process, with a DynamoDB client pointed at it. Tests
// share the server and keep apart by table names (FreshTables).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <utility>

#include "aws/dynamodb.h"
#include "base/clock.h"
#include "config/config.h"
#include "net/curl_transport.h"
#include "testing/process.h"
#include "testing/simcloud_aws.h"

namespace glueguard::testing {

class Dynalite {
 public:
  // The process's server, started on first use; nullptr, with `error` saying why, when it cannot start.
  static Dynalite* Shared(std::string& error);

  const std::string& endpoint() const { return endpoint_; }
  DynamoDbApi& client() { return *client_; }
  // Table names no other caller in this process has had.
  DynamoDbTableNames FreshTables();

 private:
  Dynalite() = default;

  std::unique_ptr<ChildProcess> process_;
  std::string endpoint_;
  CurlTransport transport_;
  SystemClock clock_;
  SystemSleeper sleeper_;
  std::unique_ptr<SimcloudAws> aws_;
  std::unique_ptr<DynamoDbClient> client_;
  std::atomic<int> tables_made_{0};
};

// The shared server and fresh tables made as `store init` makes them; throws std::runtime_error saying why
// when either fails (for the factories of parameterised store tests).
std::pair<Dynalite*, DynamoDbTableNames> DynaliteWithFreshTables();

}  // namespace glueguard::testing
