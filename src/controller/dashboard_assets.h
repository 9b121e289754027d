// The dashboard's page and assets, embedded into the binary at build time (src/web/embed.cmake writes the
// table from src/web/ and Debian's libjs-chart.js), so `serve` needs no files beside it and no network.
//
//   GET /                       dashboard.html  text/html
//   GET /assets/dashboard.js    the page's script
//   GET /assets/dashboard.css   its style sheet
//   GET /assets/chart.umd.js    Chart.js (the UMD build)
//
// Each answer carries an ETag (If-None-Match gets 304), X-Content-Type-Options: nosniff, and a
// Content-Security-Policy that lets the page load only its own scripts and styles. The page and its own
// assets are revalidated on every load (Cache-Control: no-cache); Chart.js may be cached for a day.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "net/http_server.h"

namespace glueguard {

struct EmbeddedFile {
  std::string_view name;   // "dashboard.html", "chart.umd.js", ...
  std::string_view bytes;  // the file as it was at build time
};

// Every embedded file (defined in the generated source).
std::span<const EmbeddedFile> EmbeddedWebFiles();

// The answer to a GET or HEAD of `/` or `/assets/...`: the file, 304, or a JSON 404 for an unknown asset.
// nullopt for every other path.
std::optional<ServerResponse> DashboardAsset(const ServerRequest& request);

}  // namespace glueguard
