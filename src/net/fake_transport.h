// FakeTransport: an HttpTransport for tests. It records every request and answers from a script of canned
// responses and injected failures, or from a handler function. Thread-safe.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "net/http.h"

namespace glueguard {

class FakeTransport final : public HttpTransport {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;

  // Queues a response (or a failure) for the next request. When the queue is empty the handler answers; with
  // no handler, the request fails with Internal "no scripted response".
  void Push(HttpResponse response);
  void Push(int status, std::string body, HttpHeaders headers = {});
  void PushFailure(Status failure);
  // Shorthands for the failures a network produces: a reset connection and a timeout.
  void PushConnectionReset();
  void PushTimeout();
  void set_handler(Handler handler);

  Result<HttpResponse> Send(const HttpRequest& request) override;

  std::vector<HttpRequest> requests() const;
  size_t remaining() const;

 private:
  mutable std::mutex mu_;
  std::deque<Result<HttpResponse>> script_;  // GUARDED_BY(mu_)
  std::vector<HttpRequest> requests_;        // GUARDED_BY(mu_)
  Handler handler_;                          // GUARDED_BY(mu_)
};

}  // namespace glueguard
