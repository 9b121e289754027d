// The API's JSON response, shared by api.cc and api_dashboard.cc; kept out of api.h so that the API's users
// do not take nlohmann's header with it.
#pragma once

#include <nlohmann/json.hpp>

#include "net/http_server.h"

namespace glueguard {

ServerResponse ApiJson(int status, const nlohmann::ordered_json& body);

}  // namespace glueguard
