// libFuzzer target: any bytes as a request to simcloud (signatures not checked, so every handler is reached).
// The input is "HEADER: value" lines, an empty line, then the body; a JSON body with an X-Amz-Target reaches
// Glue, a form body with Action= reaches EC2, SNS, SQS or STS. Every request must get an answer — a success or
// an AWS-shaped error — never a crash, a hang or a leak. Build and run with `make fuzz`.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "net/fake_transport.h"
#include "simcloud/simcloud.h"

namespace {

struct Cloud {
  glueguard::Workload workload;
  glueguard::FakeClock clock;
  glueguard::FakeSleeper sleeper{clock};
  glueguard::SeededRandom random{1};
  glueguard::FakeTransport transport;
  std::unique_ptr<glueguard::SimCloud> cloud;

  Cloud() {
    workload = *glueguard::ParseWorkload(R"(
subnets: [{id: subnet-a, cidr: 10.0.0.0/26, other_enis: 1}]
categories: [{name: batch, subnet: subnet-a}]
jobs: [{name: etl, category: batch, schedule: "0 7 * * *", workers: 5, duration: 30m}]
)",
                                         "fuzz.yaml");
    glueguard::SimCloudOptions options;
    options.front.verify_signatures = false;
    options.world.run_arrivals = false;
    options.world.speed = 60;
    cloud = std::move(*glueguard::SimCloud::Create(workload, options, clock, random, sleeper, transport));
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Cloud* cloud = new Cloud();
  const std::string text(reinterpret_cast<const char*>(data), size);
  glueguard::ServerRequest request;
  request.method = "POST";
  request.path = "/";
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = text.find('\n', pos);
    const std::string line = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? text.size() : end + 1;
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    request.headers.push_back({line.substr(0, colon), line.substr(colon + 1)});
  }
  request.body = text.substr(pos);
  cloud->clock.Advance(std::chrono::seconds(1));
  const glueguard::ServerResponse response = cloud->cloud->front().Serve(request);
  if (response.status < 200 || response.status > 599) __builtin_trap();
  return 0;
}
