// HttpServer: glueguard's HTTP server, a narrow interface over cpp-httplib (only http_server.cc includes it).
// One handler function answers every request; the server reads the request, enforces the body limit, turns
// handler exceptions into 500s and can simulate a connection dropped mid-response.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/http.h"
#include "base/status.h"

namespace glueguard {

struct ServerRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // as sent (still percent-encoded), without the query: "/", "/123456789012/q"
  std::string query;   // as sent, without '?'; empty when there is none
  std::vector<std::pair<std::string, std::string>> query_params;  // `query` decoded, in order
  HttpHeaders headers;  // as received, grouped by name; a repeated header keeps its lines' order
  std::string body;
  std::string remote_addr;  // the peer's IP address

  // The first header named `name` (ASCII case-insensitive), or nullptr.
  const std::string* Header(std::string_view name) const { return FindHeader(headers, name); }
};

struct ServerResponse {
  int status = 200;
  std::string content_type;  // sent as Content-Type when not empty
  HttpHeaders headers;       // extra headers; Content-Length is the server's
  std::string body;
  // Sends the status line and headers (Content-Length announcing the whole body), then at most half of the
  // body, then closes the connection: what a client sees when a connection drops mid-response.
  bool drop_connection = false;
};

// Must be thread-safe: it is called from the server's worker threads concurrently. An exception it throws is
// logged and answered with a 500; the server keeps running.
using HttpHandler = std::function<ServerResponse(const ServerRequest&)>;

struct ServerOptions {
  std::string host = "127.0.0.1";   // the address to listen on
  int port = 0;                     // 0: the kernel picks a free port (see HttpServer::port())
  size_t max_body_bytes = 1 << 20;  // larger request bodies get 413 and never reach the handler
  int threads = 8;                  // worker threads, i.e. requests handled at once
  // Keep connections open between requests (for up to 5 s idle). Off by default: each response then says
  // "Connection: close", and Stop() never waits for an idle client connection, which httplib's workers
  // would otherwise sit on until the idle time runs out.
  bool keep_alive = false;
  // Where the server reports handler exceptions; stderr when unset. Called from worker threads.
  std::function<void(std::string_view)> error_log;
};

class HttpServer {
 public:
  // Binds, starts the worker threads and returns once the server accepts connections. Errors: Unavailable
  // naming host:port when it cannot listen (port in use, an address that is not local, a bad host name);
  // InvalidArgument for options out of range (threads < 1, port outside 0..65535).
  static Result<std::unique_ptr<HttpServer>> Start(const ServerOptions& options, HttpHandler handler);

  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port the server listens on (the kernel's choice when options.port was 0).
  int port() const { return port_; }
  const std::string& host() const { return host_; }

  // Stops accepting, lets requests in progress finish, and joins the threads. Idempotent and thread-safe;
  // must not be called from the handler.
  void Stop();

 private:
  struct Impl;  // owns the httplib::Server and its listener thread; defined in the .cc
  HttpServer(std::unique_ptr<Impl> impl, std::string host, int port);

  std::unique_ptr<Impl> impl_;
  std::string host_;
  int port_ = 0;
};

// Splits "HOST:PORT" (port 0..65535; 0 = any free port); InvalidArgument naming the problem.
Result<std::pair<std::string, int>> ParseHostPort(const std::string& text);

}  // namespace glueguard
