#include "net/curl_transport.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cstdlib>
#include <mutex>
#include <string>

namespace glueguard {

namespace {

constexpr size_t kMaxIdleHandles = 8;
constexpr size_t kMaxResponseBytes = 64 * 1024 * 1024;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The CA file named by CURL_CA_BUNDLE (the curl tool's own convention), read once; empty when unset, for
// libcurl's built-in default. The Lambda package's bootstrap sets it to where the host keeps its bundle.
const std::string& CaBundle() {
  static const std::string path = [] {
    const char* v = std::getenv("CURL_CA_BUNDLE");
    return std::string(v == nullptr ? "" : v);
  }();
  return path;
}

struct SlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct Collected {
  std::string body;
  HttpHeaders headers;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<Collected*>(user);
  const size_t bytes = size * count;
  if (out->body.size() + bytes > kMaxResponseBytes) {
    out->too_large = true;
    return 0;  // makes curl fail the transfer
  }
  out->body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<Collected*>(user);
  const size_t bytes = size * count;
  std::string_view line(data, bytes);
  if (line.rfind("HTTP/", 0) == 0) {
    out->headers.clear();  // a new response (after a 100 Continue or a redirect)
    return bytes;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
  out->headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  return bytes;
}

}  // namespace

struct CurlTransport::Handle {
  Handle() : curl(curl_easy_init()) {}
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  CURL* curl;
};

CurlTransport::CurlTransport() { GlobalInit(); }
CurlTransport::~CurlTransport() = default;

std::unique_ptr<CurlTransport::Handle> CurlTransport::Take() {
  {
    MutexLock lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Handle> h = std::move(idle_.back());
      idle_.pop_back();
      curl_easy_reset(h->curl);  // keeps the connection cache
      return h;
    }
  }
  return std::make_unique<Handle>();
}

void CurlTransport::Give(std::unique_ptr<Handle> handle) {
  MutexLock lock(mu_);
  if (idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(handle));
}

Result<HttpResponse> CurlTransport::Send(const HttpRequest& request) {
  std::unique_ptr<Handle> handle = Take();
  if (handle->curl == nullptr) return Status::Internal("curl_easy_init failed");
  CURL* curl = handle->curl;
  Collected collected;
  char error[CURL_ERROR_SIZE] = {0};

  std::unique_ptr<curl_slist, SlistFree> headers;
  for (const HttpHeader& h : request.headers) {
    const std::string line = h.value.empty() ? h.name + ";" : h.name + ": " + h.value;
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) return Status::Internal("curl_slist_append failed");
    (void)headers.release();
    headers.reset(next);
  }
  // No 100-continue round trip: AWS answers large bodies fine without it.
  curl_slist* next = curl_slist_append(headers.get(), "Expect:");
  (void)headers.release();
  headers.reset(next);

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!CaBundle().empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, CaBundle().c_str());
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &collected);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &collected);
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    if (request.method != "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  // Detach the per-request buffers before the handle goes back to the pool.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  Give(std::move(handle));

  if (rc != CURLE_OK) {
    const std::string detail = error[0] != '\0' ? error : curl_easy_strerror(rc);
    if (collected.too_large) {
      return Status::Unavailable(fmt::format("{} {}: response larger than {} bytes", request.method, request.url,
                                             kMaxResponseBytes))
          .WithReason("ConnectionError");
    }
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      return Status::DeadlineExceeded(fmt::format("{} {}: {}", request.method, request.url, detail))
          .WithReason("Timeout");
    }
    return Status::Unavailable(fmt::format("{} {}: {}", request.method, request.url, detail))
        .WithReason("ConnectionError");
  }
  return HttpResponse{static_cast<int>(status), std::move(collected.headers), std::move(collected.body)};
}

}  // namespace glueguard
