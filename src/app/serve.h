// ServeRuntime: everything `glueguard serve` runs, built from a configuration — the AWS clients, the store
// and (with DynamoDB) the poller lease, session boundaries when configured (their store, dead letters,
// notifiers and the service behind POST /v1/events), and the controller's HTTP server. The CLI parses flags
// and prints; this is where the parts are put together.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "base/env.h"
#include "base/log.h"
#include "base/status.h"
#include "config/config.h"

namespace glueguard {

class ServeRuntime {
 public:
  ~ServeRuntime();

  // Builds every part and starts the server on host:port (0: a port the kernel picks). `log` takes one line
  // per thing the session service does. Errors: the AWS environment's, the store's, the notify section's,
  // the server's (the address is taken).
  static Result<std::unique_ptr<ServeRuntime>> Start(const Config& config, const EnvLookup& env,
                                                     const std::string& host, int port, Log log);

  // The API's base URL, e.g. http://127.0.0.1:8080.
  std::string url() const;
  // "3 subnets, 3 categories, store sqlite (glueguard.db)" and, with DynamoDB, its tables and this replica.
  std::string Describe() const;
  // Stops accepting, finishes requests in flight, then stops the session service. Idempotent.
  void Stop();

 private:
  struct Parts;
  explicit ServeRuntime(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace glueguard
