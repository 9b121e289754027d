#include "testing/dynalite.h"

#include <filesystem>
#include <mutex>
#include <regex>
#include <stdexcept>

#include "store/dynamodb_store.h"

namespace glueguard::testing {
namespace {

constexpr char kNode[] = "/usr/bin/node";

}  // namespace

Dynalite* Dynalite::Shared(std::string& error) {
  static std::once_flag once;
  static std::unique_ptr<Dynalite> shared;  // lives until the process ends, which kills its child
  static std::string start_error;
  std::call_once(once, [] {
    const std::string dir = std::string(GLUEGUARD_SOURCE_DIR) + "/tests/dynalite";
    if (!std::filesystem::exists(kNode)) {
      start_error = "node is missing (scripts/install-deps installs it)";
      return;
    }
    if (!std::filesystem::exists(dir + "/node_modules/dynalite/package.json")) {
      start_error = "tests/dynalite/node_modules is missing (scripts/install-deps runs npm ci there)";
      return;
    }
    auto server = std::unique_ptr<Dynalite>(new Dynalite());
    server->process_ =
        std::make_unique<ChildProcess>(std::vector<std::string>{kNode, "serve.js"},
                                       std::vector<std::string>{"PATH=/usr/bin:/bin", "HOME=" + dir}, dir);
    std::smatch port;
    const std::regex listening("dynalite listening on ([0-9]+)");
    if (!server->process_->started() || !server->process_->ReadUntil([&](const std::string& out) {
          return std::regex_search(out, port, listening);
        })) {
      start_error = "dynalite did not start: " + server->process_->output();
      return;
    }
    server->endpoint_ = "http://127.0.0.1:" + port[1].str();
    server->aws_ = std::make_unique<SimcloudAws>(server->endpoint_, server->transport_, server->clock_,
                                                 server->sleeper_);
    server->client_ = std::make_unique<DynamoDbClient>(server->aws_->client);
    shared = std::move(server);
  });
  error = start_error;
  return shared.get();
}

DynamoDbTableNames Dynalite::FreshTables() {
  const std::string prefix = "t" + std::to_string(++tables_made_) + "-";
  DynamoDbTableNames tables;
  tables.observations = prefix + tables.observations;
  tables.state = prefix + tables.state;
  tables.decisions = prefix + tables.decisions;
  tables.sessions = prefix + tables.sessions;
  tables.queue = prefix + tables.queue;
  return tables;
}

std::pair<Dynalite*, DynamoDbTableNames> DynaliteWithFreshTables() {
  std::string error;
  Dynalite* dynalite = Dynalite::Shared(error);
  if (dynalite == nullptr) throw std::runtime_error(error);
  const DynamoDbTableNames tables = dynalite->FreshTables();
  SystemSleeper sleeper;
  const Status made = InitDynamoDbTables(dynalite->client(), tables, sleeper, Log());
  if (!made.ok()) throw std::runtime_error(made.ToString());
  return {dynalite, tables};
}

}  // namespace glueguard::testing
