// The fields of a form-encoded request body (an AWS query-protocol call), by name; the last value wins.
#pragma once

#include <map>
#include <string>

#include "net/http.h"
#include "net/url.h"

namespace glueguard::testing {

inline std::map<std::string, std::string> FormOf(const HttpRequest& request) {
  std::map<std::string, std::string> out;
  for (auto& [k, v] : FormDecode(request.body)) out[k] = v;
  return out;
}

}  // namespace glueguard::testing
