// Reading a session policy out of YAML: the one entry the configuration parser shares with
// ParseSessionPolicy, so `sessions.policy` inline and a policy file of its own read the same way. Internal to
// the YAML parsers (it exposes yaml-cpp through YamlReader).
#pragma once

#include <string>

#include "formats/yaml_reader.h"
#include "policy/policy.h"

namespace glueguard {

// Reads the policy map at `node` (keys action, limits, scopes, glue_defaults) into `policy`, recording every
// problem in `r` under `path` ("sessions.policy", or "" for a file of its own).
void ReadSessionPolicy(YamlReader& r, const YAML::Node& node, const std::string& path, SessionPolicy& policy);

}  // namespace glueguard
