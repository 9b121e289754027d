// CurlTransport: the real HttpTransport, over libcurl. TLS peers are verified; connections are kept and reused
// (a small pool of handles); the standard proxy variables (http_proxy, https_proxy, no_proxy) are honoured by
// libcurl itself; CURL_CA_BUNDLE, when set, names the CA file. Thread-safe.
#pragma once

#include <memory>
#include <vector>

#include "base/mutex.h"
#include "net/http.h"

namespace glueguard {

class CurlTransport final : public HttpTransport {
 public:
  CurlTransport();
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request) override GG_EXCLUDES(mu_);

 private:
  struct Handle;  // a CURL easy handle, owned; defined in the .cc
  std::unique_ptr<Handle> Take() GG_EXCLUDES(mu_);
  void Give(std::unique_ptr<Handle> handle) GG_EXCLUDES(mu_);

  Mutex mu_;
  std::vector<std::unique_ptr<Handle>> idle_ GG_GUARDED_BY(mu_);
};

}  // namespace glueguard
