#include "controller/dashboard_assets.h"

#include <fmt/format.h>

#include "controller/api.h"

namespace glueguard {
namespace {

struct AssetKind {
  std::string_view extension;
  const char* content_type;
};

constexpr AssetKind kKinds[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
};

constexpr char kSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

// FNV-1a: enough to tell one build's file from another's.
std::string Etag(std::string_view bytes) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("\"{:016x}\"", h);
}

const EmbeddedFile* Find(std::string_view name) {
  for (const EmbeddedFile& f : EmbeddedWebFiles()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace

std::optional<ServerResponse> DashboardAsset(const ServerRequest& request) {
  std::string_view name;
  if (request.path == "/" || request.path == "/index.html") {
    name = "dashboard.html";
  } else if (request.path.rfind("/assets/", 0) == 0) {
    name = std::string_view(request.path).substr(std::string_view("/assets/").size());
  } else {
    return std::nullopt;
  }
  const EmbeddedFile* file =
      name == "dashboard.html" && request.path != "/" && request.path != "/index.html" ? nullptr : Find(name);
  const AssetKind* kind = nullptr;
  for (const AssetKind& k : kKinds) {
    if (name.size() > k.extension.size() && name.substr(name.size() - k.extension.size()) == k.extension) {
      kind = &k;
    }
  }
  if (!file || !kind) return ApiError(404, "not_found", fmt::format("no such asset: {}", request.path));
  ServerResponse r;
  const std::string etag = Etag(file->bytes);
  r.headers.push_back({"ETag", etag});
  r.headers.push_back({"Cache-Control", name == "chart.umd.js" ? "public, max-age=86400" : "no-cache"});
  r.headers.push_back({"X-Content-Type-Options", "nosniff"});
  if (name == "dashboard.html") r.headers.push_back({"Content-Security-Policy", kSecurityPolicy});
  if (const std::string* match = request.Header("If-None-Match"); match && *match == etag) {
    r.status = 304;
    return r;
  }
  r.content_type = kind->content_type;
  r.body = std::string(file->bytes);
  return r;
}

}  // namespace glueguard
