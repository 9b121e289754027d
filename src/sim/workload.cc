#include "sim/workload.h"

#include <fmt/format.h>

#include <fstream>
#include <set>
#include <sstream>

#include "sim/distribution_yaml.h"

namespace glueguard {

const WorkloadSubnet* Workload::FindSubnet(std::string_view id) const {
  for (const WorkloadSubnet& s : subnets) {
    if (s.id == id || s.name == id) return &s;
  }
  return nullptr;
}

const WorkloadCategory* Workload::FindCategory(std::string_view name) const {
  for (const WorkloadCategory& c : categories) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const WorkloadJob* Workload::FindJob(std::string_view name) const {
  for (const WorkloadJob& j : jobs) {
    if (j.name == name) return &j;
  }
  return nullptr;
}

namespace {

constexpr double kMs = 1.0;
constexpr double kSecond = 1000 * kMs;
constexpr double kMinute = 60 * kSecond;

std::string Item(const std::string& list, size_t i) { return fmt::format("{}[{}]", list, i); }

// "8-18": arrivals from 08:00 to 18:00 UTC.
void ReadHours(YamlReader& r, const YAML::Node& map, const std::string& path, int& from, int& to) {
  const YAML::Node node = map["hours"];
  if (!node) return;
  int a = -1;
  int b = -1;
  char dash = 0;
  std::istringstream in(node.IsScalar() ? node.Scalar() : "");
  if (!(in >> a >> dash >> b) || dash != '-' || !in.eof() || a < 0 || b > 24 || a >= b) {
    r.Error(node, YamlReader::Join(path, "hours"),
            fmt::format("'{}' is not an hour range like 8-18 (0..24, from before to)",
                        node.IsScalar() ? node.Scalar() : "?"));
    return;
  }
  from = a;
  to = b;
}

void ReadEnis(YamlReader& r, const YAML::Node& node, EniBehaviour& e) {
  if (!node) return;
  if (!node.IsMap()) return r.Error(node, "enis", "must be a map");
  r.CheckKeys(
      node, "enis",
      {"provision_delay", "detach_delay", "cleanup_tail", "day_factor", "leak_rate", "stuck_stopping_rate"});
  if (node["provision_delay"])
    ReadDurationDistribution(r, node["provision_delay"], "enis.provision_delay", e.provision_delay);
  if (node["detach_delay"])
    ReadDurationDistribution(r, node["detach_delay"], "enis.detach_delay", e.detach_delay);
  if (node["cleanup_tail"])
    ReadDurationDistribution(r, node["cleanup_tail"], "enis.cleanup_tail", e.cleanup_tail);
  if (node["day_factor"])
    ReadNumberDistribution(r, node["day_factor"], "enis.day_factor", e.day_factor, 0, 100);
  r.ReadDouble(node, "enis", "leak_rate", e.leak_rate, 0, 1);
  r.ReadDouble(node, "enis", "stuck_stopping_rate", e.stuck_stopping_rate, 0, 1);
}

void ReadAdmission(YamlReader& r, const YAML::Node& node, WorkloadAdmission& a) {
  if (!node) return;
  if (!node.IsMap()) return r.Error(node, "admission", "must be a map");
  r.CheckKeys(node, "admission",
              {"poke_interval", "max_wait", "observe_interval", "history", "min_buffer", "reservation_ttl"});
  r.ReadDuration(node, "admission", "poke_interval", a.poke_interval);
  r.ReadDuration(node, "admission", "max_wait", a.max_wait);
  r.ReadDuration(node, "admission", "observe_interval", a.observe_interval);
  r.ReadInt(node, "admission", "history", a.history, 1, 1000);
  r.ReadInt(node, "admission", "min_buffer", a.min_buffer, 0, 100000);
  r.ReadDuration(node, "admission", "reservation_ttl", a.reservation_ttl);
}

void ReadSubnets(YamlReader& r, const YAML::Node& node, Workload& w) {
  if (!node || !node.IsSequence() || node.size() == 0) {
    return r.Error(node ? node : YAML::Node(), "subnets", "must list at least one subnet");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node s = node[i];
    const std::string path = Item("subnets", i);
    if (!s.IsMap()) {
      r.Error(s, path, "must be a map");
      continue;
    }
    r.CheckKeys(s, path, {"id", "name", "cidr", "availability_zone", "vpc_id", "other_enis"});
    WorkloadSubnet subnet;
    r.ReadString(s, path, "id", subnet.id, true);
    subnet.name = subnet.id;
    r.ReadString(s, path, "name", subnet.name);
    std::string cidr;
    if (r.ReadString(s, path, "cidr", cidr, true) && !cidr.empty()) {
      Result<Cidr> parsed = ParseCidr(cidr);
      if (parsed.ok()) {
        subnet.cidr = *parsed;
      } else {
        r.Error(s["cidr"], YamlReader::Join(path, "cidr"), parsed.status().message());
      }
    }
    r.ReadString(s, path, "availability_zone", subnet.availability_zone);
    r.ReadString(s, path, "vpc_id", subnet.vpc_id);
    r.ReadInt(s, path, "other_enis", subnet.other_enis, 0, 65536);
    if (!subnet.id.empty() && !seen.insert(subnet.id).second) {
      r.Error(s["id"], YamlReader::Join(path, "id"), fmt::format("subnet '{}' is listed twice", subnet.id));
    }
    w.subnets.push_back(std::move(subnet));
  }
}

void ReadCategories(YamlReader& r, const YAML::Node& node, Workload& w) {
  if (!node || !node.IsSequence() || node.size() == 0) {
    return r.Error(node ? node : YAML::Node(), "categories", "must list at least one category");
  }
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node c = node[i];
    const std::string path = Item("categories", i);
    if (!c.IsMap()) {
      r.Error(c, path, "must be a map");
      continue;
    }
    r.CheckKeys(
        c, path,
        {"name", "subnet", "connection", "priority", "admission", "ips_per_worker", "extra_ips_per_job"});
    WorkloadCategory cat;
    r.ReadString(c, path, "name", cat.name, true);
    if (r.ReadString(c, path, "subnet", cat.subnet, true) && !cat.subnet.empty()) {
      const WorkloadSubnet* subnet = w.FindSubnet(cat.subnet);
      if (!subnet) {
        r.Error(c["subnet"], YamlReader::Join(path, "subnet"),
                fmt::format("'{}' is not a subnet of this workload", cat.subnet));
      } else {
        cat.subnet = subnet->id;
      }
    }
    cat.connection = cat.name + "-connection";
    r.ReadString(c, path, "connection", cat.connection);
    r.ReadInt(c, path, "priority", cat.priority, -1000000, 1000000);
    r.ReadBool(c, path, "admission", cat.admission);
    r.ReadInt(c, path, "ips_per_worker", cat.ips_per_worker, 1, 16);
    r.ReadInt(c, path, "extra_ips_per_job", cat.extra_ips_per_job, 0, 1000);
    if (!cat.name.empty() && w.FindCategory(cat.name)) {
      r.Error(c["name"], YamlReader::Join(path, "name"),
              fmt::format("category '{}' is listed twice", cat.name));
    }
    w.categories.push_back(std::move(cat));
  }
}

bool ReadCategoryRef(YamlReader& r, const YAML::Node& map, const std::string& path, const Workload& w,
                     std::string& out, bool required) {
  if (!r.ReadString(map, path, "category", out, required) || out.empty()) return !required;
  if (!w.FindCategory(out)) {
    r.Error(map["category"], YamlReader::Join(path, "category"),
            fmt::format("'{}' is not a category of this workload", out));
    return false;
  }
  return true;
}

void ReadJobs(YamlReader& r, const YAML::Node& node, Workload& w) {
  if (!node) return;
  if (!node.IsSequence()) return r.Error(node, "jobs", "must be a list");
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node j = node[i];
    const std::string path = Item("jobs", i);
    if (!j.IsMap()) {
      r.Error(j, path, "must be a map");
      continue;
    }
    r.CheckKeys(j, path,
                {"name", "category", "schedule", "workers", "worker_type", "duration", "bypass_admission"});
    WorkloadJob job;
    job.duration = Distribution::Fixed(30 * kMinute).AsDuration();
    r.ReadString(j, path, "name", job.name, true);
    ReadCategoryRef(r, j, path, w, job.category, true);
    const YAML::Node schedule = j["schedule"];
    std::vector<YAML::Node> specs;
    if (schedule && schedule.IsSequence()) {
      for (const YAML::Node& s : schedule) specs.push_back(s);
    } else if (schedule) {
      specs.push_back(schedule);
    } else {
      r.Error(j, YamlReader::Join(path, "schedule"), "is required (a 5-field cron expression, UTC)");
    }
    for (const YAML::Node& s : specs) {
      Result<CronSchedule> cron = s.IsScalar()
                                      ? CronSchedule::Parse(s.Scalar())
                                      : Result<CronSchedule>(Status::InvalidArgument("not a string"));
      if (cron.ok()) {
        job.schedules.push_back(*cron);
      } else {
        r.Error(s, YamlReader::Join(path, "schedule"), cron.status().message());
      }
    }
    r.ReadInt(j, path, "workers", job.workers, 1, 10000);
    r.ReadString(j, path, "worker_type", job.worker_type);
    r.ReadBool(j, path, "bypass_admission", job.bypass_admission);
    if (j["duration"])
      ReadDurationDistribution(r, j["duration"], YamlReader::Join(path, "duration"), job.duration);
    if (!job.name.empty() && w.FindJob(job.name)) {
      r.Error(j["name"], YamlReader::Join(path, "name"), fmt::format("job '{}' is listed twice", job.name));
    }
    w.jobs.push_back(std::move(job));
  }
}

void ReadAdhoc(YamlReader& r, const YAML::Node& node, Workload& w) {
  if (!node) return;
  if (!node.IsSequence()) return r.Error(node, "adhoc", "must be a list");
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node a = node[i];
    const std::string path = Item("adhoc", i);
    if (!a.IsMap()) {
      r.Error(a, path, "must be a map");
      continue;
    }
    r.CheckKeys(a, path,
                {"name", "category", "job", "per_day", "scale_with_day", "workers", "duration",
                 "bypass_admission", "hours"});
    WorkloadAdhoc adhoc;
    adhoc.workers = Distribution::Fixed(10);
    adhoc.duration = Distribution::Fixed(30 * kMinute).AsDuration();
    r.ReadString(a, path, "name", adhoc.name, true);
    adhoc.job = adhoc.name;
    r.ReadString(a, path, "job", adhoc.job);
    if (const WorkloadJob* job = w.FindJob(adhoc.job)) {
      adhoc.category = job->category;
      ReadCategoryRef(r, a, path, w, adhoc.category, false);
      if (adhoc.category != job->category) {
        r.Error(a["category"], YamlReader::Join(path, "category"),
                fmt::format("job '{}' belongs to category '{}'", adhoc.job, job->category));
      }
    } else {
      ReadCategoryRef(r, a, path, w, adhoc.category, true);
    }
    r.ReadDouble(a, path, "per_day", adhoc.per_day, 0, 100000);
    r.ReadBool(a, path, "scale_with_day", adhoc.scale_with_day);
    if (a["workers"])
      ReadNumberDistribution(r, a["workers"], YamlReader::Join(path, "workers"), adhoc.workers, 1, 10000);
    if (a["duration"])
      ReadDurationDistribution(r, a["duration"], YamlReader::Join(path, "duration"), adhoc.duration);
    r.ReadBool(a, path, "bypass_admission", adhoc.bypass_admission);
    ReadHours(r, a, path, adhoc.from_hour, adhoc.to_hour);
    w.adhoc.push_back(std::move(adhoc));
  }
}

void ReadSessions(YamlReader& r, const YAML::Node& node, Workload& w) {
  if (!node) return;
  if (!node.IsSequence()) return r.Error(node, "sessions", "must be a list");
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node s = node[i];
    const std::string path = Item("sessions", i);
    if (!s.IsMap()) {
      r.Error(s, path, "must be a map");
      continue;
    }
    r.CheckKeys(s, path,
                {"name", "category", "per_day", "workers", "active", "idle_timeout", "worker_type", "hours"});
    WorkloadSessions sessions;
    sessions.workers = Distribution::Fixed(5);
    sessions.active = Distribution::Fixed(30 * kMinute).AsDuration();
    r.ReadString(s, path, "name", sessions.name, true);
    ReadCategoryRef(r, s, path, w, sessions.category, false);
    r.ReadDouble(s, path, "per_day", sessions.per_day, 0, 100000);
    if (s["workers"]) {
      ReadNumberDistribution(r, s["workers"], YamlReader::Join(path, "workers"), sessions.workers, 1, 10000);
    }
    if (s["active"])
      ReadDurationDistribution(r, s["active"], YamlReader::Join(path, "active"), sessions.active);
    r.ReadDuration(s, path, "idle_timeout", sessions.idle_timeout);
    r.ReadString(s, path, "worker_type", sessions.worker_type);
    ReadHours(r, s, path, sessions.from_hour, sessions.to_hour);
    w.sessions.push_back(std::move(sessions));
  }
}

}  // namespace

Result<Workload> ParseWorkload(std::string_view yaml, std::string_view source) {
  GG_ASSIGN_OR_RETURN(const YAML::Node root, YamlReader::LoadMap(yaml, source, "a workload must be a YAML map"));
  YamlReader r{std::string(source)};
  r.CheckKeys(root, "",
              {"description", "start", "account_id", "region", "enis", "admission", "subnets", "categories",
               "jobs", "adhoc", "sessions"});
  Workload w;
  w.source = std::string(source);
  w.start = FromUnixMillis(1'767'571'200'000);  // 2026-01-05T00:00:00Z, a Monday
  w.enis.provision_delay = Distribution::Uniform(30 * kSecond, 90 * kSecond).AsDuration();
  w.enis.detach_delay = Distribution::Uniform(10 * kSecond, 60 * kSecond).AsDuration();
  w.enis.cleanup_tail = Distribution::LogNormal(20 * kMinute, 45 * kMinute).AsDuration();
  w.enis.day_factor = Distribution::Fixed(1);
  r.ReadString(root, "", "description", w.description);
  std::string start;
  if (r.ReadString(root, "", "start", start) && !start.empty()) {
    Result<Time> t = ParseTime(start);
    if (!t.ok()) {
      r.Error(root["start"], "start", t.status().message());
    } else if (ToUnixMillis(*t) % (24LL * 3600 * 1000) != 0) {
      r.Error(root["start"], "start", "must be a UTC midnight, like 2026-01-05T00:00:00Z");
    } else {
      w.start = *t;
    }
  }
  r.ReadString(root, "", "account_id", w.account_id);
  r.ReadString(root, "", "region", w.region);
  ReadEnis(r, root["enis"], w.enis);
  ReadAdmission(r, root["admission"], w.admission);
  ReadSubnets(r, root["subnets"], w);
  ReadCategories(r, root["categories"], w);
  ReadJobs(r, root["jobs"], w);
  ReadAdhoc(r, root["adhoc"], w);
  ReadSessions(r, root["sessions"], w);
  GG_RETURN_IF_ERROR(r.ToStatus());
  return w;
}

Result<Workload> LoadWorkloadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound(fmt::format("cannot read workload file {}", path));
  std::ostringstream text;
  text << in.rdbuf();
  return ParseWorkload(text.str(), path);
}

}  // namespace glueguard
