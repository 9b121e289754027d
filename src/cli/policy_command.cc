// `glueguard policy iam` and `glueguard policy usage-profile`: the part of the session policy AWS can enforce
// itself, before a session exists.
//
// IAM (AWS Glue developer guide, "Control policies that control settings using condition keys"): Glue
// infers glue:VpcIds, glue:SubnetIds and glue:SecurityGroupIds on CreateSession from the connections the
// call names. A Deny when glue:VpcIds is Null refuses a session without a VPC connection; a Deny when
// ForAnyValue:StringNotEquals matches glue:SubnetIds refuses one with a connection into another subnet
// (ForAnyValue is false when the key is absent, so that statement never catches a session without
// connections; the first one does).
//
// Usage profile (AWS Glue developer guide, "Creating and managing usage profiles"; the ConfigurationObject of
// CreateUsageProfile): SessionConfiguration can bound numberOfWorkers, workerType, timeout and idleTimeout
// with DefaultValue, MinValue, MaxValue and AllowedValues, every value a string. It is assigned to a role by
// tagging the role glue:UsageProfile=<name>.
//
// Not expressible natively, so left to glueguard's after-the-fact check: DPU as workers x the worker type's
// DPU (a profile bounds workers and types separately, so the bound printed is the loosest: workers of the
// smallest allowed type), which connections by name (IAM sees their subnets and VPCs, not their names),
// Glue versions, and required tags.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "base/strings.h"
#include "cli/command_support.h"
#include "cli/commands.h"

namespace glueguard {

namespace {

using Json = nlohmann::ordered_json;

struct PolicyInput {
  Config config;
  SessionLimits limits;
  std::string scope = "default";
};

// The configuration and the limits of `--scope` (the defaults when not given).
std::optional<PolicyInput> Load(CommandContext& context, const char* usage, int& exit_code) {
  CommandFlags flags = ParseCommandFlags(
      context, usage,
      {{"config", "the configuration (its sessions.policy and categories)", true, false, "FILE"},
       {"scope", "the limits of this scope of the policy (default: the defaults)", true, false, "NAME"}});
  if (!flags) {
    exit_code = flags.exit_code;
    return std::nullopt;
  }
  if (!flags->Has("config") || !flags->positional().empty()) {
    context.err << "glueguard: --config FILE is required and nothing else\nusage: " << usage << "\n";
    exit_code = kExitUsage;
    return std::nullopt;
  }
  Result<Config> config = LoadConfigFile(*flags->Get("config"), context.env);
  if (!config.ok()) {
    context.err << config.status().message() << "\n";
    exit_code = kExitFailure;
    return std::nullopt;
  }
  PolicyInput input;
  input.config = std::move(*config);
  const SessionPolicy& policy = input.config.sessions.policy;
  input.limits = policy.defaults;
  if (std::optional<std::string> scope = flags->Get("scope"); scope && *scope != "default") {
    std::vector<std::string> names;
    const PolicyScope* found = nullptr;
    for (const PolicyScope& s : policy.scopes) {
      names.push_back(s.name);
      if (s.name == *scope) found = &s;
    }
    if (found == nullptr) {
      std::string message = fmt::format("glueguard: the policy has no scope '{}'", *scope);
      if (auto near = ClosestMatch(*scope, names)) message += fmt::format(" (did you mean '{}'?)", *near);
      context.err << message << "\n";
      exit_code = kExitUsage;
      return std::nullopt;
    }
    input.limits = MergeLimits(policy.defaults, found->limits);
    input.scope = found->name;
  }
  return input;
}

Json DenyCreateSession(const std::string& sid, Json condition) {
  Json statement = Json::object();
  statement["Sid"] = sid;
  statement["Effect"] = "Deny";
  statement["Action"] = "glue:CreateSession";
  statement["Resource"] = "*";
  statement["Condition"] = std::move(condition);
  return statement;
}

std::string SidSuffix(const std::string& scope) {
  if (scope == "default") return "";
  std::string out;
  bool upper = true;
  for (char c : scope) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

Json ConfigurationObject(std::optional<int> default_value, std::optional<int> min, std::optional<int> max) {
  Json o = Json::object();
  if (default_value) o["DefaultValue"] = std::to_string(*default_value);
  if (min) o["MinValue"] = std::to_string(*min);
  if (max) o["MaxValue"] = std::to_string(*max);
  return o;
}

}  // namespace

int RunPolicyIam(CommandContext& context) {
  int exit_code = kExitOk;
  std::optional<PolicyInput> input =
      Load(context, "glueguard policy iam --config FILE [--scope NAME]", exit_code);
  if (!input) return exit_code;
  const SessionLimits& l = input->limits;
  const std::string suffix = SidSuffix(input->scope);
  Json statements = Json::array();
  if (l.require_vpc_connection.value_or(false)) {
    statements.push_back(DenyCreateSession("GlueguardDenySessionsOutsideVpc" + suffix,
                                           Json{{"Null", {{"glue:VpcIds", "true"}}}}));
  }
  if (l.allowed_connections) {
    std::set<std::string> subnets;
    std::vector<std::string> unmapped;
    for (const std::string& connection : *l.allowed_connections) {
      bool mapped = false;
      for (const CategoryConfig& c : input->config.categories) {
        if (c.connection != connection) continue;
        subnets.insert(c.subnet_id);
        mapped = true;
      }
      if (!mapped) unmapped.push_back(connection);
    }
    if (!unmapped.empty()) {
      std::string list;
      for (const std::string& u : unmapped) list += (list.empty() ? "" : ", ") + u;
      context.err << fmt::format(
          "glueguard: note: no category names the subnet of connection{} {}, so the subnet statement is left "
          "out (it would refuse sessions using {}); add a category with connection and subnet for each\n",
          unmapped.size() == 1 ? "" : "s", list, unmapped.size() == 1 ? "it" : "them");
    } else if (!subnets.empty()) {
      statements.push_back(DenyCreateSession(
          "GlueguardDenySessionsOutsideAllowedSubnets" + suffix,
          Json{{"ForAnyValue:StringNotEquals",
                {{"glue:SubnetIds", std::vector<std::string>(subnets.begin(), subnets.end())}}}}));
    }
  }
  if (statements.empty()) {
    context.err << fmt::format(
        "glueguard: the {} limits have nothing IAM can enforce: set require_vpc_connection, or "
        "allowed_connections with categories naming their subnets\n",
        input->scope == "default" ? "policy's default" : "scope's");
    return kExitFailure;
  }
  Json document = Json::object();
  document["Version"] = "2012-10-17";
  document["Statement"] = statements;
  context.out << document.dump(2) << "\n";
  context.err
      << "glueguard: note: IAM cannot check worker counts, DPU, worker types, timeouts, Glue versions "
         "or tags of a session; `glueguard policy usage-profile` covers some, glueguard checks the rest "
         "when the session is created\n";
  return kExitOk;
}

int RunPolicyUsageProfile(CommandContext& context) {
  int exit_code = kExitOk;
  std::optional<PolicyInput> input =
      Load(context, "glueguard policy usage-profile --config FILE [--scope NAME]", exit_code);
  if (!input) return exit_code;
  const SessionLimits& l = input->limits;
  const GlueSessionDefaults& d = input->config.sessions.policy.glue_defaults;
  Json session = Json::object();

  // Workers: max_workers, and max_dpu in workers of the smallest type a session may use.
  std::optional<int> max_workers = l.max_workers;
  if (l.max_dpu) {
    const std::vector<std::string>& types =
        l.allowed_worker_types ? *l.allowed_worker_types : KnownWorkerTypes();
    double smallest = 0;
    for (const std::string& t : types) {
      if (std::optional<double> dpu = WorkerDpu(t); dpu && (smallest == 0 || *dpu < smallest))
        smallest = *dpu;
    }
    if (smallest > 0) {
      const int by_dpu = std::max(1, static_cast<int>(std::floor(*l.max_dpu / smallest + 1e-9)));
      max_workers = max_workers ? std::min(*max_workers, by_dpu) : by_dpu;
    }
  }
  if (max_workers)
    session["numberOfWorkers"] =
        ConfigurationObject(std::min(d.number_of_workers, *max_workers), 1, max_workers);
  if (l.allowed_worker_types) {
    Json types = Json::object();
    const std::vector<std::string>& allowed = *l.allowed_worker_types;
    types["DefaultValue"] = std::find(allowed.begin(), allowed.end(), d.worker_type) != allowed.end()
                                ? d.worker_type
                                : allowed.front();
    types["AllowedValues"] = allowed;
    session["workerType"] = types;
  }
  if (l.max_timeout_minutes) {
    session["timeout"] =
        ConfigurationObject(std::min(d.timeout_minutes, *l.max_timeout_minutes), 1, l.max_timeout_minutes);
  }
  if (l.max_idle_timeout_minutes) {
    int idle = std::min(d.idle_timeout_minutes.value_or(d.timeout_minutes), *l.max_idle_timeout_minutes);
    if (l.max_timeout_minutes) idle = std::min(idle, *l.max_timeout_minutes);
    session["idleTimeout"] = ConfigurationObject(idle, 1, l.max_idle_timeout_minutes);
  }
  if (session.empty()) {
    context.err
        << "glueguard: the limits have nothing a usage profile can express: set max_workers, max_dpu, "
           "allowed_worker_types, max_timeout_minutes or max_idle_timeout_minutes\n";
    return kExitFailure;
  }
  Json configuration = Json::object();
  configuration["SessionConfiguration"] = session;
  context.out << configuration.dump(2) << "\n";
  std::vector<std::string> left;
  if (l.max_dpu) left.push_back("max_dpu (bounded only as workers of the smallest allowed type)");
  if (l.require_vpc_connection || l.allowed_connections)
    left.push_back("connections (see `glueguard policy iam`)");
  if (l.allowed_glue_versions) left.push_back("allowed_glue_versions");
  if (l.required_tags) left.push_back("required_tags");
  if (!left.empty()) {
    std::string list;
    for (const std::string& item : left) list += (list.empty() ? "" : "; ") + item;
    context.err << "glueguard: note: a usage profile cannot express " << list
                << "; glueguard checks these when the session is created\n";
  }
  context.err << "glueguard: note: create it with `aws glue create-usage-profile --name NAME --configuration "
                 "file://FILE` and tag the team's role glue:UsageProfile=NAME\n";
  return kExitOk;
}

}  // namespace glueguard
