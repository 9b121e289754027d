// The notification for a session out of bounds: what it broke and by how much, who created it, whether it
// was ended, and a create-session command within the limits.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "base/strings.h"
#include "policy/policy.h"

namespace glueguard {

namespace {

constexpr size_t kMaxSubjectBytes = 100;  // SNS: a Subject is at most 100 characters

std::string Number(double v) { return fmt::format("{:g}", v); }

bool Contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

// At most `max` bytes, never cutting a UTF-8 sequence, with "..." when shortened.
std::string Shorten(std::string text, size_t max) {
  if (text.size() <= max) return text;
  size_t cut = max - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "...";
}

// " (30 over)" for a numeric limit; "" otherwise.
std::string Excess(const Violation& v) {
  const std::optional<double> limit = ParseNumber(v.limit);
  const std::optional<double> actual = ParseNumber(v.actual);
  if (!limit || !actual || *actual <= *limit) return "";
  return fmt::format(" ({} over)", Number(*actual - *limit));
}

// A shell word: as it is when it needs no quoting, else in single quotes.
std::string Quote(const std::string& word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("-_.:/=,@+").find(c) != std::string_view::npos;
  });
  if (plain) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// `aws glue create-session` with the session's settings brought within `limits`.
std::string CompliantCommand(const Evaluation& e) {
  const EffectiveSession& s = e.session;
  const SessionLimits& l = e.limits;
  std::string type = s.worker_type;
  if (l.allowed_worker_types && !l.allowed_worker_types->empty() &&
      !Contains(*l.allowed_worker_types, type)) {
    type = l.allowed_worker_types->front();
  }
  int workers = s.number_of_workers;
  if (l.max_workers) workers = std::min(workers, *l.max_workers);
  if (l.max_dpu) {
    if (std::optional<double> per = WorkerDpu(type); per && *per > 0) {
      workers = std::min(workers, static_cast<int>(std::floor(*l.max_dpu / *per + 1e-9)));
    }
  }
  workers = std::max(workers, 1);
  int idle = s.idle_timeout_minutes;
  if (l.max_idle_timeout_minutes) idle = std::min(idle, *l.max_idle_timeout_minutes);
  std::optional<int> timeout = s.timeout_minutes;
  if (timeout && l.max_timeout_minutes) timeout = std::min(*timeout, *l.max_timeout_minutes);
  if (timeout) idle = std::min(idle, *timeout);
  std::string version = s.glue_version;
  if (l.allowed_glue_versions && !l.allowed_glue_versions->empty() &&
      !Contains(*l.allowed_glue_versions, version)) {
    version = l.allowed_glue_versions->front();
  }
  std::vector<std::string> connections;
  for (const std::string& c : s.connections) {
    if (!l.allowed_connections || Contains(*l.allowed_connections, c)) connections.push_back(c);
  }
  if (connections.empty() &&
      (l.require_vpc_connection.value_or(false) || (l.allowed_connections && s.connections.size() > 0))) {
    connections.push_back(l.allowed_connections && !l.allowed_connections->empty()
                              ? l.allowed_connections->front()
                              : "<a VPC connection>");
  }
  std::map<std::string, std::string> tags = s.tags.value_or(std::map<std::string, std::string>{});
  if (l.required_tags) {
    for (const std::string& key : *l.required_tags) {
      if (tags[key].empty()) tags[key] = "<value>";
    }
  }

  std::string command =
      fmt::format("aws glue create-session --id {} --role {} --command Name=glueetl,PythonVersion=3",
                  Quote(s.id), Quote(s.role.empty() ? "<role ARN>" : s.role));
  command += fmt::format(" \\\n    --worker-type {} --number-of-workers {} --idle-timeout {}", Quote(type),
                         workers, idle);
  if (timeout) command += fmt::format(" --timeout {}", *timeout);
  command += fmt::format(" --glue-version {}", Quote(version));
  if (!connections.empty()) {
    std::string list;
    for (const std::string& c : connections) list += (list.empty() ? "" : ",") + c;
    command += " \\\n    --connections " + Quote("Connections=" + list);
  }
  if (!tags.empty()) {
    std::string list;
    for (const auto& [key, value] : tags) list += (list.empty() ? "" : ",") + key + "=" + value;
    command += " \\\n    --tags " + Quote(list);
  }
  return command;
}

std::string SettingsLine(const EffectiveSession& s) {
  std::string line =
      fmt::format("{} {} worker{} ({} DPU), idle timeout {} min", s.number_of_workers, s.worker_type,
                  s.number_of_workers == 1 ? "" : "s", Number(s.dpu), s.idle_timeout_minutes);
  if (s.timeout_minutes) line += fmt::format(", timeout {} min", *s.timeout_minutes);
  line += fmt::format(", Glue {}, connections: ", s.glue_version);
  if (s.connections.empty()) {
    line += "none";
  } else {
    for (size_t i = 0; i < s.connections.size(); ++i) line += (i ? ", " : "") + s.connections[i];
  }
  return line;
}

}  // namespace

SessionNotice ComposeNotice(const Evaluation& e, bool ended) {
  const EffectiveSession& s = e.session;
  SessionNotice notice;
  if (e.compliant()) {
    notice.subject =
        Shorten(fmt::format("glueguard: session {} is within its limits", s.id), kMaxSubjectBytes);
    notice.body = fmt::format(
        "Glue interactive session {}, created by {}, is within the limits of the policy "
        "(scope {}).\n\nRuns with: {}\n",
        s.id, s.creator, e.scope, SettingsLine(s));
    return notice;
  }
  std::string codes;
  for (const Violation& v : e.violations) {
    if (codes.find(v.code) == std::string::npos) codes += (codes.empty() ? "" : ", ") + v.code;
  }
  notice.subject =
      Shorten(fmt::format("glueguard: session {} {}: {}", s.id, ended ? "ended" : "out of bounds", codes),
              kMaxSubjectBytes);

  std::string body =
      fmt::format("Glue interactive session {} breaks {} limit{} of the session policy (scope {}).\n\n", s.id,
                  e.violations.size(), e.violations.size() == 1 ? "" : "s", e.scope);
  body += fmt::format("Created by: {}{}\n", s.creator,
                      s.creator_arn.empty() || s.creator_arn == s.creator ? "" : " (" + s.creator_arn + ")");
  if (!s.role.empty()) body += fmt::format("Role:       {}\n", s.role);
  body += fmt::format("Runs with:  {}\n", SettingsLine(s));
  if (!s.defaulted.empty()) {
    std::string list;
    for (const std::string& d : s.defaulted) list += (list.empty() ? "" : ", ") + d;
    body += fmt::format("            (Glue's defaults, as the call left them out: {})\n", list);
  }
  body += "\nBroken limits:\n";
  for (const Violation& v : e.violations) {
    body += fmt::format("  - {}: limit {}, actual {}{}\n    {}\n", v.code, v.limit, v.actual, Excess(v),
                        v.message);
  }
  body += ended
              ? "\nWhat happened: glueguard stopped and deleted the session.\n"
              : "\nWhat happened: nothing yet; the session was left running (the policy reports, it does not "
                "end sessions).\n";
  body += "\nWhat to do instead: create the session within the limits, for example\n  " +
          CompliantCommand(e) + "\n";
  notice.body = std::move(body);
  return notice;
}

}  // namespace glueguard
