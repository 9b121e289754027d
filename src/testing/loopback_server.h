// An HTTP server on 127.0.0.1 for tests (cpp-httplib), on a port the kernel picks; stopped with the object.
#pragma once

#include <httplib.h>

#include <string>
#include <thread>

namespace glueguard::testing {

class LoopbackServer {
 public:
  LoopbackServer() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the accept loop has started is lost and join() would hang: wait until it runs.
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~LoopbackServer() { Stop(); }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  void Stop() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  // Register handlers before the first request is sent.
  httplib::Server& server() { return server_; }
  std::string Url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace glueguard::testing
