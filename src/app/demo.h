// The demo's whole system, built from a workload and a configuration: simcloud playing the workload on an
// accelerated clock, the controller observing it through the EC2 API and answering on its HTTP API, a
// launcher playing Airflow (every launch of the workload asks the API, waits when told to, and starts its
// Glue job run on simcloud when admitted; console runs start without asking), and doctor passes over the
// simulated account. `glueguard demo` owns the flags, the loop's pacing and the output around it.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "base/log.h"
#include "base/status.h"
#include "base/time.h"
#include "config/config.h"
#include "sim/workload.h"

namespace glueguard {

struct DemoSetup {
  Workload workload;
  Config config;        // its store is replaced by memory: the demo keeps nothing
  double speed = 80;    // simulated seconds per real second
  Duration start_at{};  // the simulated time of day the story starts at
  std::string host = "127.0.0.1";
  int port = 8080;             // the controller's API; 0: a port the kernel picks
  Duration tick_every{};       // the controller's ticker, real time (DemoTimingFor)
  Log errors = Log::Stderr();  // what went wrong (a launch that got no decision), apart from the story
};

// What the launcher saw, for the summary.
struct DemoSummary {
  int launches = 0;  // launches that asked
  int admitted = 0;
  int held = 0;       // told to wait at least once
  int recovered = 0;  // admitted after waiting
  int rejected = 0;
  int start_failures = 0;  // StartJobRun refused by simcloud
  Duration longest_wait{0};
};

class DemoRun {
 public:
  // Starts simcloud and the controller. `story` gets one line per launch decision, console run and alert,
  // and an hourly line of the subnets. Unavailable when simcloud or the controller cannot start.
  static Result<std::unique_ptr<DemoRun>> Start(DemoSetup setup, std::ostream& story);
  ~DemoRun();
  DemoRun(const DemoRun&) = delete;
  DemoRun& operator=(const DemoRun&) = delete;

  std::string dashboard_url() const;  // the controller's API, with the dashboard at /
  std::string cloud_endpoint() const;
  Time Now() const;  // the simulated time
  uint64_t world_seed() const;

  // One round of the launcher: the workload's arrivals up to now, and every launch whose poke is due asks.
  void Step();

  // Stops the controller, prints a doctor pass (a dry run) and stops simcloud. Call once, after the last
  // Step.
  void Finish(std::ostream& out);
  const DemoSummary& summary() const;
  int alerts() const;
  int64_t runs_started() const;         // valid after Finish
  int64_t exhaustion_failures() const;  // valid after Finish

 private:
  struct Parts;
  explicit DemoRun(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> p_;
};

}  // namespace glueguard
