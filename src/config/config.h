// glueguard's configuration: one YAML file, validated at load. Errors name the key path and the line.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admission/buffer_policy.h"
#include "admission/cidr.h"
#include "admission/subnet_admission.h"
#include "base/env.h"
#include "base/status.h"
#include "base/time.h"
#include "policy/policy.h"

namespace glueguard {

// DynamoDB table names (store.kind dynamodb); the observations table has the seed sensor's default name.
struct DynamoDbTableNames {
  std::string observations = "glue-eni-observations";
  std::string state = "glueguard-admission-state";
  std::string decisions = "glueguard-decisions";
  std::string sessions = "glueguard-session-ledger";  // session events' dedupe ledger and known sessions
  std::string queue = "glueguard-session-queue";      // session events' inbox and dead letters
};

struct StoreConfig {
  // "sqlite" (one local file), "dynamodb" (shared by replicas; region and endpoint from the AWS environment,
  // AWS_ENDPOINT_URL_DYNAMODB for a local one) or "memory" (tests, demos; lost on exit)
  std::string kind = "sqlite";
  std::string path =
      "glueguard.db";  // sqlite: the database file; relative paths are from the working directory
  Duration retention = std::chrono::hours(24 * 30);  // observations and decisions older than this are deleted
  DynamoDbTableNames tables;                         // dynamodb
};

struct AdmissionConfig {
  BufferPolicy buffer;                                // default for every subnet
  Duration poll_interval = std::chrono::seconds(60);  // a subnet is observed at most this often
  Duration stale_after = std::chrono::minutes(2);     // default: two poll intervals
  Duration reservation_ttl = std::chrono::minutes(15);
  Duration max_wait = std::chrono::minutes(10);
  Duration waiter_idle_timeout = std::chrono::minutes(5);
  Duration cool_off = std::chrono::minutes(15);
  bool strict_fifo = false;
  PriorityFloor priority_floor;
};

// The controller's HTTP API (glueguard serve).
struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; loopback unless told otherwise
  // The bearer token writes (POST, DELETE) must carry; empty = writes are open, allowed on a loopback address
  // only (or with insecure_no_auth). A token variable that is set but empty is a configuration error.
  // Set through the environment variable named by token_env rather than in the file.
  std::string token;
  std::string token_env = "GLUEGUARD_API_TOKEN";
  size_t max_body_bytes = 64 * 1024;                      // larger requests are refused with 413
  Duration on_demand_max_age = std::chrono::seconds(10);  // an admission refreshes a view older than this
  // A launch already waiting refreshes the view only when a waiter would fit on the view in hand or the view
  // is due for its poll (false); or like any admission (true: one call per on_demand_max_age while any wait).
  bool refresh_for_every_waiter = false;
  // Listening on an address other than loopback with no token is refused unless this says it is meant.
  bool insecure_no_auth = false;
  // This replica's name in poller leases and on its observations (GLUEGUARD_REPLICA_ID); empty: serve uses
  // <hostname>-<pid>.
  std::string replica_id;
};

// Where notifications (alerts, ended sessions) go; none configured = logged only.
struct NotifyConfig {
  std::string sns_topic_arn;
  std::string webhook_url;
};

// Session boundaries (the `sessions` section): the policy, and how events reach glueguard and are handled.
struct SessionsConfig {
  bool configured = false;  // the section is present
  SessionPolicy policy;     // inline under sessions.policy, or from sessions.policy_file
  std::string policy_file;  // relative to the configuration file
  Duration provisioning_wait = std::chrono::seconds(90);  // enforce: how long to wait for PROVISIONING to end
  Duration reconcile_every = std::chrono::minutes(5);     // the sweep over live sessions; 0 = off
  std::string queue_url;  // an SQS queue an EventBridge rule feeds; empty = no poller (POST /v1/events only)
  Duration visibility_timeout = std::chrono::minutes(2);  // extended while an event is being handled
  int max_attempts = 5;                                   // then the event is dead-lettered
  Duration initial_backoff = std::chrono::seconds(1);
  Duration max_backoff = std::chrono::seconds(30);
  std::string dead_letter_queue_url;                // empty = the dead-letter table in the store (SQLite)
  Duration dedupe_window = std::chrono::hours(24);  // an event id seen within this is acted on once
  // A claim on an event not finished this long is taken over (its handler died); longer than provisioning_wait.
  Duration claim_stale_after = std::chrono::minutes(15);
};

struct SubnetConfig {
  std::string id;    // the AWS subnet id, e.g. subnet-0a1b2c3d
  std::string name;  // a short name for people and dashboards; defaults to the id
  Cidr cidr;
  double alert_threshold = 0.80;       // utilisation at which the alert fires
  double alert_clear = 0.60;           // utilisation below which it clears
  std::optional<BufferPolicy> buffer;  // overrides admission.buffer
  std::optional<bool> strict_fifo;     // overrides admission.strict_fifo
  int line = 0;                        // where it is defined, 1-based
};

struct CategoryConfig {
  std::string name;
  std::string subnet_id;   // resolved to the subnet's id even when the file names the subnet by name
  std::string connection;  // the Glue connection that pins the category's jobs to the subnet
  int priority = 0;        // higher is admitted first
  int ips_per_worker = 1;
  int extra_ips_per_job = 0;
  // The IAM roles its jobs run as (ARNs or role names), named in their ENIs' descriptions: only ENIs of these
  // roles settle its reservations. Empty: any Glue ENI no other category's roles claim.
  std::vector<std::string> roles;
  int line = 0;
};

struct Config {
  std::string source;  // the file it came from, for messages
  std::string region;
  StoreConfig store;
  AdmissionConfig admission;
  ServerConfig server;
  NotifyConfig notify;
  SessionsConfig sessions;
  std::vector<SubnetConfig> subnets;
  std::vector<CategoryConfig> categories;

  // By id or by name; nullptr when there is none.
  const SubnetConfig* FindSubnet(std::string_view id_or_name) const;
  const CategoryConfig* FindCategory(std::string_view name) const;
  // The admission settings of a subnet: the admission section with the subnet's overrides.
  SubnetSettings SettingsFor(const SubnetConfig& subnet) const;
};

// Parses and validates YAML text. `source` names it in messages. On error, the status message lists every
// problem found, one per line, as "<source>:<line>: <key.path>: <problem>".
// Environment overrides (applied after the file): GLUEGUARD_REGION, GLUEGUARD_STORE_PATH, GLUEGUARD_LISTEN,
// and the API token from the variable named by server.token_env (GLUEGUARD_API_TOKEN by default).
Result<Config> ParseConfig(std::string_view yaml, std::string_view source, const EnvLookup& env);
// Reads and parses a file.
Result<Config> LoadConfigFile(const std::string& path, const EnvLookup& env);

}  // namespace glueguard
