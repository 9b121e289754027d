#include "simcloud/simcloud.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/json_limits.h"

namespace glueguard {
namespace {

using nlohmann::ordered_json;

ServerResponse JsonReply(int status, const std::string& body) {
  ServerResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body;
  return r;
}

ServerResponse JsonError(int status, const std::string& code, const std::string& message) {
  return JsonReply(status, ordered_json{{"error", {{"code", code}, {"message", message}}}}.dump() + "\n");
}

// The JSON body of an inspection POST, or an error response naming the problem.
std::optional<nlohmann::json> ParseBody(const ServerRequest& request, ServerResponse& error) {
  if (Status deep = CheckJsonDepth(request.body, "the body"); !deep.ok()) {
    error = JsonError(400, "bad_request", deep.message());
    return std::nullopt;
  }
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    error = JsonError(400, "bad_request", "the body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

}  // namespace

Result<std::unique_ptr<SimCloud>> SimCloud::Create(const Workload& workload, SimCloudOptions options,
                                                   Clock& clock, Random& random, Sleeper& sleeper,
                                                   HttpTransport& transport) {
  std::unique_ptr<SimCloud> cloud(new SimCloud());
  cloud->sim_ = std::make_unique<SimWorld>(workload, clock, options.world);
  SqsServiceOptions sqs_options;
  sqs_options.account_id = workload.account_id;
  sqs_options.region = workload.region;
  cloud->sqs_ = std::make_unique<SqsService>(clock, random, sqs_options);
  SnsServiceOptions sns_options;
  sns_options.account_id = workload.account_id;
  sns_options.region = workload.region;
  sns_options.topic_arns = options.sns_topics;
  cloud->sns_ = std::make_unique<SnsService>(clock, random, sns_options);
  for (const std::string& arn : options.sns_topics) GG_RETURN_IF_ERROR(cloud->sns_->AddTopic(arn));
  cloud->sts_ = std::make_unique<StsService>();
  Result<std::unique_ptr<CloudTrailEmitter>> emitter =
      CloudTrailEmitter::Create(*cloud->sqs_, transport, random, options.cloudtrail);
  if (!emitter.ok()) return emitter.status();
  cloud->cloudtrail_ = std::move(*emitter);
  cloud->ec2_ = std::make_unique<Ec2Service>(*cloud->sim_);
  cloud->glue_ = std::make_unique<GlueService>(*cloud->sim_, *cloud->cloudtrail_);
  cloud->front_ = std::make_unique<Front>(options.front, clock, random, sleeper);
  GG_RETURN_IF_ERROR(cloud->front_->Register("ec2", *cloud->ec2_));
  GG_RETURN_IF_ERROR(cloud->front_->Register("glue", *cloud->glue_));
  GG_RETURN_IF_ERROR(cloud->front_->Register("sqs", *cloud->sqs_));
  GG_RETURN_IF_ERROR(cloud->front_->Register("sns", *cloud->sns_));
  GG_RETURN_IF_ERROR(cloud->front_->Register("sts", *cloud->sts_));
  GG_RETURN_IF_ERROR(cloud->RegisterInspection());
  return cloud;
}

SimCloud::~SimCloud() { Stop(); }

Status SimCloud::Start() { return front_->Start(); }

void SimCloud::Stop() {
  if (front_) front_->Stop();
}

std::string SimCloud::StateJson() {
  return sim_->With([&](World& world) {
    ordered_json state;
    state["simulated_time"] = FormatTime(world.now());
    state["speed"] = sim_->speed();
    state["subnets"] = ordered_json::array();
    for (const WorkloadSubnet& s : world.workload().subnets) {
      const SubnetCounts c = world.Counts(s.id);
      state["subnets"].push_back({{"id", s.id},
                                  {"name", s.name},
                                  {"cidr", s.cidr.ToString()},
                                  {"capacity", c.capacity},
                                  {"total", c.total},
                                  {"in_use", c.in_use},
                                  {"available", c.available},
                                  {"other", c.other},
                                  {"free", c.free()},
                                  {"pending", world.PendingIps(s.id)}});
    }
    state["job_runs"] = ordered_json::array();
    for (const auto& [name, job] : world.jobs()) {
      Result<std::vector<const SimJobRun*>> runs = world.JobRuns(name);
      if (!runs.ok()) continue;
      int shown = 0;
      for (const SimJobRun* run : *runs) {
        if (++shown > 20) break;  // the newest of each job
        ordered_json r = {{"id", run->id},
                          {"job", run->job_name},
                          {"subnet", run->subnet_id},
                          {"state", RunStateName(run->state)},
                          {"workers", run->workers},
                          {"started_on", FormatTime(run->started_on)},
                          {"stuck", run->stuck}};
        if (run->completed_on) r["completed_on"] = FormatTime(*run->completed_on);
        if (!run->error_message.empty()) r["error"] = run->error_message;
        state["job_runs"].push_back(r);
      }
    }
    state["sessions"] = ordered_json::array();
    for (const SimSession* s : world.Sessions()) {
      state["sessions"].push_back({{"id", s->id},
                                   {"status", SessionStateName(s->status)},
                                   {"workers", s->workers},
                                   {"subnet", s->subnet_id},
                                   {"created_on", FormatTime(s->created_on)}});
    }
    const World::Stats& stats = world.stats();
    state["totals"] = {{"runs_started", stats.runs_started},
                       {"exhaustion_failures", stats.exhaustion_failures},
                       {"sessions_created", stats.sessions_created},
                       {"enis_created", stats.enis_created},
                       {"enis_deleted", stats.enis_deleted}};
    return state.dump(2) + "\n";
  });
}

Status SimCloud::RegisterInspection() {
  GG_RETURN_IF_ERROR(front_->RegisterInspection(
      "/_simcloud/state", [this](const ServerRequest&) { return JsonReply(200, StateJson()); }));
  GG_RETURN_IF_ERROR(front_->RegisterInspection("/_simcloud/sns", [this](const ServerRequest&) {
    ordered_json messages = ordered_json::array();
    for (const SnsPublished& m : sns_->Published()) {
      messages.push_back({{"message_id", m.message_id},
                          {"topic_arn", m.topic_arn},
                          {"subject", m.subject},
                          {"message", m.message},
                          {"published_at", FormatTime(m.published)},
                          {"publisher", m.publisher}});
    }
    return JsonReply(200, ordered_json{{"messages", messages}}.dump(2) + "\n");
  }));
  GG_RETURN_IF_ERROR(front_->RegisterInspection("/_simcloud/events", [this](const ServerRequest&) {
    return JsonReply(200, cloudtrail_->InspectionJson());
  }));
  GG_RETURN_IF_ERROR(front_->RegisterInspection("/_simcloud/orphans", [this](const ServerRequest& request) {
    if (request.method != "POST")
      return JsonError(405, "method_not_allowed", "POST {\"subnet\": ID, \"count\": N}");
    ServerResponse error;
    std::optional<nlohmann::json> body = ParseBody(request, error);
    if (!body) return error;
    if (!body->contains("subnet") || !(*body)["subnet"].is_string() || !body->contains("count") ||
        !(*body)["count"].is_number_integer() || (*body)["count"].get<int>() < 1) {
      return JsonError(400, "bad_request", "needs \"subnet\" (a subnet id) and \"count\" (at least 1)");
    }
    const std::string subnet = (*body)["subnet"].get<std::string>();
    const int count = (*body)["count"].get<int>();
    return sim_->With([&](World& world) {
      if (!world.workload().FindSubnet(subnet)) return JsonError(404, "not_found", "no subnet " + subnet);
      const std::vector<std::string> ids = world.InjectOrphanEnis(subnet, count);
      return JsonReply(200, ordered_json{{"network_interface_ids", ids}}.dump() + "\n");
    });
  }));
  GG_RETURN_IF_ERROR(front_->RegisterInspection("/_simcloud/stuck", [this](const ServerRequest& request) {
    if (request.method != "POST") return JsonError(405, "method_not_allowed", "POST {\"run_id\": ID}");
    ServerResponse error;
    std::optional<nlohmann::json> body = ParseBody(request, error);
    if (!body) return error;
    if (!body->contains("run_id") || !(*body)["run_id"].is_string()) {
      return JsonError(400, "bad_request", "needs \"run_id\" (a job run id)");
    }
    const std::string run_id = (*body)["run_id"].get<std::string>();
    return sim_->With([&](World& world) {
      const Status s = world.MakeRunStuck(run_id);
      if (!s.ok()) return JsonError(s.code() == StatusCode::kNotFound ? 404 : 409, "refused", s.message());
      return JsonReply(200, ordered_json{{"run_id", run_id}, {"state", "STOPPING"}}.dump() + "\n");
    });
  }));
  return Status::Ok();
}

}  // namespace glueguard
