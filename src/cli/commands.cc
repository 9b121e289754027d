#include "cli/commands.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/command_support.h"
#include "cli/flags.h"

namespace glueguard {

int RunVersion(CommandContext& context) {
  const CommandFlags flags = ParseCommandFlags(context, "glueguard version", {});
  if (!flags) return flags.exit_code;
  context.out << "glueguard " << GLUEGUARD_VERSION << "\n";
  return kExitOk;
}

int RunConfigValidate(CommandContext& context) {
  const char* usage = "glueguard config validate FILE [--output table|json]";
  CommandFlags flags = ParseCommandFlags(context, usage, {OutputFlag()});
  if (!flags) return flags.exit_code;
  const std::optional<OutputFormat> output = ReadOutputFormat(context, *flags);
  if (!output) return kExitUsage;
  const bool json = *output == OutputFormat::kJson;
  if (flags->positional().size() != 1) {
    context.err << "glueguard: config validate takes exactly one FILE\nusage: " << usage << "\n";
    return kExitUsage;
  }
  const std::string& path = flags->positional()[0];
  Result<Config> config = LoadConfigFile(path, context.env);
  if (!config.ok()) {
    if (json) {
      nlohmann::json errors = nlohmann::json::array();
      std::string message = config.status().message();
      size_t start = 0;
      while (start <= message.size()) {
        const size_t nl = message.find('\n', start);
        errors.push_back(message.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
      context.out << nlohmann::json{{"file", path}, {"valid", false}, {"errors", errors}}.dump(2) << "\n";
    } else {
      context.err << config.status().message() << "\n";
    }
    return kExitFailure;
  }

  if (json) {
    nlohmann::json subnets = nlohmann::json::array();
    for (const SubnetConfig& s : config->subnets) {
      const SubnetSettings settings = config->SettingsFor(s);
      subnets.push_back({{"id", s.id},
                         {"name", s.name},
                         {"cidr", s.cidr.ToString()},
                         {"usable_ips", s.cidr.UsableIps()},
                         {"buffer", settings.buffer.ToString()},
                         {"alert_threshold", s.alert_threshold},
                         {"strict_fifo", settings.strict_fifo}});
    }
    nlohmann::json categories = nlohmann::json::array();
    for (const CategoryConfig& c : config->categories) {
      categories.push_back({{"name", c.name},
                            {"subnet", c.subnet_id},
                            {"connection", c.connection},
                            {"priority", c.priority},
                            {"ips_per_worker", c.ips_per_worker},
                            {"extra_ips_per_job", c.extra_ips_per_job}});
    }
    context.out << nlohmann::json{{"file", path},
                                  {"valid", true},
                                  {"region", config->region},
                                  {"store", {{"kind", config->store.kind}, {"path", config->store.path}}},
                                  {"subnets", subnets},
                                  {"categories", categories}}
                       .dump(2)
                << "\n";
    return kExitOk;
  }

  context.out << fmt::format("{}: valid ({} subnets, {} categories, store {} at {})\n\n", path,
                             config->subnets.size(), config->categories.size(), config->store.kind,
                             config->store.path);
  context.out << fmt::format("{:<26} {:<12} {:<16} {:>6}  {:<28} {}\n", "SUBNET", "NAME", "CIDR", "IPS",
                             "BUFFER", "CATEGORIES");
  for (const SubnetConfig& s : config->subnets) {
    std::string categories;
    for (const CategoryConfig& c : config->categories) {
      if (c.subnet_id != s.id) continue;
      if (!categories.empty()) categories += ", ";
      categories += fmt::format("{} (priority {})", c.name, c.priority);
    }
    context.out << fmt::format("{:<26} {:<12} {:<16} {:>6}  {:<28} {}\n", s.id, s.name, s.cidr.ToString(),
                               s.cidr.UsableIps(), config->SettingsFor(s).buffer.ToString(),
                               categories.empty() ? "-" : categories);
  }
  return kExitOk;
}

}  // namespace glueguard
