// glueguard simcloud: the simulator served over AWS's wire protocols until SIGINT or SIGTERM.
#include <fmt/format.h>

#include <fstream>
#include <ostream>

#include "base/clock.h"
#include "base/random.h"
#include "cli/command_support.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "net/curl_transport.h"
#include "simcloud/simcloud.h"

namespace glueguard {

int RunSimcloud(CommandContext& context) {
  const char* usage =
      "glueguard simcloud WORKLOAD [--listen HOST:PORT] [--speed X] [--seed N] [--no-arrivals]\n"
      "                  [--events-queue NAME] [--events-url URL] [--drop-events RATE] [--faults JSON]\n"
      "                  [--sns-topic ARN]... [--port-file FILE] [--no-verify]\n\n"
      "Runs the simulator on a clock X times faster than real time and serves it over AWS's wire protocols:\n"
      "EC2 (DescribeNetworkInterfaces, DescribeSubnets, DeleteNetworkInterface), Glue (sessions, jobs, job "
      "runs,\n"
      "connections), SNS, SQS and STS, all on one endpoint. Requests must be signed (SigV4) with the test "
      "key\n"
      "AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY. Every CreateSession emits its CloudTrail "
      "event,\n"
      "EventBridge-shaped, onto an SQS queue. The state is at /_simcloud/state. See docs/simcloud.md.";
  std::vector<FlagSpec> specs = {
      {"listen", "where to listen (default 127.0.0.1:9510; port 0 = any free port)", true, false,
       "HOST:PORT"},
      {"speed", "simulated seconds per real second (default 1)", true, false, "X"},
      {"seed", "the simulation's seed (default 1)", true, false, "N"},
      {"no-arrivals", "do not run the workload's own launches and sessions (only API calls change the world)",
       false},
      {"events-queue", "SQS queue for CloudTrail CreateSession events (default glueguard-cloudtrail)", true,
       false, "NAME"},
      {"events-url", "also POST every CloudTrail event here", true, false, "URL"},
      {"drop-events", "share of CloudTrail events never delivered, 0..1 (default 0)", true, false, "RATE"},
      {"faults", "fault injection, e.g. {\"ec2\":{\"throttle_rate\":0.2},\"all\":{\"latency_ms\":50}}", true,
       false, "JSON"},
      {"sns-topic", "an SNS topic that exists from the start; repeatable", true, true, "ARN"},
      {"port-file", "write the port listened on to FILE once serving", true, false, "FILE"},
      {"no-verify", "accept requests whatever their signature (for debugging clients)", false},
      {"help", "show this help", false}};
  CommandFlags flags = ParseCommandFlags(context, usage, specs);
  if (!flags) return flags.exit_code;
  if (!ExpectOneArgument(context, *flags, usage, "workload file")) return kExitUsage;
  auto usage_error = [&](const Status& s) {
    context.err << "glueguard: " << s.message() << "\n";
    return kExitUsage;
  };
  SimCloudOptions options;
  Result<std::pair<std::string, int>> listen = ParseHostPort(flags->Get("listen").value_or("127.0.0.1:9510"));
  if (!listen.ok()) return usage_error(listen.status().WithContext("--listen"));
  options.front.server.host = listen->first;
  options.front.server.port = listen->second;
  options.front.verify_signatures = !flags->Has("no-verify");
  if (!ReadNumberFlag(*flags, context.err, "speed", 0.001, 100000, options.world.speed)) return kExitUsage;
  Result<std::optional<int64_t>> seed = WholeNumberFlag(*flags, "seed", 0, 1'000'000'000'000'000);
  if (!seed.ok()) return usage_error(seed.status());
  options.world.seed = static_cast<uint64_t>(seed->value_or(1));
  options.world.run_arrivals = !flags->Has("no-arrivals");
  if (auto queue = flags->Get("events-queue")) options.cloudtrail.queue_name = *queue;
  options.cloudtrail.post_url = flags->Get("events-url").value_or("");
  if (!ReadNumberFlag(*flags, context.err, "drop-events", 0, 1, options.cloudtrail.drop_rate))
    return kExitUsage;
  options.sns_topics = flags->GetAll("sns-topic");

  Result<Workload> workload = LoadWorkloadFile(flags->positional().front());
  if (!workload.ok()) {
    context.err << "glueguard: " << workload.status().message() << "\n";
    return kExitFailure;
  }

  // SIGINT and SIGTERM are waited for here; blocked before any thread starts so no other thread takes them.
  StopSignals stop_signals;  // before any thread starts

  SystemClock clock;
  SystemRandom random;
  SystemSleeper sleeper;
  CurlTransport transport;
  Result<std::unique_ptr<SimCloud>> cloud =
      SimCloud::Create(*workload, options, clock, random, sleeper, transport);
  if (!cloud.ok()) {
    context.err << "glueguard: " << cloud.status().message() << "\n";
    return kExitFailure;
  }
  if (auto faults = flags->Get("faults")) {
    Result<std::map<std::string, FaultRates>> config = ParseFaultConfig(*faults);
    if (!config.ok()) return usage_error(config.status());
    const Status s = (*cloud)->front().faults().Replace(*config);
    if (!s.ok()) return usage_error(s);
  }
  const Status started = (*cloud)->Start();
  if (!started.ok()) {
    context.err << "glueguard: " << started.message() << "\n";
    return kExitFailure;
  }
  if (auto port_file = flags->Get("port-file")) {
    std::ofstream(*port_file) << (*cloud)->port() << "\n";
  }
  const std::string endpoint = (*cloud)->endpoint();
  context.out << fmt::format(
      "simcloud: serving {} at {} (simulated time x{} from {})\n"
      "  export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY "
      "AWS_REGION={}\n"
      "  aws --endpoint-url {} ec2 describe-network-interfaces\n"
      "  state: {}/_simcloud/state   CloudTrail events: SQS queue {}\n"
      "Ctrl-C stops it.\n",
      workload->source, endpoint, options.world.speed, FormatTime(workload->start), workload->region,
      endpoint, endpoint, options.cloudtrail.queue_name);
  context.out.flush();

  const int signal_number = stop_signals.Wait();
  (*cloud)->Stop();
  context.out << fmt::format("simcloud: stopped ({}); simulated time reached {}\n",
                             StopSignals::Name(signal_number), FormatTime((*cloud)->sim().Now()));
  return kExitOk;
}

}  // namespace glueguard
