#include "net/fake_transport.h"

namespace glueguard {

void FakeTransport::Push(HttpResponse response) {
  MutexLock lock(mu_);
  script_.emplace_back(std::move(response));
}

void FakeTransport::Push(int status, std::string body, HttpHeaders headers) {
  Push(HttpResponse{status, std::move(headers), std::move(body)});
}

void FakeTransport::PushFailure(Status failure) {
  MutexLock lock(mu_);
  script_.emplace_back(std::move(failure));
}

void FakeTransport::PushConnectionReset() {
  PushFailure(Status::Unavailable("connection reset by peer").WithReason("ConnectionError"));
}

void FakeTransport::PushTimeout() {
  PushFailure(Status::DeadlineExceeded("operation timed out").WithReason("Timeout"));
}

void FakeTransport::set_handler(Handler handler) {
  MutexLock lock(mu_);
  handler_ = std::move(handler);
}

Result<HttpResponse> FakeTransport::Send(const HttpRequest& request) {
  Handler handler;
  {
    MutexLock lock(mu_);
    requests_.push_back(request);
    if (!script_.empty()) {
      Result<HttpResponse> next = std::move(script_.front());
      script_.pop_front();
      return next;
    }
    handler = handler_;
  }
  if (handler) return handler(request);
  return Status::Internal("FakeTransport: no scripted response for " + request.url);
}

std::vector<HttpRequest> FakeTransport::requests() const {
  MutexLock lock(mu_);
  return requests_;
}

size_t FakeTransport::remaining() const {
  MutexLock lock(mu_);
  return script_.size();
}

}  // namespace glueguard
