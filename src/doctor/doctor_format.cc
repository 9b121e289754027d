// The doctor report for people (aligned sections) and for machines (JSON).
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "doctor/doctor.h"

namespace glueguard {

namespace {

// "-" when there is too little history for a trend (a note says so).
std::string Trend(const std::optional<double>& per_hour) {
  return per_hour ? fmt::format("{:+.1f}", *per_hour) : "-";
}

double Minutes(Duration d) { return static_cast<double>(d.count()) / 60000.0; }

// "p50/p95m" of the measured cleanup tail, "-" when none was measured.
std::string Tail(const TailSummary& tail) {
  if (tail.count == 0 || tail.quantiles.size() < 2) return "-";
  return fmt::format("{:.0f}/{:.0f}m", Minutes(tail.quantiles[0].second), Minutes(tail.quantiles[1].second));
}

}  // namespace

std::string FormatDoctorTable(const DoctorReport& report) {
  std::string out = fmt::format("glueguard doctor at {} ({})\n", FormatTime(report.at),
                                report.apply ? "applied" : "read-only: actions are what --apply would do");
  if (report.identity) {
    out += fmt::format("caller: {} (account {})\n", report.identity->arn, report.identity->account);
  } else if (!report.identity_error.empty()) {
    out += fmt::format("caller: unknown ({})\n", report.identity_error);
  }

  out += fmt::format("\n{:<26} {:<10} {:>4} {:>6} {:>7} {:>6} {:>6} {:>8} {:>5} {:>9}\n", "SUBNET", "NAME",
                     "IPS", "TOTAL", "IN-USE", "AVAIL", "UTIL", "TREND/H", "PEAK", "TAIL");
  for (const SubnetFinding& s : report.subnets) {
    out += fmt::format(
        "{:<26} {:<10} {:>4} {:>6} {:>7} {:>6} {:>5.0f}% {:>8} {:>5} {:>9}{}\n", s.subnet_id, s.name, s.capacity,
        s.counts.total, s.counts.in_use, s.counts.available, s.utilisation * 100, Trend(s.trend_per_hour),
        s.peak_total, Tail(s.cleanup_tail),
        s.over_threshold() ? fmt::format("  over the {:.0f}% alert", s.alert_threshold * 100) : "");
  }

  out += "\nGlue ENIs left available:";
  if (report.enis.empty()) out += " none";
  out += "\n";
  for (const EniFinding& e : report.enis) {
    std::string why;
    if (e.verdict == EniVerdict::kPossiblyOwned) {
      why = "could be owned by " + e.possible_owners.front();
      if (e.possible_owners.size() > 1) why += fmt::format(" and {} more", e.possible_owners.size() - 1);
    } else if (e.first_seen_now) {
      why = "first seen by this pass";
    } else if (e.verdict == EniVerdict::kInGrace) {
      why = "within the grace period";
    } else {
      why = "no live job run or session could own it";
    }
    out += fmt::format("  {:<22} {:<26} available for {:<8} {:<15} {}\n", e.eni_id, e.subnet_id,
                       FormatDuration(e.available_for), EniVerdictName(e.verdict), why);
  }

  out += "\nJob runs stuck in STOPPING:";
  if (report.stuck_runs.empty()) out += " none";
  out += "\n";
  for (const StuckRunFinding& r : report.stuck_runs) {
    out +=
        fmt::format("  {} {} in {} for {}\n", r.job_name, r.run_id, r.state, FormatDuration(r.stopping_for));
  }

  out += "\nSessions past their limits:";
  if (report.sessions.empty()) out += " none";
  out += "\n";
  for (const SessionFinding& s : report.sessions) {
    out += fmt::format("  {} ({})\n", s.session_id, s.status);
    for (const std::string& v : s.violations) out += "    " + v + "\n";
  }

  out += "\nActions:";
  if (report.actions.empty()) out += " none";
  out += "\n";
  for (const DoctorAction& a : report.actions) {
    out += fmt::format("  {:<11} {:<40} {:<12} {}\n", a.kind, a.target, a.outcome, a.detail);
  }

  for (const std::string& p : report.problems) out += "problem: " + p + "\n";
  for (const std::string& n : report.notes) out += "note: " + n + "\n";
  out += "\npermissions: ";
  std::string apply_permissions;
  for (const PermissionNeed& p : DoctorPermissions()) {
    if (p.apply_only) {
      apply_permissions += (apply_permissions.empty() ? "" : ", ") + p.permission;
    } else {
      out += p.permission + ", ";
    }
  }
  out += "and for --apply " + apply_permissions + " (docs/doctor.md says why each)\n";
  out += report.NeedsAttention() ? "\nneeds attention\n" : "\nnothing needs attention\n";
  return out;
}

std::string FormatDoctorJson(const DoctorReport& report) {
  using nlohmann::ordered_json;
  ordered_json subnets = ordered_json::array();
  for (const SubnetFinding& s : report.subnets) {
    const double history_seconds = std::chrono::duration<double>(s.history_span).count();
    const ordered_json trend = s.trend_per_hour ? ordered_json(*s.trend_per_hour) : ordered_json();  // null
    subnets.push_back({{"subnet_id", s.subnet_id},
                       {"name", s.name},
                       {"capacity", s.capacity},
                       {"total", s.counts.total},
                       {"in_use", s.counts.in_use},
                       {"available", s.counts.available},
                       {"other", s.counts.other},
                       {"glue", s.counts.glue},
                       {"utilisation", s.utilisation},
                       {"alert_threshold", s.alert_threshold},
                       {"over_threshold", s.over_threshold()},
                       {"observations", s.observations},
                       {"peak_total", s.peak_total},
                       {"history_seconds", history_seconds},
                       {"trend_per_hour", trend},
                       {"cleanup_tail",
                        s.cleanup_tail.count == 0 || s.cleanup_tail.quantiles.size() < 2
                            ? ordered_json{{"count", 0}, {"p50_minutes", nullptr}, {"p95_minutes", nullptr}}
                            : ordered_json{{"count", s.cleanup_tail.count},
                                           {"p50_minutes", Minutes(s.cleanup_tail.quantiles[0].second)},
                                           {"p95_minutes", Minutes(s.cleanup_tail.quantiles[1].second)}}}});
  }
  ordered_json enis = ordered_json::array();
  for (const EniFinding& e : report.enis) {
    enis.push_back({{"eni_id", e.eni_id},
                    {"subnet_id", e.subnet_id},
                    {"role", e.role},
                    {"first_seen", FormatTime(e.first_seen)},
                    {"available_for_seconds", e.available_for.count() / 1000},
                    {"first_seen_now", e.first_seen_now},
                    {"verdict", EniVerdictName(e.verdict)},
                    {"possible_owners", e.possible_owners},
                    {"refused_deletes", e.refused_deletes}});
  }
  ordered_json stuck = ordered_json::array();
  for (const StuckRunFinding& r : report.stuck_runs) {
    stuck.push_back({{"job_name", r.job_name},
                     {"run_id", r.run_id},
                     {"state", r.state},
                     {"stopping_for_seconds", r.stopping_for.count() / 1000}});
  }
  ordered_json sessions = ordered_json::array();
  for (const SessionFinding& s : report.sessions) {
    sessions.push_back({{"session_id", s.session_id}, {"status", s.status}, {"violations", s.violations}});
  }
  ordered_json actions = ordered_json::array();
  for (const DoctorAction& a : report.actions) {
    actions.push_back({{"kind", a.kind},
                       {"target", a.target},
                       {"outcome", a.outcome},
                       {"detail", a.detail},
                       {"attempts", a.attempts}});
  }
  ordered_json permissions = ordered_json::array();
  for (const PermissionNeed& p : DoctorPermissions()) {
    permissions.push_back(
        {{"permission", p.permission}, {"used_for", p.used_for}, {"apply_only", p.apply_only}});
  }
  ordered_json identity = nullptr;
  if (report.identity) {
    identity = {{"arn", report.identity->arn},
                {"account", report.identity->account},
                {"user_id", report.identity->user_id}};
  }
  const ordered_json doc = {{"at", FormatTime(report.at)},
                            {"apply", report.apply},
                            {"needs_attention", report.NeedsAttention()},
                            {"identity", identity},
                            {"subnets", subnets},
                            {"available_glue_enis", enis},
                            {"stuck_runs", stuck},
                            {"sessions_past_limits", sessions},
                            {"actions", actions},
                            {"problems", report.problems},
                            {"notes", report.notes},
                            {"permissions", permissions}};
  return doc.dump(2) + "\n";
}

}  // namespace glueguard
