#include "net/http_server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include "aws/url.h"

namespace glueguard {

namespace {

constexpr int kMaxPort = 65535;

std::string TooLargeBody(size_t limit) {
  return fmt::format(
      R"({{"__type":"RequestEntityTooLargeException","message":"Request body is larger than {} bytes"}})",
      limit);
}

ServerRequest ToServerRequest(const httplib::Request& req) {
  ServerRequest out;
  out.method = req.method;
  // req.path is decoded; the target is the request line's URI as sent.
  const size_t question = req.target.find('?');
  out.path = req.target.substr(0, question);
  if (question != std::string::npos) out.query = req.target.substr(question + 1);
  out.query_params = FormDecode(out.query);
  out.headers.reserve(req.headers.size());
  for (const auto& [name, value] : req.headers) {
    // httplib adds these to every request it parses; they were not sent.
    if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT")
      continue;
    out.headers.push_back({name, value});
  }
  out.body = req.body;
  out.remote_addr = req.remote_addr;
  return out;
}

void ToHttplibResponse(ServerResponse response, httplib::Response& res) {
  res.status = response.status;
  for (HttpHeader& h : response.headers) res.set_header(h.name, h.value);
  const std::string content_type = response.content_type;
  if (!response.drop_connection) {
    res.set_content(std::move(response.body), content_type);
    if (content_type.empty()) res.headers.erase("Content-Type");
    return;
  }
  // Announce the whole body, write at most half of it, then fail: httplib closes the socket after the
  // headers and the partial body, as a connection dropped by the network looks to the client.
  const size_t announced = std::max<size_t>(response.body.size(), 2);
  auto body = std::make_shared<std::string>(std::move(response.body));
  res.set_content_provider(announced, content_type.empty() ? "application/octet-stream" : content_type,
                           [body, announced](size_t offset, size_t, httplib::DataSink& sink) {
                             const size_t half = announced / 2;
                             if (offset < half && offset < body->size()) {
                               sink.write(body->data() + offset, std::min(half, body->size()) - offset);
                             }
                             return false;
                           });
}

}  // namespace

struct HttpServer::Impl {
  httplib::Server server;
  std::thread listener;
  std::mutex stop_mu;
  bool stopped = false;  // GUARDED_BY(stop_mu)
};

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const ServerOptions& options, HttpHandler handler) {
  if (options.threads < 1) {
    return Status::InvalidArgument(
        fmt::format("HTTP server: threads must be at least 1, not {}", options.threads));
  }
  if (options.port < 0 || options.port > kMaxPort) {
    return Status::InvalidArgument(
        fmt::format("HTTP server: port {} is not in 0..{}", options.port, kMaxPort));
  }
  auto impl = std::make_unique<Impl>();
  httplib::Server& server = impl->server;
  const size_t threads = static_cast<size_t>(options.threads);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(options.max_body_bytes);
  // httplib's default also sets SO_REUSEPORT, which lets a second server bind a port already in use (and
  // share its connections). Only SO_REUSEADDR: a restart may reuse a port in TIME_WAIT, a clash is an error.
  server.set_socket_options([](socket_t sock) {
    const int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  if (!options.keep_alive) server.set_keep_alive_max_count(1);

  std::function<void(std::string_view)> log = options.error_log;
  if (!log) log = [](std::string_view line) { fmt::print(stderr, "{}\n", line); };
  const size_t max_body = options.max_body_bytes;

  auto handle = [handler = std::move(handler), log, max_body](const httplib::Request& req,
                                                              httplib::Response& res) {
    // httplib enforces the limit only when a Content-Length is announced; a chunked body is checked here.
    if (req.body.size() > max_body) {
      res.status = 413;
      res.set_content(TooLargeBody(max_body), "application/json");
      return;
    }
    ServerResponse response;
    try {
      response = handler(ToServerRequest(req));
    } catch (const std::exception& e) {
      log(fmt::format("HTTP server: the handler threw on {} {}: {}", req.method, req.target, e.what()));
      response = ServerResponse{
          500, "application/json", {}, R"({"__type":"InternalFailure","message":"handler failed"})"};
    } catch (...) {
      log(fmt::format("HTTP server: the handler threw a non-exception on {} {}", req.method, req.target));
      response = ServerResponse{
          500, "application/json", {}, R"({"__type":"InternalFailure","message":"handler failed"})"};
    }
    ToHttplibResponse(std::move(response), res);
  };
  const std::string any = ".*";
  server.Get(any, handle);
  server.Post(any, handle);
  server.Put(any, handle);
  server.Patch(any, handle);
  server.Delete(any, handle);
  server.Options(any, handle);
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([max_body](const httplib::Request&, httplib::Response& res) {
        if (res.status != 413) return httplib::Server::HandlerResponse::Unhandled;
        res.set_content(TooLargeBody(max_body), "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }));

  errno = 0;
  const int port = options.port == 0 ? server.bind_to_any_port(options.host)
                                     : (server.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port <= 0) {
    const int error = errno;
    return Status::Unavailable(
        fmt::format("HTTP server: cannot listen on {}:{}: {}", options.host, options.port,
                    error != 0 ? std::strerror(error) : "the host is not a local address"));
  }
  Impl* raw = impl.get();
  impl->listener = std::thread([raw] { raw->server.listen_after_bind(); });
  // stop() before the accept loop runs would be lost and join() would hang: wait until it runs.
  while (!server.is_running()) std::this_thread::yield();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl), options.host, port));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl, std::string host, int port)
    : impl_(std::move(impl)), host_(std::move(host)), port_(port) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  std::lock_guard lock(impl_->stop_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->server.stop();
  if (impl_->listener.joinable()) impl_->listener.join();
}

Result<std::pair<std::string, int>> ParseHostPort(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return Status::InvalidArgument(fmt::format("'{}' is not HOST:PORT", text));
  const std::string port_text = text.substr(colon + 1);
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535) {
    return Status::InvalidArgument(fmt::format("'{}': the port must be 0..65535", text));
  }
  return std::make_pair(text.substr(0, colon), static_cast<int>(port));
}

}  // namespace glueguard
