// Environment variables, injected so tests can set them without touching the process environment.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace glueguard {

// Looks up an environment variable; returns nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
EnvLookup ProcessEnv();

// A fixed set of variables (for tests); everything else is unset.
EnvLookup FixedEnv(std::map<std::string, std::string> values);

}  // namespace glueguard
