// A raw TCP client for tests of the HTTP server's framing and limits: it sends exactly the bytes it is given
// (partial headers, oversized lines, nothing at all) and reads whatever comes back, on 127.0.0.1.
#pragma once

#include <string>
#include <string_view>

namespace glueguard::testing {

class RawHttpConnection {
 public:
  // Connects to 127.0.0.1:port; ok() is false when the connection was refused.
  explicit RawHttpConnection(int port);
  ~RawHttpConnection();
  RawHttpConnection(const RawHttpConnection&) = delete;
  RawHttpConnection& operator=(const RawHttpConnection&) = delete;

  bool ok() const { return fd_ >= 0; }
  // Sends all of `bytes`; false when the peer closed or reset the connection.
  bool Send(std::string_view bytes);
  // Reads one HTTP response (headers and a Content-Length body); empty when the connection closed first.
  std::string ReadResponse();
  // Reads until the peer closes the connection; true when it closed (EOF or reset) rather than failing
  // otherwise. Blocks until then.
  bool WaitForClose();
  // "HTTP/1.1 431 ..." -> 431; 0 when `response` is not a response.
  static int StatusOf(const std::string& response);
  // The body of `response` (after the blank line).
  static std::string BodyOf(const std::string& response);

 private:
  int fd_ = -1;
  std::string pending_;  // bytes read past the last response
};

}  // namespace glueguard::testing
