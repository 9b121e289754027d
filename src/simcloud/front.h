// The front of simcloud: the request pipeline every AWS call goes through, independent of the simulated
// world.
//
//   HttpServer -> ParseAwsCall (service, protocol, operation) -> SigV4 verification -> routing to the
//              ServiceHandler registered for the service (unknown operations answered here) -> fault
//              injection (latency, throttling, 5xx; a dropped connection after the handler ran) -> the
//              handler -> response
//
// Paths under /_simcloud/ skip all of that and go to inspection handlers (what simcloud has seen and done,
// and its fault configuration), registered by path. Built in: GET /_simcloud/requests (request counts) and
// GET/POST /_simcloud/faults (the fault configuration and counters; POST replaces the configuration with the
// JSON of ParseFaultConfig).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "base/clock.h"
#include "base/mutex.h"
#include "base/random.h"
#include "base/status.h"
#include "net/http_server.h"
#include "simcloud/faults.h"
#include "simcloud/sigv4_verifier.h"
#include "simcloud/wire.h"

namespace glueguard {

// The key tests and the docs use: AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY (AWS's documented
// example key), account 123456789012, user "simcloud".
std::vector<SimCredential> DefaultTestCredentials();

struct FrontOptions {
  ServerOptions server;  // where to listen: 127.0.0.1, a port the kernel picks
  std::vector<SimCredential> credentials = DefaultTestCredentials();  // the keys requests may be signed with
  Duration max_clock_skew = std::chrono::minutes(15);  // X-Amz-Date may be this far from the front's clock
  // When false, signatures are not checked: the caller is the signing key's credential when it is known,
  // else the first credential. For debugging clients; never the default.
  bool verify_signatures = true;
};

// Answers a request under /_simcloud/. Must be thread-safe.
using InspectionHandler = std::function<ServerResponse(const ServerRequest&)>;
inline constexpr std::string_view kInspectionPrefix = "/_simcloud/";

// How many calls ended how. Outcomes: "ok" (2xx), "client_error" (4xx from the handler), "server_error" (5xx
// from the handler), "auth_failed", "bad_request" (no Action, an unknown X-Amz-Target prefix or service),
// "unknown_operation", "throttled", "injected_server_error", "dropped".
struct RequestCount {
  std::string service;    // "" when it could not be told
  std::string operation;  // "" when there was none
  std::string outcome;
  int64_t count = 0;
};

class Front {
 public:
  // `clock` (the signature skew check), `random` (request ids, fault draws) and `sleeper` (injected latency)
  // must outlive the front.
  Front(FrontOptions options, Clock& clock, Random& random, Sleeper& sleeper);
  ~Front();  // Stop()s
  Front(const Front&) = delete;
  Front& operator=(const Front&) = delete;

  // Routes calls to `service` ("ec2", "glue", "sns", "sqs", "sts") to `handler`, which must outlive the
  // front. InvalidArgument for another service name or a service already registered; FailedPrecondition after
  // Start.
  Status Register(std::string_view service, ServiceHandler& handler);
  // Answers requests whose path is exactly `path` (which must start with /_simcloud/) with `handler`.
  // InvalidArgument for another path or one already taken; FailedPrecondition after Start.
  Status RegisterInspection(std::string path, InspectionHandler handler);

  // Starts serving on options.server. Errors: HttpServer::Start's; FailedPrecondition when already started.
  Status Start() GG_EXCLUDES(server_mu_);
  // The port it listens on; 0 before Start.
  int port() const;
  // "http://<host>:<port>": what clients pass as --endpoint-url.
  std::string endpoint() const;
  // Shuts the handlers down (ending long polls), then stops the server. Idempotent.
  void Stop() GG_EXCLUDES(server_mu_);

  // The whole pipeline for one request, without sockets, answered through `done` exactly once (a long poll
  // answers later, holding no thread): what the server calls. Thread-safe.
  void ServeAsync(const ServerRequest& request, HttpResponder done);
  // The same, waiting for the answer: for tests and in-process callers.
  ServerResponse Serve(const ServerRequest& request);

  // The fault configuration; change it at any time.
  FaultInjector& faults() { return faults_; }
  // Counts by service, operation and outcome, sorted.
  std::vector<RequestCount> RequestCounts() const GG_EXCLUDES(counts_mu_);

 private:
  ServerResponse Inspect(const ServerRequest& request);
  void Answer(AwsCall& call, const ServerRequest& request, HttpResponder done);
  Caller UnverifiedCaller(const ServerRequest& request) const;
  std::optional<SimCredential> FindCredential(std::string_view access_key_id) const;
  void Count(const AwsCall& call, std::string_view outcome) GG_EXCLUDES(counts_mu_);

  const FrontOptions options_;
  Clock& clock_;
  Random& random_;
  FaultInjector faults_;
  std::map<std::string, SimCredential, std::less<>> credentials_;  // by access key id; immutable
  // Written only before Start, read-only after: no lock.
  std::map<std::string, ServiceHandler*, std::less<>> handlers_;
  std::map<std::string, InspectionHandler, std::less<>> inspection_;
  std::atomic<bool> started_{false};
  std::atomic<int> port_{0};

  Mutex server_mu_;
  std::unique_ptr<HttpServer> server_ GG_GUARDED_BY(server_mu_);
  bool stopped_ GG_GUARDED_BY(server_mu_) = false;

  mutable Mutex counts_mu_;
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> counts_ GG_GUARDED_BY(counts_mu_);
};

}  // namespace glueguard
