// glueguard admit / wait / release / report-failure: the launcher's side of admission, for Airflow's
// BashSensor and scripts. With a server (--server or GLUEGUARD_URL) they ask the controller's API; without
// one they decide on their own from AWS and the configured store, like a standalone sensor.
//
// Exit codes of admit: 0 admit, 75 wait (EX_TEMPFAIL: BashSensor's retry_exit_code), 1 reject or failure (the
// reason on stderr), 2 usage. A controller that cannot be reached (refused, reset, 502/503/504) is skipped
// for the next of its replicas when --server lists several; when none answers after a few quick rounds, it
// is a wait (75), not a failure: a restart, a deploy or a lost replica must never fail a launch. The sensor's
// own timeout (max_wait) stays the loud backstop.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "app/admissions.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "controller/api.h"

namespace glueguard {
namespace {

constexpr int kExitWait = 75;

const std::vector<FlagSpec>& ConnectionFlags() {
  static const std::vector<FlagSpec> flags = {
      {"server",
       "the controller's URL, or its replicas' comma-separated: each is tried in turn when one cannot be "
       "reached (default $GLUEGUARD_URL); without one, decide locally",
       true, false, "URL[,URL...]"},
      {"token", "bearer token for the controller (default $GLUEGUARD_API_TOKEN)", true, false, "TOKEN"},
      {"config", "glueguard configuration, to decide locally (default $GLUEGUARD_CONFIG)", true, false,
       "FILE"},
  };
  return flags;
}

Result<std::unique_ptr<Admissions>> Connect(const Flags& flags, const EnvLookup& env) {
  std::optional<std::string> server = flags.Get("server");
  if (!server) server = env("GLUEGUARD_URL");
  if (server && !server->empty()) {
    std::string token = flags.Get("token").value_or(env("GLUEGUARD_API_TOKEN").value_or(""));
    return MakeRemoteAdmissions(*server, std::move(token));
  }
  std::optional<std::string> config = flags.Get("config");
  if (!config) config = env("GLUEGUARD_CONFIG");
  if (!config || config->empty()) {
    return Status::InvalidArgument(
        "give --server URL (or GLUEGUARD_URL) or --config FILE (or GLUEGUARD_CONFIG)");
  }
  return MakeLocalAdmissions(*config, env);
}

// The command's own flags and the connection flags.
std::vector<FlagSpec> WithConnectionFlags(std::vector<FlagSpec> own) {
  for (const FlagSpec& f : ConnectionFlags()) own.push_back(f);
  return own;
}

// The request from --category/--workers/--run-id/--priority; InvalidArgument naming the problem.
Result<AdmissionRequest> ReadRequest(const Flags& flags) {
  AdmissionRequest r;
  r.category = flags.Get("category").value_or("");
  r.run_id = flags.Get("run-id").value_or("");
  if (r.category.empty()) return Status::InvalidArgument("--category is required");
  if (r.run_id.empty()) return Status::InvalidArgument("--run-id is required (e.g. dag_id/run_id/task_id)");
  GG_ASSIGN_OR_RETURN(const std::optional<int64_t> workers, WholeNumberFlag(flags, "workers", 1, 100000));
  if (!workers) return Status::InvalidArgument("--workers is required (the Glue job's NumberOfWorkers)");
  r.workers = static_cast<int>(*workers);
  GG_ASSIGN_OR_RETURN(const std::optional<int64_t> priority,
                      WholeNumberFlag(flags, "priority", -1'000'000, 1'000'000));
  if (priority) r.priority = static_cast<int>(*priority);
  return r;
}

std::vector<FlagSpec> RequestFlags() {
  return {
      {"category", "the job category (it names the subnet)", true, false, "NAME"},
      {"workers", "the Glue job's NumberOfWorkers", true, false, "N"},
      {"run-id", "the launch's identity, the same on every poke: dag_id/run_id/task_id", true, false, "ID"},
      {"priority", "override the category's priority", true, false, "N"},
      {"output", "text (default) or json", true, false, "FORMAT"}};
}

// Prints a decision and returns its exit code.
int Report(CommandContext& context, const Decision& d, bool json) {
  if (json) {
    context.out << DecisionJson(d) << "\n";
  } else {
    context.out << fmt::format("{} {} ({} workers, subnet {}): {}\n", OutcomeName(d.outcome), d.run_id,
                               d.workers, d.subnet_id, d.reason);
    if (d.outcome == Outcome::kAdmit && !d.reservation_id.empty()) {
      context.out << fmt::format("reservation {}\n", d.reservation_id);
    }
  }
  switch (d.outcome) {
    case Outcome::kAdmit:
      return kExitOk;
    case Outcome::kWait:
      return kExitWait;
    case Outcome::kReject:
      context.err << fmt::format("glueguard: rejected: {}\n", d.reason);
      return kExitFailure;
  }
  return kExitFailure;
}

int AdmitOrWait(CommandContext& context, bool block) {
  const char* usage =
      block
          ? "glueguard wait --category C --workers N --run-id ID [--server URL | --config FILE]\n\n"
            "Asks until the launch is admitted (exit 0) or rejected (exit 1: it waited longer than\n"
            "max_wait, or can never fit), sleeping what the controller says between asks."
          : "glueguard admit --category C --workers N --run-id ID [--server URL | --config FILE]\n\n"
            "Asks once whether a Glue launch may start now. Exit 0 = admit, 75 = wait (ask again;\n"
            "BashSensor's retry_exit_code), 1 = rejected or failed (the reason on stderr). A controller\n"
            "that cannot be reached (refused, reset, 502/503/504) is retried a few times within about two\n"
            "seconds, then answered 75 with the reason on stderr: a controller restart never fails a launch.";
  CommandFlags flags = ParseCommandFlags(context, usage, WithConnectionFlags(RequestFlags()));
  if (!flags) return flags.exit_code;
  const std::string output = flags->Get("output").value_or("text");
  if (output != "text" && output != "json") {
    context.err << fmt::format("glueguard: --output must be text or json, not '{}'\n", output);
    return kExitUsage;
  }
  Result<AdmissionRequest> request = ReadRequest(*flags);
  if (!request.ok()) {
    context.err << "glueguard: " << request.status().message() << "\nusage: " << usage << "\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<Admissions>> admissions = Connect(*flags, context.env);
  if (!admissions.ok()) {
    context.err << "glueguard: " << admissions.status().message() << "\n";
    return admissions.status().code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  SystemSleeper sleeper;
  while (true) {
    Result<Decision> decision = (*admissions)->Admit(*request);
    if (!decision.ok() && decision.status().code() == StatusCode::kUnavailable) {
      // Not a decision: ask again later, as for a wait. A store or EC2 that is down fails closed the same
      // way.
      context.err << "glueguard: no decision yet, ask again: " << decision.status().message() << "\n";
      if (!block) return kExitWait;
      context.out.flush();
      sleeper.Sleep(std::chrono::seconds(5));
      continue;
    }
    if (!decision.ok()) {
      context.err << "glueguard: no decision: " << decision.status().ToString() << "\n";
      return kExitFailure;
    }
    const int code = Report(context, *decision, output == "json");
    if (!block || code != kExitWait) return code;
    context.out.flush();
    sleeper.Sleep(std::max<Duration>(decision->retry_after, std::chrono::seconds(1)));
  }
}

}  // namespace

int RunAdmit(CommandContext& context) { return AdmitOrWait(context, false); }
int RunWait(CommandContext& context) { return AdmitOrWait(context, true); }

int RunRelease(CommandContext& context) {
  const char* usage =
      "glueguard release --reservation ID [--server URL | --config FILE]\n\n"
      "Ends an admitted launch's reservation (the launch was cancelled before its ENIs appeared).";
  CommandFlags flags = ParseCommandFlags(
      context, usage,
      WithConnectionFlags({{"reservation", "the reservation id admit printed", true, false, "ID"}}));
  if (!flags) return flags.exit_code;
  const std::string id = flags->Get("reservation").value_or("");
  if (id.empty()) {
    context.err << "glueguard: --reservation is required\nusage: " << usage << "\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<Admissions>> admissions = Connect(*flags, context.env);
  if (!admissions.ok()) {
    context.err << "glueguard: " << admissions.status().message() << "\n";
    return kExitUsage;
  }
  const Status s = (*admissions)->Release(id);
  if (!s.ok()) {
    context.err << "glueguard: " << s.message() << "\n";
    return kExitFailure;
  }
  context.out << "released " << id << "\n";
  return kExitOk;
}

int RunReportFailure(CommandContext& context) {
  const char* usage =
      "glueguard report-failure (--category NAME | --subnet ID) [--server URL | --config FILE]\n\n"
      "Reports that a launch failed with IP exhaustion: the subnet admits nothing for cool_off.";
  CommandFlags flags = ParseCommandFlags(
      context, usage,
      WithConnectionFlags({{"category", "the failed launch's category", true, false, "NAME"},
                           {"subnet", "or the subnet, by id or name", true, false, "ID"}}));
  if (!flags) return flags.exit_code;
  if (flags->Has("category") == flags->Has("subnet")) {
    context.err << "glueguard: give exactly one of --category and --subnet\nusage: " << usage << "\n";
    return kExitUsage;
  }
  const std::string target = flags->Get("category").value_or(flags->Get("subnet").value_or(""));
  Result<std::unique_ptr<Admissions>> admissions = Connect(*flags, context.env);
  if (!admissions.ok()) {
    context.err << "glueguard: " << admissions.status().message() << "\n";
    return kExitUsage;
  }
  const Status s = (*admissions)->ReportFailure(target);
  if (!s.ok()) {
    context.err << "glueguard: " << s.message() << "\n";
    return kExitFailure;
  }
  context.out << "reported an IP-exhaustion failure for " << target << "; admission cools off\n";
  return kExitOk;
}

}  // namespace glueguard
