// Workload: what a simulated account runs — subnets, the categories of jobs pinned to them through Glue
// connections, scheduled jobs, ad-hoc runs, interactive sessions, and how Glue's ENIs behave. Read from YAML
// (see examples/workloads/ and docs/simulation.md); every problem is reported as "file:line: key.path:
// problem".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "admission/cidr.h"
#include "base/status.h"
#include "base/time.h"
#include "sim/cron.h"
#include "sim/distribution.h"

namespace glueguard {

struct WorkloadSubnet {
  std::string id;    // "subnet-a"
  std::string name;  // "A"; defaults to the id
  Cidr cidr;
  std::string availability_zone = "us-east-1a";
  std::string vpc_id = "vpc-0sim";
  int other_enis = 0;  // ENIs of other services (endpoints, NAT, Lambda), present all the time
};

struct WorkloadCategory {
  std::string name;
  std::string subnet;      // a WorkloadSubnet id
  std::string connection;  // the Glue connection pinning it to the subnet; defaults to "<name>-connection"
  int priority = 0;        // higher goes first in admission queues
  bool admission = true;   // false: its launches never ask (the seed's "before")
  int ips_per_worker = 1;
  int extra_ips_per_job = 0;
};

struct WorkloadJob {
  std::string name;
  std::string category;
  std::vector<CronSchedule> schedules;  // UTC, one or more
  int workers = 10;
  std::string worker_type = "G.1X";
  Distribution duration;  // RUNNING time
  bool bypass_admission = false;  // started from the console on its schedule: never asks
};

// Runs that arrive at random (a Poisson process): backfills, manual re-runs, one-offs.
struct WorkloadAdhoc {
  std::string name;
  std::string category;
  std::string job;              // the Glue job they run; defaults to the name
  double per_day = 1;           // mean arrivals per day
  bool scale_with_day = false;  // multiply the rate by the day's cleanup factor (busy days are slow days)
  Distribution workers;         // rounded to a whole number, at least 1
  Distribution duration;
  bool bypass_admission = false;  // started from the console: never asks
  // Hours of the day (UTC) they arrive in, [from, to); default all day.
  int from_hour = 0;
  int to_hour = 24;
};

// Interactive sessions created from notebooks.
struct WorkloadSessions {
  std::string name;
  std::string category;  // its connection's subnet; empty = no VPC connection (takes no ENIs)
  double per_day = 0;
  Distribution workers;
  Distribution active;  // time in use before it goes idle
  Duration idle_timeout = std::chrono::minutes(30);
  std::string worker_type = "G.1X";
  int from_hour = 0;
  int to_hour = 24;
};

// How Glue's ENIs behave.
struct EniBehaviour {
  Distribution provision_delay;    // STARTING until the run's ENIs exist
  Distribution detach_delay;       // the run ends: in-use -> detaching -> available
  Distribution cleanup_tail;       // available until Glue deletes it
  Distribution day_factor;         // drawn once per day, multiplies that day's cleanup tails
  double leak_rate = 0;            // share of Glue ENIs never cleaned up (orphans)
  double stuck_stopping_rate = 0;  // share of stopped runs that hang in STOPPING until force-stopped
};

// The sensor's settings during a simulation.
struct WorkloadAdmission {
  Duration poke_interval = std::chrono::seconds(60);
  Duration max_wait = std::chrono::minutes(10);
  Duration observe_interval = std::chrono::seconds(60);  // a poke reuses an observation younger than this
  int history = 5;                                       // rolling-max window N
  int min_buffer = 10;                                   // rolling-max floor
  // How long an admit's IPs stay reserved when no observation shows them; covers provisioning with margin.
  Duration reservation_ttl = std::chrono::minutes(5);
};

struct Workload {
  std::string source;  // file name, for messages
  std::string description;
  Time start{};  // simulated time zero (UTC midnight)
  std::string account_id = "123456789012";
  std::string region = "us-east-1";
  std::vector<WorkloadSubnet> subnets;
  std::vector<WorkloadCategory> categories;
  std::vector<WorkloadJob> jobs;
  std::vector<WorkloadAdhoc> adhoc;
  std::vector<WorkloadSessions> sessions;
  EniBehaviour enis;
  WorkloadAdmission admission;

  const WorkloadSubnet* FindSubnet(std::string_view id) const;
  const WorkloadCategory* FindCategory(std::string_view name) const;
  const WorkloadJob* FindJob(std::string_view name) const;
};

// Parses a workload. InvalidArgument lists every problem, one per line.
Result<Workload> ParseWorkload(std::string_view yaml, std::string_view source);
Result<Workload> LoadWorkloadFile(const std::string& path);

}  // namespace glueguard
