// FleetEc2: an Ec2Api holding `per_subnet` in-use ENIs in each of `subnets` subnets ("subnet-<n>"), for tests
// and benchmarks of many subnets. It honours what a fleet-wide listing relies on: one subnet-id filter with
// any of up to 200 values (more is refused, as EC2 refuses it), and pages of max_results with a NextToken.
// Counts the DescribeNetworkInterfaces calls. Not thread-safe.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "aws/ec2.h"

namespace glueguard::testing {

class FleetEc2 final : public Ec2Api {
 public:
  FleetEc2(int subnets, int per_subnet) : subnets_(subnets), per_subnet_(per_subnet) {}

  Result<NetworkInterfacePage> DescribeNetworkInterfaces(const DescribeNetworkInterfacesRequest& r) override {
    ++calls;
    if (r.filters.size() != 1 || r.filters[0].name != "subnet-id" || r.filters[0].values.size() > 200) {
      return Status::InvalidArgument("one subnet-id filter of at most 200 values");
    }
    std::vector<NetworkInterface> matching;
    for (const std::string& subnet : r.filters[0].values) {
      for (int i = 0; i < per_subnet_; ++i) {
        NetworkInterface eni;
        eni.id = "eni-" + subnet + "-" + std::to_string(i);
        eni.subnet_id = subnet;
        eni.status = "in-use";
        matching.push_back(eni);
      }
    }
    const size_t from = r.next_token.empty() ? 0 : std::stoul(r.next_token);
    const size_t page = r.max_results > 0 ? static_cast<size_t>(r.max_results) : 1000;
    NetworkInterfacePage out;
    for (size_t i = from; i < std::min(matching.size(), from + page); ++i) out.interfaces.push_back(matching[i]);
    if (from + page < matching.size()) out.next_token = std::to_string(from + page);
    return out;
  }
  Result<std::vector<Subnet>> DescribeSubnets(const DescribeSubnetsRequest&) override {
    return Status::Unavailable("not faked");
  }
  Status DeleteNetworkInterface(const std::string&) override { return Status::Unavailable("not faked"); }

  std::vector<std::string> Ids() const {
    std::vector<std::string> ids;
    for (int n = 0; n < subnets_; ++n) ids.push_back("subnet-" + std::to_string(n));
    return ids;
  }

  int calls = 0;

 private:
  int subnets_;
  int per_subnet_;
};

}  // namespace glueguard::testing
