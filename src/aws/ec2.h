// EC2: the operations glueguard needs on ENIs and subnets. Ec2Api is the seam (the simulator and test fakes
// implement it); Ec2Client calls EC2 through AwsClient. The reply parsers are public free functions so fuzz
// targets and the simulator can reach them without HTTP.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace glueguard {

class AwsClient;

// One EC2 filter: Name plus the values it matches (any of them), e.g. {"subnet-id", {"subnet-1"}}.
struct Ec2Filter {
  std::string name;
  std::vector<std::string> values;
};

// Tags by key, from a <tagSet>.
using Ec2Tags = std::map<std::string, std::string>;

struct NetworkInterfaceAttachment {
  std::string attachment_id;      // "eni-attach-..."
  std::string instance_id;        // empty for service-managed ENIs (Glue's have none)
  std::string instance_owner_id;  // an account id, or "amazon-aws" for service-managed ENIs
  std::string status;             // attaching | attached | detaching | detached
  Time attach_time{};             // the epoch when EC2 did not say
};

struct NetworkInterface {
  std::string id;  // "eni-..."
  std::string subnet_id;
  std::string vpc_id;
  std::string availability_zone;
  std::string description;
  std::string status;          // available | associated | attaching | in-use | detaching (kept as sent)
  std::string interface_type;  // interface | lambda | vpc_endpoint | ... (open-ended, kept as sent)
  std::string requester_id;    // who created it on the owner's behalf; empty for the owner's own
  bool requester_managed = false;
  std::string private_ip_address;
  std::optional<NetworkInterfaceAttachment> attachment;  // absent when not attached
  Ec2Tags tags;
  std::string owner_id;
};

struct DescribeNetworkInterfacesRequest {
  std::vector<Ec2Filter> filters;                  // Filter.N.Name / Filter.N.Value.M
  std::vector<std::string> network_interface_ids;  // NetworkInterfaceId.N
  int max_results = 0;     // 0 = not sent; else 5..1000, and not together with network_interface_ids
  std::string next_token;  // empty on the first page
};

struct NetworkInterfacePage {
  std::vector<NetworkInterface> interfaces;
  std::string next_token;  // empty on the last page
};

struct Subnet {
  std::string subnet_id;
  std::string vpc_id;
  std::string cidr_block;  // "10.0.1.0/24"
  int available_ip_address_count = 0;
  std::string availability_zone;
  std::string state;  // pending | available
  Ec2Tags tags;
};

struct DescribeSubnetsRequest {
  std::vector<std::string> subnet_ids;  // SubnetId.N; empty = every subnet the filters match
  std::vector<Ec2Filter> filters;
};

struct SubnetPage {
  std::vector<Subnet> subnets;
  std::string next_token;  // empty on the last page
};

// Errors from every method are AwsClient's: the AWS error code is reason() (e.g.
// "InvalidNetworkInterfaceID.NotFound" -> NotFound, "InvalidNetworkInterface.InUse" -> FailedPrecondition,
// throttling -> Unavailable after the retries), and Internal for a reply that cannot be read.
// Implementations are thread-safe.
class Ec2Api {
 public:
  virtual ~Ec2Api() = default;

  // One page of ENIs. InvalidArgument for a request EC2 would refuse (max_results out of range or combined
  // with ids).
  virtual Result<NetworkInterfacePage> DescribeNetworkInterfaces(
      const DescribeNetworkInterfacesRequest& request) = 0;
  // Every subnet matching the request, across pages. Asking for an id that does not exist is NotFound
  // (InvalidSubnetID.NotFound).
  virtual Result<std::vector<Subnet>> DescribeSubnets(const DescribeSubnetsRequest& request) = 0;
  // Deletes an ENI. Ok for any 2xx reply but one saying <return>false</return> (ParseNoOutputResponse).
  virtual Status DeleteNetworkInterface(const std::string& network_interface_id) = 0;
};

// Ec2Api over the EC2 query protocol. Thread-safe when the AwsClient is.
class Ec2Client final : public Ec2Api {
 public:
  // `aws` must outlive the client.
  explicit Ec2Client(AwsClient& aws) : aws_(aws) {}

  Result<NetworkInterfacePage> DescribeNetworkInterfaces(
      const DescribeNetworkInterfacesRequest& request) override;
  Result<std::vector<Subnet>> DescribeSubnets(const DescribeSubnetsRequest& request) override;
  Status DeleteNetworkInterface(const std::string& network_interface_id) override;

 private:
  AwsClient& aws_;
};

// Every ENI matching `request`, following NextToken from request.next_token until a page comes back without
// one (absent or empty). Errors: the first failing page's error; Internal when EC2 hands back a token it has
// already given (a pagination loop).
Result<std::vector<NetworkInterface>> DescribeAllNetworkInterfaces(Ec2Api& ec2,
                                                                   DescribeNetworkInterfacesRequest request);

// The form parameters (without Action and Version) each request is sent as; exposed for tests and the
// simulator.
std::vector<std::pair<std::string, std::string>> DescribeNetworkInterfacesParams(
    const DescribeNetworkInterfacesRequest& request);
std::vector<std::pair<std::string, std::string>> DescribeSubnetsParams(const DescribeSubnetsRequest& request,
                                                                       const std::string& next_token);

// Reply parsers: `xml` is the body of a 2xx reply. Internal, with a message saying what is wrong, for XML
// that is malformed or truncated, a root element other than the operation's <OpResponse>, an item without its
// id, or a field that does not parse (a number, a boolean, a timestamp). Never throws.
Result<NetworkInterfacePage> ParseDescribeNetworkInterfacesResponse(std::string_view xml);
Result<SubnetPage> ParseDescribeSubnetsResponse(std::string_view xml);
// The reply to an EC2 action that botocore's model gives no output (DeleteNetworkInterface among the ones
// glueguard sends): the SDKs ignore its body, so any 2xx is success — no <return>, an empty body, even text
// that is not XML. The one exception is <return>false</return>, EC2 saying it did not act: Internal.
// `operation` only names the action in the error.
Status ParseNoOutputResponse(std::string_view operation, std::string_view xml);

// True when the ENI was created by Glue: its description starts with "Attached to Glue using role:" or
// "Glue_".
bool IsGlueEni(const NetworkInterface& eni);

struct EniCounts {
  int total = 0;
  int in_use = 0;     // status "in-use"
  int available = 0;  // status "available"
  int other = 0;      // attaching, detaching, associated, or a status this build does not know
  int glue = 0;       // how many IsGlueEni, whatever their status
};

// Counts ENIs by status; total == in_use + available + other.
EniCounts CountEnis(const std::vector<NetworkInterface>& enis);

}  // namespace glueguard
