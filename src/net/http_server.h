// HttpServer: glueguard's HTTP/1.1 server (serve's API and dashboard, simcloud), event-driven on Boost.Asio
// and Boost.Beast; only http_server.cc includes them.
//
// One I/O thread reads and writes every connection; a connection holds no thread while it is idle, slow or
// waiting for its handler, so slow clients cost a socket and a small buffer, never a worker. Handlers run on
// a pool of worker threads. Limits, each answered with a JSON error and the connection closed:
//   request line longer than max_request_line_bytes  -> 414
//   request line plus headers over max_header_bytes  -> 431
//   body over the route's limit                       -> 413 (refused from Content-Length before it is read)
//   malformed request (method, line, header, framing) -> 400
//   headers not complete within header_timeout        -> the connection is closed (a slow or idle client)
// A handler exception is logged and answered 500. Stop() drains: it stops accepting, closes idle connections,
// lets requests in progress finish (up to drain_timeout), then joins the threads.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/log.h"
#include "base/status.h"
#include "net/http.h"

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

// Answers a request, exactly once, from any thread. Calling it after the server stopped does nothing.
using HttpResponder = std::function<void(ServerResponse)>;
// A handler that may answer later (a long poll): it gets the request and a responder and returns at once,
// holding no thread while it waits. Called from the worker threads; must be thread-safe.
using AsyncHttpHandler = std::function<void(ServerRequest, HttpResponder)>;

struct ServerOptions {
  std::string host = "127.0.0.1";   // the address to listen on
  int port = 0;                     // 0: the kernel picks a free port (see HttpServer::port())
  size_t max_body_bytes = 1 << 20;  // the body limit of routes `body_limit` does not name
  // The body limit of one route, from the request's method and path; unset: max_body_bytes for every route.
  std::function<size_t(std::string_view method, std::string_view path)> body_limit;
  int threads = 8;                       // worker threads, i.e. handlers running at once
  int backlog = 4096;                    // the listen backlog (the kernel caps it at net.core.somaxconn)
  size_t max_request_line_bytes = 8192;  // method, target and version
  size_t max_header_bytes = 64 * 1024;   // the request line and every header line together
  size_t max_connections = 20000;        // further connections are answered 503 and closed
  std::chrono::milliseconds header_timeout{
      10'000};  // from a request's first byte (or the previous response)
                // to the end of its headers; also the keep-alive idle limit
  std::chrono::milliseconds body_timeout{30'000};   // to read a body once the headers are in
  std::chrono::milliseconds drain_timeout{10'000};  // how long Stop() lets requests in progress finish
  bool keep_alive = true;  // keep connections open between requests; false: every response closes
  // The body of an error the server itself answers (400, 413, 414, 431, 500, 503). Default: the API's shape,
  // {"error":{"code":"...","message":"..."}}.
  std::function<ServerResponse(int status, std::string_view code, std::string_view message)> error_response;
  // Where the server reports handler exceptions; standard error when unset. Called from worker threads.
  Log error_log;
};

class HttpServer {
 public:
  // Binds, starts the threads and returns once the server accepts connections. Errors: Unavailable naming
  // host:port when it cannot listen (port in use, an address that is not local, a bad host name);
  // InvalidArgument for options out of range (threads < 1, port outside 0..65535).
  static Result<std::unique_ptr<HttpServer>> Start(const ServerOptions& options, HttpHandler handler);
  static Result<std::unique_ptr<HttpServer>> StartAsync(const ServerOptions& options,
                                                        AsyncHttpHandler handler);

  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port the server listens on (the kernel's choice when options.port was 0).
  int port() const { return port_; }
  const std::string& host() const { return host_; }

  // Drains (see above) and joins the threads. Idempotent and thread-safe; must not be called from a handler.
  void Stop();

 private:
  struct Impl;  // the io_context, the acceptor, the connections and the worker pool; defined in the .cc
  HttpServer(std::unique_ptr<Impl> impl, std::string host, int port);

  std::unique_ptr<Impl> impl_;
  std::string host_;
  int port_ = 0;
};

// The API's JSON error: {"error":{"code":code,"message":message}} with `status`.
ServerResponse JsonErrorResponse(int status, std::string_view code, std::string_view message);

// True for an address only this machine can reach: localhost, 127.0.0.0/8, ::1.
bool IsLoopbackHost(std::string_view host);

// Splits "HOST:PORT" (port 0..65535; 0 = any free port); InvalidArgument naming the problem.
Result<std::pair<std::string, int>> ParseHostPort(const std::string& text);

}  // namespace glueguard
