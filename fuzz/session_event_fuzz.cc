// libFuzzer target: any bytes as a session event. ParseSessionEvent must return an event, a reason to ignore
// it or an error that says something; an event must evaluate, and its notice must be composed, without a
// crash, a hang or a leak. Build and run with `make fuzz`.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/event.h"
#include "policy/policy.h"

namespace {

glueguard::SessionPolicy FuzzPolicy() {
  glueguard::SessionPolicy policy;
  policy.action = glueguard::SessionAction::kEnforce;
  policy.defaults.max_workers = 10;
  policy.defaults.max_dpu = 16;
  policy.defaults.allowed_worker_types = std::vector<std::string>{"G.1X", "G.2X"};
  policy.defaults.max_idle_timeout_minutes = 60;
  policy.defaults.max_timeout_minutes = 480;
  policy.defaults.require_vpc_connection = true;
  policy.defaults.allowed_connections = std::vector<std::string>{"vpc-private-a"};
  policy.defaults.allowed_glue_versions = std::vector<std::string>{"4.0"};
  policy.defaults.required_tags = std::vector<std::string>{"owner"};
  glueguard::PolicyScope scope;
  scope.name = "data-science";
  scope.arn_pattern = "arn:aws:*:*:*:*DataScience*";
  scope.limits.max_workers = 40;
  policy.scopes.push_back(scope);
  return policy;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const glueguard::SessionPolicy policy = FuzzPolicy();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  glueguard::Result<glueguard::ParsedEvent> parsed = glueguard::ParseSessionEvent(text);
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) __builtin_trap();  // every error must say something
    return 0;
  }
  if (!parsed->event) {
    if (parsed->ignored.empty()) __builtin_trap();  // an ignored event says why
    return 0;
  }
  const glueguard::Evaluation evaluation = glueguard::Evaluate(policy, *parsed->event);
  const glueguard::SessionNotice notice = glueguard::ComposeNotice(evaluation, true);
  if (notice.subject.empty() || notice.subject.size() > 100) __builtin_trap();  // SNS's subject limit
  for (const glueguard::Violation& v : evaluation.violations) {
    if (v.code.empty() || v.message.empty()) __builtin_trap();
  }
  return 0;
}
