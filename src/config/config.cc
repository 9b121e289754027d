#include "config/config.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "base/strings.h"
#include "formats/yaml_reader.h"
#include "policy/policy_yaml.h"

namespace glueguard {

const SubnetConfig* Config::FindSubnet(std::string_view id_or_name) const {
  for (const SubnetConfig& s : subnets) {
    if (s.id == id_or_name || s.name == id_or_name) return &s;
  }
  return nullptr;
}

const CategoryConfig* Config::FindCategory(std::string_view name) const {
  for (const CategoryConfig& c : categories) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

SubnetSettings Config::SettingsFor(const SubnetConfig& subnet) const {
  SubnetSettings s;
  s.subnet_id = subnet.id;
  s.capacity = subnet.cidr.UsableIps();
  s.buffer = subnet.buffer.value_or(admission.buffer);
  s.stale_after = admission.stale_after;
  s.reservation_ttl = admission.reservation_ttl;
  s.max_wait = admission.max_wait;
  s.waiter_idle_timeout = admission.waiter_idle_timeout;
  s.cool_off = admission.cool_off;
  s.retry_after = admission.poll_interval;
  s.strict_fifo = subnet.strict_fifo.value_or(admission.strict_fifo);
  s.priority_floor = admission.priority_floor;
  for (const CategoryConfig& c : categories) {
    if (c.subnet_id == subnet.id && !c.roles.empty()) s.category_roles[c.name] = c.roles;
  }
  return s;
}

namespace {

// A buffer policy as a spec string ("rolling-max:5:10") or a map {policy, ips, window, floor, source}.
bool ReadBuffer(YamlReader& r, const YAML::Node& node, const std::string& path, BufferPolicy& out) {
  if (node.IsScalar()) {
    Result<BufferPolicy> p = ParseBufferPolicy(node.Scalar());
    if (!p.ok()) {
      r.Error(node, path, p.status().message());
      return false;
    }
    out = *p;
    return true;
  }
  if (!node.IsMap()) {
    r.Error(node, path, "must be a policy name or a map with 'policy'");
    return false;
  }
  r.CheckKeys(node, path,
              {"policy", "ips", "window", "floor", "source", "startup", "growth_horizon", "release_quantile",
               "growth_quantile", "keep_free", "min_tails", "min_history", "learn_over"});
  std::string kind;
  if (!r.ReadString(node, path, "policy", kind, true)) return false;
  BufferPolicy p;
  if (kind == "none") {
    p.kind = BufferPolicy::Kind::kNone;
  } else if (kind == "static") {
    p.kind = BufferPolicy::Kind::kStatic;
  } else if (kind == "rolling-max") {
    p.kind = BufferPolicy::Kind::kRollingMax;
  } else if (kind == "forecast") {
    p.kind = BufferPolicy::Kind::kForecast;
  } else {
    r.Error(node["policy"], YamlReader::Join(path, "policy"),
            fmt::format("'{}' is not one of none, static, rolling-max, forecast", kind));
    return false;
  }
  bool ok = true;
  ok &= r.ReadSignedCount(node, path, "ips", p.static_ips);
  ok &= r.ReadSignedCount(node, path, "floor", p.floor);
  ok &= r.ReadInt(node, path, "window", p.window, 1, 1000);
  ForecastSettings& f = p.forecast;
  ok &= r.ReadDuration(node, path, "startup", f.startup);
  ok &= r.ReadDuration(node, path, "growth_horizon", f.growth_horizon);
  ok &= r.ReadDouble(node, path, "release_quantile", f.release_quantile, 0.001, 0.999);
  ok &= r.ReadDouble(node, path, "growth_quantile", f.growth_quantile, 0.001, 0.999);
  ok &= r.ReadSignedCount(node, path, "keep_free", f.keep_free);
  ok &= r.ReadInt(node, path, "min_tails", f.min_tails, 1, 100000);
  ok &= r.ReadDuration(node, path, "min_history", f.min_history);
  ok &= r.ReadDuration(node, path, "learn_over", f.learn_over);
  if (ok && p.kind == BufferPolicy::Kind::kForecast) {
    const std::string error = ForecastSettingsError(f);
    if (!error.empty()) {
      r.Error(node, path, error);
      ok = false;
    }
  }
  std::string source;
  if (r.ReadString(node, path, "source", source) && !source.empty()) {
    if (source == "available") {
      p.source = BufferSource::kAvailable;
    } else if (source == "total") {
      p.source = BufferSource::kTotal;
    } else {
      r.Error(node["source"], YamlReader::Join(path, "source"),
              fmt::format("'{}' is neither available nor total", source));
      ok = false;
    }
  }
  if (ok) out = p;
  return ok;
}

void ReadStore(YamlReader& r, const YAML::Node& node, StoreConfig& store) {
  if (!node) return;
  if (!node.IsMap()) return r.Error(node, "store", "must be a map");
  r.CheckKeys(node, "store", {"kind", "path", "retention", "tables"});
  r.ReadString(node, "store", "kind", store.kind);
  if (store.kind != "sqlite" && store.kind != "memory" && store.kind != "dynamodb") {
    r.Error(node["kind"], "store.kind",
            fmt::format("'{}' is not one of sqlite, memory, dynamodb", store.kind));
  }
  r.ReadString(node, "store", "path", store.path);
  if (const YAML::Node tables = node["tables"]; tables) {
    if (!tables.IsMap()) {
      r.Error(tables, "store.tables",
              "must be a map of observations, state, decisions, sessions and queue table names");
    } else {
      r.CheckKeys(tables, "store.tables", {"observations", "state", "decisions", "sessions", "queue"});
      r.ReadString(tables, "store.tables", "observations", store.tables.observations);
      r.ReadString(tables, "store.tables", "state", store.tables.state);
      r.ReadString(tables, "store.tables", "decisions", store.tables.decisions);
      r.ReadString(tables, "store.tables", "sessions", store.tables.sessions);
      r.ReadString(tables, "store.tables", "queue", store.tables.queue);
    }
  }
  r.ReadDuration(node, "store", "retention", store.retention);
}

void ReadAdmission(YamlReader& r, const YAML::Node& node, AdmissionConfig& a) {
  if (!node) return;
  if (!node.IsMap()) return r.Error(node, "admission", "must be a map");
  const std::string path = "admission";
  r.CheckKeys(node, path,
              {"buffer", "poll_interval", "stale_after", "reservation_ttl", "max_wait", "waiter_idle_timeout",
               "cool_off", "strict_fifo", "priority_floor"});
  if (node["buffer"]) ReadBuffer(r, node["buffer"], "admission.buffer", a.buffer);
  r.ReadDuration(node, path, "poll_interval", a.poll_interval);
  a.stale_after = 2 * a.poll_interval;
  r.ReadDuration(node, path, "stale_after", a.stale_after);
  r.ReadDuration(node, path, "reservation_ttl", a.reservation_ttl);
  r.ReadDuration(node, path, "max_wait", a.max_wait);
  r.ReadDuration(node, path, "waiter_idle_timeout", a.waiter_idle_timeout);
  r.ReadDuration(node, path, "cool_off", a.cool_off);
  r.ReadBool(node, path, "strict_fifo", a.strict_fifo);
  if (a.stale_after < a.poll_interval) {
    r.Error(
        node["stale_after"], "admission.stale_after",
        fmt::format("{} is shorter than poll_interval {}: every observation would be stale before the next",
                    FormatDuration(a.stale_after), FormatDuration(a.poll_interval)));
  }
  const YAML::Node floor = node["priority_floor"];
  if (floor) {
    const std::string fpath = "admission.priority_floor";
    if (!floor.IsMap()) return r.Error(floor, fpath, "must be a map");
    r.CheckKeys(floor, fpath, {"enabled", "on_at", "off_below", "min_priority"});
    PriorityFloor& pf = a.priority_floor;
    pf.enabled = true;
    r.ReadBool(floor, fpath, "enabled", pf.enabled);
    r.ReadFraction(floor, fpath, "on_at", pf.on_at);
    r.ReadFraction(floor, fpath, "off_below", pf.off_below);
    r.ReadInt(floor, fpath, "min_priority", pf.min_priority, -1'000'000, 1'000'000);
    if (pf.off_below >= pf.on_at) {
      r.Error(floor, fpath,
              fmt::format("off_below ({:.2f}) must be lower than on_at ({:.2f})", pf.off_below, pf.on_at));
    }
  }
}

void ReadServer(YamlReader& r, const YAML::Node& node, ServerConfig& server) {
  if (!node) return;
  if (!node.IsMap()) return r.Error(node, "server", "must be a map");
  r.CheckKeys(node, "server",
              {"listen", "token_env", "max_body_bytes", "on_demand_max_age", "insecure_no_auth",
               "refresh_for_every_waiter"});
  if (r.ReadString(node, "server", "listen", server.listen)) {
    const size_t colon = server.listen.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == server.listen.size()) {
      r.Error(node["listen"], "server.listen", fmt::format("'{}' is not HOST:PORT", server.listen));
    }
  }
  r.ReadString(node, "server", "token_env", server.token_env);
  int max_body = static_cast<int>(server.max_body_bytes);
  if (r.ReadInt(node, "server", "max_body_bytes", max_body, 1024, 16 << 20)) server.max_body_bytes = max_body;
  r.ReadDuration(node, "server", "on_demand_max_age", server.on_demand_max_age);
  r.ReadBool(node, "server", "refresh_for_every_waiter", server.refresh_for_every_waiter);
  r.ReadBool(node, "server", "insecure_no_auth", server.insecure_no_auth);
}

void ReadNotify(YamlReader& r, const YAML::Node& node, NotifyConfig& notify) {
  if (!node) return;
  if (!node.IsMap()) return r.Error(node, "notify", "must be a map");
  r.CheckKeys(node, "notify", {"sns_topic_arn", "webhook_url"});
  if (r.ReadString(node, "notify", "sns_topic_arn", notify.sns_topic_arn) && !notify.sns_topic_arn.empty() &&
      notify.sns_topic_arn.rfind("arn:aws", 0) != 0) {
    r.Error(
        node["sns_topic_arn"], "notify.sns_topic_arn",
        fmt::format("'{}' is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)", notify.sns_topic_arn));
  }
  if (r.ReadString(node, "notify", "webhook_url", notify.webhook_url) && !notify.webhook_url.empty() &&
      notify.webhook_url.rfind("http://", 0) != 0 && notify.webhook_url.rfind("https://", 0) != 0) {
    r.Error(node["webhook_url"], "notify.webhook_url",
            fmt::format("'{}' is not an http:// or https:// URL", notify.webhook_url));
  }
}

bool IsHttpUrl(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

void ReadSessions(YamlReader& r, const YAML::Node& node, SessionsConfig& sessions) {
  if (!node) return;
  if (!node.IsMap()) return r.Error(node, "sessions", "must be a map");
  const std::string path = "sessions";
  r.CheckKeys(node, path,
              {"policy", "policy_file", "provisioning_wait", "reconcile_every", "queue_url",
               "visibility_timeout", "max_attempts", "initial_backoff", "max_backoff",
               "dead_letter_queue_url", "dedupe_window", "claim_stale_after"});
  sessions.configured = true;
  if (node["policy"] && node["policy_file"]) {
    r.Error(node["policy_file"], "sessions.policy_file",
            "is set together with sessions.policy: give the policy inline or in a file, not both");
  } else if (node["policy"]) {
    ReadSessionPolicy(r, node["policy"], "sessions.policy", sessions.policy);
  } else {
    r.ReadString(node, path, "policy_file", sessions.policy_file);
  }
  r.ReadDuration(node, path, "provisioning_wait", sessions.provisioning_wait);
  if (const YAML::Node every = node["reconcile_every"];
      every && every.IsScalar() && (every.Scalar() == "0" || ToLower(every.Scalar()) == "off")) {
    sessions.reconcile_every = Duration::zero();
  } else {
    r.ReadDuration(node, path, "reconcile_every", sessions.reconcile_every);
  }
  if (r.ReadString(node, path, "queue_url", sessions.queue_url) && !sessions.queue_url.empty() &&
      !IsHttpUrl(sessions.queue_url)) {
    r.Error(node["queue_url"], "sessions.queue_url",
            fmt::format("'{}' is not an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)",
                        sessions.queue_url));
  }
  r.ReadDuration(node, path, "visibility_timeout", sessions.visibility_timeout);
  r.ReadInt(node, path, "max_attempts", sessions.max_attempts, 1, 100);
  r.ReadDuration(node, path, "initial_backoff", sessions.initial_backoff);
  r.ReadDuration(node, path, "max_backoff", sessions.max_backoff);
  if (sessions.max_backoff < sessions.initial_backoff) {
    r.Error(node["max_backoff"] ? node["max_backoff"] : node, "sessions.max_backoff",
            fmt::format("{} is shorter than initial_backoff {}", FormatDuration(sessions.max_backoff),
                        FormatDuration(sessions.initial_backoff)));
  }
  if (r.ReadString(node, path, "dead_letter_queue_url", sessions.dead_letter_queue_url) &&
      !sessions.dead_letter_queue_url.empty() && !IsHttpUrl(sessions.dead_letter_queue_url)) {
    r.Error(node["dead_letter_queue_url"], "sessions.dead_letter_queue_url",
            fmt::format("'{}' is not an SQS queue URL", sessions.dead_letter_queue_url));
  }
  r.ReadDuration(node, path, "dedupe_window", sessions.dedupe_window);
  r.ReadDuration(node, path, "claim_stale_after", sessions.claim_stale_after);
  if (sessions.claim_stale_after <= sessions.provisioning_wait) {
    r.Error(node["claim_stale_after"] ? node["claim_stale_after"] : node, "sessions.claim_stale_after",
            fmt::format(
                "{} is not longer than provisioning_wait {}: a handler still waiting would lose its claim",
                FormatDuration(sessions.claim_stale_after), FormatDuration(sessions.provisioning_wait)));
  }
}

void ReadSubnets(YamlReader& r, const YAML::Node& node, Config& config) {
  if (!node) {
    // Session boundaries alone (a Lambda, say) need no subnets.
    if (config.sessions.configured) return;
    return r.Error(0, "subnets", "is required: at least one subnet (or a sessions section on its own)");
  }
  if (!node.IsSequence() || node.size() == 0) return r.Error(node, "subnets", "must be a non-empty list");
  std::set<std::string> ids;
  std::set<std::string> names;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    const std::string path = fmt::format("subnets[{}]", i);
    if (!item.IsMap()) {
      r.Error(item, path, "must be a map with id and cidr");
      continue;
    }
    r.CheckKeys(item, path,
                {"id", "name", "cidr", "alert_threshold", "alert_clear", "buffer", "strict_fifo"});
    SubnetConfig s;
    s.line = item.Mark().line + 1;
    bool ok = r.ReadString(item, path, "id", s.id, true);
    r.ReadString(item, path, "name", s.name);
    if (s.name.empty()) s.name = s.id;
    std::string cidr;
    if (r.ReadString(item, path, "cidr", cidr, true) && !cidr.empty()) {
      Result<Cidr> parsed = ParseCidr(cidr);
      if (parsed.ok()) {
        s.cidr = *parsed;
      } else {
        r.Error(item["cidr"], path + ".cidr", parsed.status().message());
        ok = false;
      }
    } else {
      ok = false;
    }
    r.ReadFraction(item, path, "alert_threshold", s.alert_threshold);
    r.ReadFraction(item, path, "alert_clear", s.alert_clear);
    if (s.alert_clear >= s.alert_threshold) {
      r.Error(item, path,
              fmt::format("alert_clear ({:.2f}) must be lower than alert_threshold ({:.2f})", s.alert_clear,
                          s.alert_threshold));
    }
    if (item["buffer"]) {
      BufferPolicy p;
      if (ReadBuffer(r, item["buffer"], path + ".buffer", p)) s.buffer = p;
    }
    if (item["strict_fifo"]) {
      bool strict = false;
      if (r.ReadBool(item, path, "strict_fifo", strict)) s.strict_fifo = strict;
    }
    if (!s.id.empty() && !ids.insert(s.id).second) {
      r.Error(item, path, fmt::format("subnet id '{}' is defined twice", s.id));
      ok = false;
    }
    if (!s.name.empty() && !names.insert(s.name).second && s.name != s.id) {
      r.Error(item, path, fmt::format("subnet name '{}' is used twice", s.name));
      ok = false;
    }
    if (ok) config.subnets.push_back(std::move(s));
  }
}

void ReadCategories(YamlReader& r, const YAML::Node& node, Config& config) {
  if (!node) {
    if (config.sessions.configured && config.subnets.empty()) return;
    return r.Error(0, "categories", "is required: at least one job category");
  }
  if (!node.IsSequence() || node.size() == 0) return r.Error(node, "categories", "must be a non-empty list");
  std::vector<std::string> subnet_keys;
  for (const SubnetConfig& s : config.subnets) {
    subnet_keys.push_back(s.id);
    if (s.name != s.id) subnet_keys.push_back(s.name);
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    const std::string path = fmt::format("categories[{}]", i);
    if (!item.IsMap()) {
      r.Error(item, path, "must be a map with name and subnet");
      continue;
    }
    r.CheckKeys(item, path,
                {"name", "subnet", "connection", "priority", "ips_per_worker", "extra_ips_per_job", "roles"});
    CategoryConfig c;
    c.line = item.Mark().line + 1;
    bool ok = r.ReadString(item, path, "name", c.name, true);
    std::string subnet;
    if (r.ReadString(item, path, "subnet", subnet, true) && !subnet.empty()) {
      if (const SubnetConfig* s = config.FindSubnet(subnet)) {
        c.subnet_id = s->id;
      } else {
        std::string message = fmt::format("unknown subnet '{}'", subnet);
        if (auto near = ClosestMatch(subnet, subnet_keys))
          message += fmt::format(" (did you mean '{}'?)", *near);
        r.Error(item["subnet"], path + ".subnet", message);
        ok = false;
      }
    } else {
      ok = false;
    }
    r.ReadString(item, path, "connection", c.connection);
    ok &= r.ReadInt(item, path, "priority", c.priority, -1'000'000, 1'000'000);
    ok &= r.ReadInt(item, path, "ips_per_worker", c.ips_per_worker, 1, 16);
    ok &= r.ReadInt(item, path, "extra_ips_per_job", c.extra_ips_per_job, 0, 1000);
    std::optional<std::vector<std::string>> roles;
    ok &= r.ReadStringList(item, path, "roles", roles);
    if (roles) c.roles = std::move(*roles);
    if (!c.name.empty() && !seen.insert(c.name).second) {
      r.Error(item, path, fmt::format("category '{}' is defined twice", c.name));
      ok = false;
    }
    if (ok) config.categories.push_back(std::move(c));
  }
}

}  // namespace

Result<Config> ParseConfig(std::string_view yaml, std::string_view source, const EnvLookup& env) {
  YamlReader r{std::string(source)};
  GG_ASSIGN_OR_RETURN(const YAML::Node root,
                      YamlReader::LoadMap(yaml, source, "the file must be a YAML map of settings"));
  Config config;
  config.source = std::string(source);
  r.Guard([&] {
    r.CheckKeys(root, "",
                {"region", "store", "admission", "server", "notify", "sessions", "subnets", "categories"});
    r.ReadString(root, "", "region", config.region);
    ReadStore(r, root["store"], config.store);
    ReadAdmission(r, root["admission"], config.admission);
    ReadServer(r, root["server"], config.server);
    ReadNotify(r, root["notify"], config.notify);
    ReadSessions(r, root["sessions"], config.sessions);
    ReadSubnets(r, root["subnets"], config);
    ReadCategories(r, root["categories"], config);
  });
  if (auto region = env("GLUEGUARD_REGION")) config.region = *region;
  if (auto path = env("GLUEGUARD_STORE_PATH")) config.store.path = *path;
  if (auto listen = env("GLUEGUARD_LISTEN")) config.server.listen = *listen;
  if (auto replica = env("GLUEGUARD_REPLICA_ID")) config.server.replica_id = *replica;
  if (auto token = env(config.server.token_env)) {
    // An empty token would silently mean "open": refuse it rather than guess.
    if (token->empty()) {
      r.Error(0, "server.token_env",
              fmt::format("{} is set but empty; give it the token, or unset it to run without one",
                          config.server.token_env));
    }
    config.server.token = *token;
  }
  GG_RETURN_IF_ERROR(r.ToStatus());
  return config;
}

Result<Config> LoadConfigFile(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("cannot open config file '{}'", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::Unavailable(fmt::format("cannot read config file '{}'", path));
  Result<Config> config = ParseConfig(text.str(), path, env);
  if (!config.ok() || config->sessions.policy_file.empty()) return config;

  // sessions.policy_file, relative to the configuration file.
  std::filesystem::path policy_path(config->sessions.policy_file);
  if (policy_path.is_relative()) policy_path = std::filesystem::path(path).parent_path() / policy_path;
  std::ifstream policy_in(policy_path, std::ios::binary);
  if (!policy_in) {
    return Status::NotFound(
        fmt::format("{}: sessions.policy_file: cannot open '{}'", path, policy_path.string()));
  }
  std::ostringstream policy_text;
  policy_text << policy_in.rdbuf();
  Result<SessionPolicy> policy = ParseSessionPolicy(policy_text.str(), policy_path.string());
  if (!policy.ok()) return policy.status();
  config->sessions.policy = std::move(*policy);
  return config;
}

}  // namespace glueguard
