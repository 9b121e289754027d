// FakeTransport: an HttpTransport for tests. It records every request and answers from a script of canned
// responses and injected failures, or from a handler function. Thread-safe.
#pragma once

#include <deque>
#include <functional>
#include <vector>

#include "base/mutex.h"
#include "net/http.h"

namespace glueguard {

class FakeTransport final : public HttpTransport {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;

  // Queues a response (or a failure) for the next request. When the queue is empty the handler answers; with
  // no handler, the request fails with Internal "no scripted response".
  void Push(HttpResponse response) GG_EXCLUDES(mu_);
  void Push(int status, std::string body, HttpHeaders headers = {}) GG_EXCLUDES(mu_);
  void PushFailure(Status failure) GG_EXCLUDES(mu_);
  // Shorthands for the failures a network produces: a reset connection and a timeout.
  void PushConnectionReset();
  void PushTimeout();
  void set_handler(Handler handler) GG_EXCLUDES(mu_);

  Result<HttpResponse> Send(const HttpRequest& request) override GG_EXCLUDES(mu_);

  std::vector<HttpRequest> requests() const GG_EXCLUDES(mu_);
  size_t remaining() const GG_EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  std::deque<Result<HttpResponse>> script_ GG_GUARDED_BY(mu_);
  std::vector<HttpRequest> requests_ GG_GUARDED_BY(mu_);
  Handler handler_ GG_GUARDED_BY(mu_);
};

}  // namespace glueguard
