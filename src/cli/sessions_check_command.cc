// `glueguard sessions check FILE|-`: session events evaluated offline against the policy, nothing called.
#include <fmt/format.h>

#include <cctype>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/event_input.h"
#include "policy/event.h"
#include "policy/policy.h"

namespace glueguard {

namespace {

using Json = nlohmann::json;

constexpr int kExitViolation = 3;  // some event breaks the policy

// One event of the input and what became of it.
struct Checked {
  size_t number = 0;     // 1-based, in input order
  std::string decision;  // compliant, violation, ignored, invalid
  std::string reason;    // ignored: why; invalid: the error
  std::string event_id;
  std::optional<Evaluation> evaluation;
  std::optional<SessionNotice> notice;  // for a violation: what would be sent
};

Checked Check(size_t number, const std::string& text, const SessionPolicy& policy) {
  Checked c;
  c.number = number;
  Result<ParsedEvent> parsed = ParseSessionEvent(text);
  if (!parsed.ok()) {
    c.decision = "invalid";
    c.reason = parsed.status().message();
    return c;
  }
  if (!parsed->event) {
    c.decision = "ignored";
    c.reason = parsed->ignored;
    return c;
  }
  c.event_id = parsed->event->event_id;
  c.evaluation = Evaluate(policy, *parsed->event);
  c.decision = c.evaluation->compliant() ? "compliant" : "violation";
  if (!c.evaluation->compliant())
    c.notice = ComposeNotice(*c.evaluation, policy.action == SessionAction::kEnforce);
  return c;
}

Json SessionJson(const EffectiveSession& s) {
  Json j = {{"id", s.id},
            {"role", s.role},
            {"creator", s.creator},
            {"creator_arn", s.creator_arn},
            {"number_of_workers", s.number_of_workers},
            {"worker_type", s.worker_type},
            {"dpu", s.dpu},
            {"idle_timeout_minutes", s.idle_timeout_minutes},
            {"connections", s.connections},
            {"glue_version", s.glue_version},
            {"defaulted", s.defaulted}};
  j["timeout_minutes"] = s.timeout_minutes ? Json(*s.timeout_minutes) : Json(nullptr);
  j["tags"] = s.tags ? Json(*s.tags) : Json(nullptr);
  return j;
}

Json CheckedJson(const Checked& c) {
  Json j = {{"number", c.number}, {"decision", c.decision}};
  if (!c.event_id.empty()) j["event_id"] = c.event_id;
  if (!c.reason.empty()) j[c.decision == "invalid" ? "error" : "reason"] = c.reason;
  if (c.evaluation) {
    j["scope"] = c.evaluation->scope;
    j["session"] = SessionJson(c.evaluation->session);
    Json violations = Json::array();
    for (const Violation& v : c.evaluation->violations) {
      violations.push_back(
          {{"code", v.code}, {"limit", v.limit}, {"actual", v.actual}, {"message", v.message}});
    }
    j["violations"] = violations;
  }
  if (c.notice) j["notice"] = {{"subject", c.notice->subject}, {"body", c.notice->body}};
  return j;
}

void PrintTable(std::ostream& out, const Checked& c) {
  const std::string id = c.event_id.empty() ? "" : fmt::format(" ({})", c.event_id);
  if (c.decision == "invalid" || c.decision == "ignored") {
    out << fmt::format("event {}{}: {}: {}\n", c.number, id, c.decision, c.reason);
    return;
  }
  const Evaluation& e = *c.evaluation;
  out << fmt::format("event {}{}: {}: session {} by {}, scope {}\n", c.number, id,
                     c.decision == "violation" ? fmt::format("{} violation{}", e.violations.size(),
                                                             e.violations.size() == 1 ? "" : "s")
                                               : "compliant",
                     e.session.id, e.session.creator, e.scope);
  for (const Violation& v : e.violations) {
    out << fmt::format("  {:<24} limit {:<16} actual {}\n    {}\n", v.code, v.limit, v.actual, v.message);
  }
  if (c.notice) {
    out << "  notice subject: " << c.notice->subject << "\n  notice body:\n";
    std::istringstream body(c.notice->body);
    std::string line;
    while (std::getline(body, line)) out << "    | " << line << "\n";
  }
}

Result<SessionPolicy> LoadPolicy(CommandContext& context, const Flags& flags) {
  if (std::optional<std::string> config_path = flags.Get("config")) {
    Result<Config> config = LoadConfigFile(*config_path, context.env);
    if (!config.ok()) return config.status();
    if (!config->sessions.configured) {
      context.err << fmt::format("glueguard: note: {} has no sessions section; no limits apply\n",
                                 *config_path);
    }
    return config->sessions.policy;
  }
  const std::string path = *flags.Get("policy");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("cannot open policy file '{}'", path));
  std::ostringstream text;
  text << in.rdbuf();
  return ParseSessionPolicy(text.str(), path);
}

}  // namespace

int RunSessionsCheck(CommandContext& context) {
  const char* usage =
      "glueguard sessions check FILE|- (--config FILE | --policy FILE) [--output table|json]\n"
      "  FILE holds one event, a JSON array of events, or JSON lines. Exit 0: every event compliant or "
      "ignored;\n  3: some event breaks the policy; 2: the input or an event in it cannot be read; 1: the "
      "policy cannot be read.";
  CommandFlags flags =
      ParseCommandFlags(context, usage,
                        {{"config", "the configuration whose sessions.policy applies", true, false, "FILE"},
                         {"policy", "a session policy file of its own", true, false, "FILE"},
                         OutputFlag()});
  if (!flags) return flags.exit_code;
  const std::optional<OutputFormat> output = ReadOutputFormat(context, *flags);
  if (!output) return kExitUsage;
  if (flags->positional().size() != 1) {
    context.err << "glueguard: sessions check takes exactly one FILE (or - for standard input)\nusage: "
                << usage << "\n";
    return kExitUsage;
  }
  if (flags->Has("config") == flags->Has("policy")) {
    context.err << "glueguard: sessions check needs exactly one of --config and --policy\nusage: " << usage
                << "\n";
    return kExitUsage;
  }
  Result<SessionPolicy> policy = LoadPolicy(context, *flags);
  if (!policy.ok()) {
    context.err << policy.status().message() << "\n";
    return kExitFailure;
  }
  Result<std::vector<std::string>> events = ReadSessionEvents(flags->positional()[0]);
  if (!events.ok()) {
    context.err << "glueguard: " << events.status().message() << "\n";
    return kExitUsage;
  }

  bool any_invalid = false, any_violation = false;
  Json all = Json::array();
  for (size_t i = 0; i < events->size(); ++i) {
    const Checked c = Check(i + 1, (*events)[i], *policy);
    any_invalid |= c.decision == "invalid";
    any_violation |= c.decision == "violation";
    if (*output == OutputFormat::kJson) {
      all.push_back(CheckedJson(c));
    } else {
      PrintTable(context.out, c);
    }
  }
  if (*output == OutputFormat::kJson) context.out << Json{{"events", all}}.dump(2) << "\n";
  if (any_invalid) return kExitUsage;
  return any_violation ? kExitViolation : kExitOk;
}

}  // namespace glueguard
