// glueguard observe: one live look at a subnet's ENIs, from whatever endpoint the environment points at.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "aws/aws_client.h"
#include "aws/credentials_chain.h"
#include "aws/ec2.h"
#include "aws/environment.h"
#include "aws/sts.h"
#include "base/clock.h"
#include "base/random.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "net/curl_transport.h"

namespace glueguard {

int RunObserve(CommandContext& context) {
  const char* usage =
      "glueguard observe (--subnet ID | --category NAME --config FILE) [--output table|json]\n\n"
      "Counts the ENIs in a subnet (every state, every owner) with one paginated DescribeNetworkInterfaces,\n"
      "and says how many are Glue's. Credentials, region and endpoint come from the usual AWS environment\n"
      "(AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ...).";
  std::vector<FlagSpec> specs = {
      {"subnet", "the subnet id", true, false, "ID"},
      {"category", "a job category of the config: its subnet", true, false, "NAME"},
      {"config", "glueguard configuration (for --category)", true, false, "FILE"},
      OutputFlag(),
      {"help", "show this help", false}};
  CommandFlags flags = ParseCommandFlags(context, usage, specs);
  if (!flags) return flags.exit_code;
  const std::optional<OutputFormat> output = ReadOutputFormat(context, *flags);
  if (!output) return kExitUsage;
  if (flags->Has("subnet") == flags->Has("category")) {
    context.err << "glueguard: give exactly one of --subnet and --category\nusage: " << usage << "\n";
    return kExitUsage;
  }
  std::string subnet_id = flags->Get("subnet").value_or("");
  Result<AwsEnvironment> environment = AwsEnvironment::Load(context.env);
  if (!environment.ok()) {
    context.err << "glueguard: " << environment.status().message() << "\n";
    return kExitFailure;
  }
  if (flags->Has("category")) {
    if (!flags->Has("config")) {
      context.err << "glueguard: --category needs --config FILE to find the category's subnet\n";
      return kExitUsage;
    }
    Result<Config> config = LoadConfigFile(*flags->Get("config"), context.env);
    if (!config.ok()) {
      context.err << config.status().message() << "\n";
      return kExitFailure;
    }
    const CategoryConfig* category = config->FindCategory(*flags->Get("category"));
    if (category == nullptr) {
      context.err << fmt::format("glueguard: category '{}' is not in {}\n", *flags->Get("category"),
                                 *flags->Get("config"));
      return kExitFailure;
    }
    subnet_id = category->subnet_id;
    if (environment->region().empty()) environment->set_region(config->region);
  }

  CurlTransport transport;
  SystemClock clock;
  SystemRandom random;
  SystemSleeper sleeper;
  Result<std::unique_ptr<CredentialsProvider>> credentials = MakeDefaultCredentialsChain(
      *environment, transport, MakeStsFactory(transport, *environment, clock, random, sleeper), clock,
      sleeper);
  if (!credentials.ok()) {
    context.err << "glueguard: " << credentials.status().message() << "\n";
    return kExitFailure;
  }
  AwsClient client(transport, **credentials, *environment, clock, random, sleeper);
  Ec2Client ec2(client);
  DescribeNetworkInterfacesRequest request;
  request.filters = {{"subnet-id", {subnet_id}}};
  request.max_results = 1000;
  const Time observed_at = clock.Now();
  Result<std::vector<NetworkInterface>> interfaces = DescribeAllNetworkInterfaces(ec2, request);
  if (!interfaces.ok()) {
    context.err << "glueguard: " << interfaces.status().message() << "\n";
    return kExitFailure;
  }
  const EniCounts counts = CountEnis(*interfaces);
  if (*output == OutputFormat::kJson) {
    nlohmann::json enis = nlohmann::json::array();
    for (const NetworkInterface& eni : *interfaces) {
      enis.push_back({{"id", eni.id},
                      {"status", eni.status},
                      {"glue", IsGlueEni(eni)},
                      {"private_ip", eni.private_ip_address},
                      {"description", eni.description}});
    }
    context.out << nlohmann::json{{"subnet_id", subnet_id},        {"observed_at", FormatTime(observed_at)},
                                  {"total_enis", counts.total},    {"in_use", counts.in_use},
                                  {"available", counts.available}, {"other", counts.other},
                                  {"glue_enis", counts.glue},      {"enis", enis}}
                       .dump(2)
                << "\n";
    return kExitOk;
  }
  context.out << fmt::format("{} at {}: {} ENIs ({} in-use, {} available, {} other); {} are Glue's\n",
                             subnet_id, FormatTime(observed_at), counts.total, counts.in_use,
                             counts.available, counts.other, counts.glue);
  if (!interfaces->empty()) {
    context.out << fmt::format("\n{:<24} {:<11} {:<5} {:<15} {}\n", "ENI", "STATUS", "GLUE", "PRIVATE IP",
                               "DESCRIPTION");
  }
  for (const NetworkInterface& eni : *interfaces) {
    context.out << fmt::format("{:<24} {:<11} {:<5} {:<15} {}\n", eni.id, eni.status,
                               IsGlueEni(eni) ? "yes" : "-", eni.private_ip_address, eni.description);
  }
  return kExitOk;
}

}  // namespace glueguard
