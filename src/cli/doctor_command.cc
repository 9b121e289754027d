// glueguard doctor: the runbook as a command. Read-only unless --apply; exit 0 when nothing needs attention,
// 3 when something does, 2 for a usage or configuration error, 1 when AWS cannot be reached.
#include <fmt/format.h>

#include <cstdlib>
#include <ostream>

#include "app/aws_runtime.h"
#include "aws/dynamodb.h"
#include "aws/ec2.h"
#include "aws/glue.h"
#include "aws/sts.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "doctor/doctor.h"
#include "store/open_store.h"

namespace glueguard {

namespace {

constexpr int kExitAttention = 3;

const char* const kUsage =
    "glueguard doctor --config FILE [--apply | --dry-run] [--job NAME]... [options]\n\n"
    "The on-call runbook as a command. For every subnet of the configuration: utilisation now and its trend\n"
    "from stored observations, and the Glue ENIs left `available` with how long each has been seen so and\n"
    "whether a live job run or session could still own it; job runs of each --job stuck in STOPPING;\n"
    "sessions past the configured limits; who the caller is and the permissions each action needs.\n"
    "Read-only by default (--dry-run says so explicitly): it lists exactly what --apply would do. --apply\n"
    "deletes orphaned Glue ENIs once they have been seen available for --grace by earlier runs (run it from\n"
    "cron: the first run only notes an ENI), retries ENIs EC2 says are still in use, and force-stops stuck\n"
    "runs; calls are rate-limited and bounded. Exit 0: nothing needs attention; 3: something does; 2: usage\n"
    "or configuration error; 1: AWS could not be reached. See docs/doctor.md.";

std::vector<FlagSpec> Specs() {
  return {
      {"config", "glueguard configuration (subnets, categories, store, session limits)", true, false, "FILE"},
      {"apply", "act: delete orphaned ENIs and force-stop stuck runs", false},
      {"dry-run", "change nothing and list what --apply would do (the default)", false},
      {"job", "a Glue job whose runs to check; repeat for several", true, true, "NAME"},
      {"grace", "how long an ENI must have been seen available before a delete (default 60m)", true, false,
       "DURATION"},
      {"stuck-after", "a run in STOPPING longer than this is stuck (default 30m)", true, false, "DURATION"},
      {"trend-window", "stored observations the trend is taken over (default 1h)", true, false, "DURATION"},
      {"trend-min-span", "history a trend needs; less shows none (default 10m)", true, false, "DURATION"},
      {"max-deletes", "ENI deletes per run (default 20)", true, false, "N"},
      {"max-stops", "job runs force-stopped per run (default 10)", true, false, "N"},
      {"rate-burst", "mutating calls that may go back to back (default 5)", true, false, "N"},
      {"rate-per-second", "mutating calls per second after the burst (default 1)", true, false, "R"},
      {"retries", "retries within a run of a delete refused as in use (default 2)", true, false, "N"},
      {"retry-after", "wait before each retry (default 15s)", true, false, "DURATION"},
      OutputFlag(),
      {"help", "show this help", false}};
}

// Reads the flags into options; false (with the error written) on a bad value.
bool ReadOptions(const Flags& flags, std::ostream& err, DoctorOptions& options) {
  bool ok = true;
  auto duration = [&](const char* name, Duration& into) {
    if (!flags.Has(name)) return;
    Result<Duration> d = ParseDuration(*flags.Get(name));
    if (!d.ok() || d->count() < 0) {
      err << fmt::format("glueguard: --{} must be a duration such as 90s, 10m or 1h, not '{}'\n", name,
                         *flags.Get(name));
      ok = false;
      return;
    }
    into = *d;
  };
  auto number = [&](const char* name, double min, double max, auto& into) {
    ok = ReadNumberFlag(flags, err, name, min, max, into) && ok;
  };
  options.apply = flags.Has("apply");
  options.jobs = flags.GetAll("job");
  duration("grace", options.grace);
  duration("stuck-after", options.stuck_after);
  duration("trend-window", options.trend_window);
  duration("trend-min-span", options.trend_min_span);
  if (ok && options.trend_min_span > options.trend_window) {
    err << fmt::format(
        "glueguard: --trend-min-span {} is longer than --trend-window {}: no trend could show\n",
        FormatDuration(options.trend_min_span), FormatDuration(options.trend_window));
    ok = false;
  }
  duration("retry-after", options.retry_after);
  number("max-deletes", 0, 10000, options.max_deletes);
  number("max-stops", 0, 10000, options.max_stops);
  number("rate-burst", 1, 1000, options.rate.burst);
  number("rate-per-second", 0.01, 100, options.rate.refill_per_second);
  number("retries", 0, 100, options.delete_retries);
  return ok;
}

}  // namespace

int RunDoctor(CommandContext& context) {
  CommandFlags flags = ParseCommandFlags(context, kUsage, Specs());
  if (!flags) return flags.exit_code;
  const std::optional<OutputFormat> output = ReadOutputFormat(context, *flags);
  if (!output) return kExitUsage;
  if (flags->Has("apply") && flags->Has("dry-run")) {
    context.err << "glueguard: give --apply or --dry-run, not both\n";
    return kExitUsage;
  }
  if (!flags->Has("config") || !flags->positional().empty()) {
    context.err << "glueguard: doctor needs --config FILE and no other arguments\nusage: " << kUsage << "\n";
    return kExitUsage;
  }
  DoctorOptions options;
  if (!ReadOptions(*flags, context.err, options)) return kExitUsage;

  Result<Config> config = LoadConfigFile(*flags->Get("config"), context.env);
  if (!config.ok()) {
    context.err << config.status().message() << "\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<AwsRuntime>> aws = AwsRuntime::Create(context.env, config->region);
  if (!aws.ok()) {
    context.err << "glueguard: " << aws.status().message() << "\n";
    return kExitFailure;
  }
  Result<std::unique_ptr<ObservationStore>> store = OpenStore(config->store, (*aws)->client.get());
  if (!store.ok()) {
    context.err << "glueguard: " << store.status().message() << "\n";
    return kExitUsage;
  }
  Result<std::unique_ptr<EniLedger>> ledger =
      config->store.kind == "memory"     ? Result<std::unique_ptr<EniLedger>>(MakeMemoryEniLedger())
      : config->store.kind == "dynamodb" ? Result<std::unique_ptr<EniLedger>>(MakeDynamoDbEniLedger(
                                               std::make_unique<DynamoDbClient>(*(*aws)->client),
                                               config->store.tables.state, config->store.retention))
                                         : OpenSqliteEniLedger(config->store.path);
  if (!ledger.ok()) {
    context.err << "glueguard: " << ledger.status().message() << "\n";
    return kExitUsage;
  }
  Ec2Client ec2(*(*aws)->client);
  GlueClient glue(*(*aws)->client);
  StsClient sts(*(*aws)->client);
  const DoctorDeps deps{
      *config, ec2, glue, &sts, store->get(), **ledger, (*aws)->clock, (*aws)->sleeper, Log::To(context.err)};
  Result<DoctorReport> report = RunDoctorPass(deps, options);
  if (!report.ok()) {
    context.err << "glueguard: " << report.status().message() << "\n";
    return kExitFailure;
  }
  context.out << (*output == OutputFormat::kJson ? FormatDoctorJson(*report) : FormatDoctorTable(*report));
  return report->NeedsAttention() ? kExitAttention : kExitOk;
}

}  // namespace glueguard
