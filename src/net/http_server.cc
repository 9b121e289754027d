// One file, over 500 lines: the connection's state machine (headers, body, dispatch, keep-alive, timeouts)
// and the server that owns the io_context share ServerCore and private types that no header should expose.
#include "net/http_server.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <exception>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <unordered_map>

#include "base/mutex.h"
#include "base/strings.h"
#include "net/url.h"

namespace glueguard {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr int kMaxPort = 65535;
// After an error response the server stops sending and discards what the client still sends, for at most
// this long and this much, before closing: closing a socket with unread data resets the connection, and the
// client would lose the response.
constexpr std::chrono::seconds kLingerTime{2};
constexpr size_t kLingerBytes = 1 << 20;

}  // namespace

ServerResponse JsonErrorResponse(int status, std::string_view code, std::string_view message) {
  ServerResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump() + "\n";
  return r;
}

class Connection;

// What connections share with the server, kept alive by them: the io_context, the options and the handler.
// Owns no thread, so the last reference may drop anywhere.
struct ServerCore {
  ServerOptions options;
  AsyncHttpHandler handler;
  Log log;
  asio::io_context io;
  // Keeps io.run() going while no operation is pending: with the acceptor closed (Stop) and a request's
  // handler still running on a worker, the loop would otherwise end and the answer would never be written.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::optional<asio::thread_pool> workers;

  Mutex mu;
  CondVar drained;  // a connection closed
  std::unordered_map<Connection*, std::weak_ptr<Connection>> live GG_GUARDED_BY(mu);
  bool stopping GG_GUARDED_BY(mu) = false;

  ServerResponse Error(int status, std::string_view code, std::string_view message) const {
    return options.error_response ? options.error_response(status, code, message)
                                  : JsonErrorResponse(status, code, message);
  }
  bool Stopping() GG_EXCLUDES(mu) {
    MutexLock lock(mu);
    return stopping;
  }
};

// One client connection. Every member is touched only on the I/O thread, except what the responder posts.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<ServerCore> core, tcp::socket socket)
      : core_(std::move(core)),
        stream_(std::move(socket)),
        buffer_(core_->options.max_header_bytes + core_->options.max_request_line_bytes + 64 * 1024) {
    beast::error_code ec;
    const tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = peer.address().to_string();
  }
  ~Connection() {
    MutexLock lock(core_->mu);
    core_->live.erase(this);
    core_->drained.NotifyAll();
  }

  void Start() {
    {
      MutexLock lock(core_->mu);
      core_->live.emplace(this, weak_from_this());
    }
    ReadRequest();
  }

  // Refuses the connection at once (too many connections).
  void Refuse() {
    Answer(core_->Error(503, "unavailable", "the server has too many connections; try again"), false);
  }

  // Stop(): an idle connection closes now; one with a request in progress closes after answering it.
  void CloseIfIdle() {
    if (!busy_) Close();
  }
  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

 private:
  void ReadRequest() {
    busy_ = false;
    if (core_->Stopping()) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(core_->options.max_header_bytes));
    // The route's limit is set once the headers name the route (OnHeader); until then none, or the parser
    // would refuse a Content-Length over the default before the route could allow it.
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    stream_.expires_after(core_->options.header_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec, /*in_headers=*/true);
    busy_ = true;
    const auto& req = parser_->get();
    const size_t line = req.method_string().size() + req.target().size() + 10;
    if (line > core_->options.max_request_line_bytes) {
      return RequestLineTooLong();
    }
    const std::string_view target(req.target().data(), req.target().size());
    const std::string_view path = target.substr(0, target.find('?'));
    const std::string_view method(req.method_string().data(), req.method_string().size());
    const size_t limit =
        core_->options.body_limit ? core_->options.body_limit(method, path) : core_->options.max_body_bytes;
    if (parser_->content_length() && *parser_->content_length() > limit) return BodyTooLarge(limit);
    parser_->body_limit(limit);
    body_limit_ = limit;
    if (parser_->is_done()) return Dispatch();
    stream_.expires_after(core_->options.body_timeout);
    auto read_body = [self = shared_from_this()] {
      http::async_read(self->stream_, self->buffer_, *self->parser_, [self](beast::error_code e, size_t) {
        if (e) return self->OnReadError(e, /*in_headers=*/false);
        self->Dispatch();
      });
    };
    const auto expect = req.find(http::field::expect);
    if (expect != req.end() && beast::iequals(expect->value(), "100-continue")) {
      auto interim = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
      asio::async_write(stream_, asio::buffer(*interim),
                        [self = shared_from_this(), interim, read_body](beast::error_code e, size_t) {
                          if (e) return self->Close();
                          read_body();
                        });
      return;
    }
    read_body();
  }

  void OnReadError(beast::error_code ec, bool in_headers) {
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::operation_aborted ||
        ec == beast::error::timeout || ec == asio::error::connection_reset ||
        ec == asio::error::bad_descriptor) {
      return Close();  // the client went away, was too slow, or the server is stopping
    }
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      // The parser consumes the request line once it is whole; until then the buffer starts with it, and no
      // line end within the limit means the request line is the long part.
      if (!parser_->got_some()) {
        const auto data = buffer_.cdata();
        const std::string_view seen(static_cast<const char*>(data.data()), data.size());
        const size_t end_of_line = seen.find("\r\n");
        if (end_of_line == std::string_view::npos || end_of_line > core_->options.max_request_line_bytes) {
          return RequestLineTooLong();
        }
      }
      return Answer(core_->Error(431, "request_header_fields_too_large",
                                 fmt::format("the request's headers are larger than {} bytes",
                                             core_->options.max_header_bytes)),
                    false);
    }
    if (ec == http::error::body_limit) return BodyTooLarge(body_limit_);
    busy_ = true;
    Answer(core_->Error(400, "bad_request",
                        fmt::format("malformed HTTP request{}: {}", in_headers ? "" : " body", ec.message())),
           false);
  }

  void RequestLineTooLong() {
    Answer(core_->Error(414, "uri_too_long",
                        fmt::format("the request line is longer than {} bytes",
                                    core_->options.max_request_line_bytes)),
           false);
  }

  void BodyTooLarge(size_t limit) {
    Answer(core_->Error(413, "request_too_large",
                        fmt::format("the request body is larger than {} bytes", limit)),
           false);
  }

  void Dispatch() {
    stream_.expires_never();
    http::request<http::string_body> req = parser_->release();
    const bool keep_alive = core_->options.keep_alive && req.keep_alive();
    ServerRequest request;
    request.method = std::string(req.method_string());
    const std::string_view target(req.target().data(), req.target().size());
    const size_t question = target.find('?');
    request.path = std::string(target.substr(0, question));
    if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
    request.query_params = FormDecode(request.query);
    for (const auto& field : req) {
      request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    // Grouped by name, each name's lines in the order received.
    std::stable_sort(
        request.headers.begin(), request.headers.end(),
        [](const HttpHeader& a, const HttpHeader& b) { return ToLower(a.name) < ToLower(b.name); });
    request.body = std::move(req.body());
    request.remote_addr = remote_;

    auto answered = std::make_shared<std::atomic<bool>>(false);
    // The responder keeps the connection until it is used: a long poll's connection lives while it waits.
    // Used after Stop() closed the connection, its write fails and nothing more happens.
    HttpResponder respond = [self = shared_from_this(), answered, keep_alive](ServerResponse r) {
      if (answered->exchange(true)) return;
      asio::post(self->core_->io,
                 [self, r = std::move(r), keep_alive]() mutable { self->Answer(std::move(r), keep_alive); });
    };
    asio::post(*core_->workers,
               [self = shared_from_this(), core = core_, request = std::move(request), respond]() mutable {
                 const std::string what = request.method + " " + request.path;
                 try {
                   core->handler(std::move(request), respond);
                 } catch (const std::exception& e) {
                   core->log(fmt::format("HTTP server: the handler threw on {}: {}", what, e.what()));
                   respond(core->Error(500, "internal", "handler failed"));
                 } catch (...) {
                   core->log(fmt::format("HTTP server: the handler threw a non-exception on {}", what));
                   respond(core->Error(500, "internal", "handler failed"));
                 }
               });
  }

  // Writes `r`; then reads the next request when `keep_alive`, or closes (lingering after an error).
  void Answer(ServerResponse r, bool keep_alive) {
    if (r.drop_connection) return DropMidResponse(std::move(r));
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    for (HttpHeader& h : r.headers) res->insert(h.name, h.value);
    if (!r.content_type.empty()) res->set(http::field::content_type, r.content_type);
    res->body() = std::move(r.body);
    keep_alive = keep_alive && !core_->Stopping();
    res->keep_alive(keep_alive);
    res->prepare_payload();
    const bool error = r.status >= 400 && !keep_alive && parser_ && !parser_->is_done();
    stream_.expires_after(core_->options.body_timeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, keep_alive, error](beast::error_code ec, size_t) {
                        if (ec) return self->Close();
                        if (keep_alive) return self->ReadRequest();
                        if (error) return self->Linger();
                        self->Close();
                      });
  }

  // Stops sending, then reads and discards what the client still sends for a moment, so that it reads the
  // error response before the connection closes.
  void Linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    stream_.expires_after(kLingerTime);
    DiscardSome();
  }
  void DiscardSome() {
    auto sink = std::make_shared<std::array<char, 16 * 1024>>();
    stream_.async_read_some(asio::buffer(*sink),
                            [self = shared_from_this(), sink](beast::error_code ec, size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kLingerBytes) return self->Close();
                              self->DiscardSome();
                            });
  }

  void DropMidResponse(ServerResponse r) {
    const size_t announced = std::max<size_t>(r.body.size(), 2);
    std::string head = fmt::format(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\n", r.status,
        std::string(http::obsolete_reason(http::int_to_status(static_cast<unsigned>(r.status)))), announced);
    if (!r.content_type.empty()) head += fmt::format("Content-Type: {}\r\n", r.content_type);
    for (const HttpHeader& h : r.headers) head += fmt::format("{}: {}\r\n", h.name, h.value);
    head += "\r\n";
    head += r.body.substr(0, std::min(announced / 2, r.body.size()));
    auto bytes = std::make_shared<std::string>(std::move(head));
    asio::async_write(stream_, asio::buffer(*bytes),
                      [self = shared_from_this(), bytes](beast::error_code, size_t) { self->Close(); });
  }

  std::shared_ptr<ServerCore> core_;  // first: the stream below uses its io_context until it is destroyed
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  size_t body_limit_ = 0;
  size_t lingered_ = 0;
  bool busy_ = false;  // a request is being answered: Stop() lets it finish
};

struct HttpServer::Impl {
  std::shared_ptr<ServerCore> core;
  std::optional<tcp::acceptor> acceptor;
  std::thread io_thread;
  std::optional<asio::steady_timer> retry_accept;
  Mutex stop_mu;
  bool stopped GG_GUARDED_BY(stop_mu) = false;

  void Accept() {
    acceptor->async_accept(core->io, [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) return;
      if (ec) {
        // Out of descriptors or memory: say so and try again shortly rather than spin.
        core->log(fmt::format("HTTP server: accept failed: {}", ec.message()));
        retry_accept->expires_after(std::chrono::milliseconds(100));
        retry_accept->async_wait([this](beast::error_code e) {
          if (!e) Accept();
        });
        return;
      }
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      size_t open = 0;
      {
        MutexLock lock(core->mu);
        open = core->live.size();
      }
      auto connection = std::make_shared<Connection>(core, std::move(socket));
      if (open >= core->options.max_connections) {
        connection->Refuse();
      } else {
        connection->Start();
      }
      Accept();
    });
  }
};

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const ServerOptions& options, HttpHandler handler) {
  return StartAsync(options, [handler = std::move(handler)](ServerRequest request, HttpResponder respond) {
    respond(handler(request));
  });
}

Result<std::unique_ptr<HttpServer>> HttpServer::StartAsync(const ServerOptions& options,
                                                           AsyncHttpHandler handler) {
  if (options.threads < 1) {
    return Status::InvalidArgument(
        fmt::format("HTTP server: threads must be at least 1, not {}", options.threads));
  }
  if (options.port < 0 || options.port > kMaxPort) {
    return Status::InvalidArgument(
        fmt::format("HTTP server: port {} is not in 0..{}", options.port, kMaxPort));
  }
  auto impl = std::make_unique<Impl>();
  impl->core = std::make_shared<ServerCore>();
  ServerCore& core = *impl->core;
  core.options = options;
  core.handler = std::move(handler);
  core.log = options.error_log;
  if (!core.log) core.log = Log::Stderr();

  auto cannot_listen = [&](const std::string& why) {
    return Status::Unavailable(
        fmt::format("HTTP server: cannot listen on {}:{}: {}", options.host, options.port, why));
  };
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.host, ec);
  tcp::endpoint endpoint;
  if (ec) {
    // A host name: resolve it (only to local addresses will the bind succeed).
    tcp::resolver resolver(core.io);
    auto results = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec || results.empty()) return cannot_listen(ec ? ec.message() : "the host has no address");
    endpoint = results.begin()->endpoint();
  } else {
    endpoint = tcp::endpoint(address, static_cast<unsigned short>(options.port));
  }
  impl->acceptor.emplace(core.io);
  tcp::acceptor& acceptor = *impl->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return cannot_listen(ec.message());
  // SO_REUSEADDR only: a restart may reuse a port in TIME_WAIT; a second server on a port in use is an error.
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  acceptor.bind(endpoint, ec);
  if (ec) {
    return cannot_listen(ec == boost::system::errc::address_not_available ? "the host is not a local address"
                                                                          : ec.message());
  }
  acceptor.listen(options.backlog, ec);
  if (ec) return cannot_listen(ec.message());
  const int port = acceptor.local_endpoint().port();

  core.workers.emplace(static_cast<size_t>(options.threads));
  core.work.emplace(core.io.get_executor());
  impl->retry_accept.emplace(core.io);
  impl->Accept();
  Impl* raw = impl.get();
  impl->io_thread = std::thread([raw] { raw->core->io.run(); });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl), options.host, port));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl, std::string host, int port)
    : impl_(std::move(impl)), host_(std::move(host)), port_(port) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  MutexLock stop_lock(impl_->stop_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  ServerCore& core = *impl_->core;
  auto for_each_connection = [&core](auto fn) {
    std::vector<std::shared_ptr<Connection>> open;
    {
      MutexLock lock(core.mu);
      for (auto& [raw, weak] : core.live) {
        if (auto c = weak.lock()) open.push_back(std::move(c));
      }
    }
    for (auto& c : open) fn(*c);
  };
  {
    MutexLock lock(core.mu);
    core.stopping = true;
  }
  // Stop accepting and close idle connections, on the I/O thread that owns them.
  asio::post(core.io, [this, for_each_connection] {
    beast::error_code ec;
    impl_->acceptor->close(ec);
    impl_->retry_accept->cancel();
    for_each_connection([](Connection& c) { c.CloseIfIdle(); });
  });
  {
    MutexLock lock(core.mu);
    const auto deadline = std::chrono::steady_clock::now() + core.options.drain_timeout;
    while (!core.live.empty()) {
      if (!core.drained.WaitUntil(core.mu, deadline)) break;
    }
  }
  // Whatever is still open after the drain is cut.
  asio::post(core.io, [for_each_connection] { for_each_connection([](Connection& c) { c.Close(); }); });
  core.workers->join();
  asio::post(core.io, [&core] {
    core.work.reset();
    core.io.stop();
  });
  if (impl_->io_thread.joinable()) impl_->io_thread.join();
  // Completions still queued (sockets closed above abort their operations) hold their connections, which
  // hold the io_context: run them here so nothing is left holding anything.
  core.io.restart();
  while (core.io.poll() > 0) {
  }
  // An answer that arrived after the drain may have started a write only now: no thread runs the loop any
  // more, so close what is left from here and run what that completes.
  for_each_connection([](Connection& c) { c.Close(); });
  while (core.io.poll() > 0) {
  }
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost") return true;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(std::string(host), ec);
  return !ec && address.is_loopback();
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
