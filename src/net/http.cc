#include "net/http.h"

#include <strings.h>

namespace glueguard {

const std::string* FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const HttpHeader& h : headers) {
    if (h.name.size() == name.size() && strncasecmp(h.name.data(), name.data(), name.size()) == 0) return &h.value;
  }
  return nullptr;
}

}  // namespace glueguard
