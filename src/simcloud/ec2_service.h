// Ec2Service: the EC2 operations glueguard uses, answered from the simulated world in the EC2 query protocol:
// DescribeNetworkInterfaces (filters, ids, MaxResults/NextToken pagination), DescribeSubnets and
// DeleteNetworkInterface. Replies and errors are shaped as EC2 shapes them (aws-protocol-facts §2.2).
// Thread-safe (the world is behind SimWorld's lock).
#pragma once

#include <string_view>

#include "simcloud/sim_world.h"
#include "simcloud/wire.h"

namespace glueguard {

class Ec2Service final : public ServiceHandler {
 public:
  // `sim` must outlive the service.
  explicit Ec2Service(SimWorld& sim) : sim_(sim) {}

  bool Handles(std::string_view operation) const override;
  // Errors: InvalidParameterValue (a MaxResults outside 5..1000 or with ids, an unknown filter, a bad
  // NextToken), InvalidNetworkInterfaceID.NotFound / InvalidSubnetID.NotFound for unknown ids,
  // InvalidNetworkInterface.InUse and InvalidParameterValue for an ENI that is attached or still detaching,
  // DryRunOperation (412) when DryRun=true and the call would have succeeded.
  ServerResponse Handle(const AwsCall& call) override;

 private:
  ServerResponse DescribeNetworkInterfaces(const AwsCall& call);
  ServerResponse DescribeSubnets(const AwsCall& call);
  ServerResponse DeleteNetworkInterface(const AwsCall& call);

  SimWorld& sim_;
};

// Whether `value` matches an EC2 filter value, where '*' matches any run of characters and '?' one character.
bool Ec2FilterValueMatches(std::string_view pattern, std::string_view value);

}  // namespace glueguard
