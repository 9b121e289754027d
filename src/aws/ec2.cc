#include "aws/ec2.h"

#include <fmt/format.h>

#include <charconv>
#include <pugixml.hpp>
#include <set>

#include "aws/aws_client.h"
#include "aws/service.h"
#include "aws/xml_reply.h"
#include "base/strings.h"

namespace glueguard {

namespace {

constexpr int kMinMaxResults = 5;
constexpr int kMaxMaxResults = 1000;

std::string Quote(std::string_view text) { return fmt::format("'{}'", ShortenForMessage(text)); }

// Parses `xml` into `doc` and checks that the root element is <operation>Response (EC2 has no Result
// wrapper).
Status LoadReply(std::string_view xml, std::string_view operation, pugi::xml_document& doc) {
  return LoadXmlReply(xml, "EC2", operation, doc).status();
}

std::string Text(pugi::xml_node node, const char* name) { return node.child(name).text().get(); }

// The optional readers leave `out` alone when the element is absent and fail when it is there but unreadable.
Status ReadInt(pugi::xml_node node, const char* name, int& out) {
  const pugi::xml_node child = node.child(name);
  if (!child) return Status::Ok();
  const std::string_view text = Trim(child.text().get());
  const std::optional<int> value = ParseWholeNumber<int>(text);
  if (!value) return Status::Internal(fmt::format("<{}> is {}, not an integer", name, Quote(text)));
  out = *value;
  return Status::Ok();
}

Status ReadBool(pugi::xml_node node, const char* name, bool& out) {
  const pugi::xml_node child = node.child(name);
  if (!child) return Status::Ok();
  const std::string_view text = Trim(child.text().get());
  const std::optional<bool> value = ParseStrictBool(text);
  if (!value) return Status::Internal(fmt::format("<{}> is {}, not true or false", name, Quote(text)));
  out = *value;
  return Status::Ok();
}

Status ReadTime(pugi::xml_node node, const char* name, Time& out) {
  const pugi::xml_node child = node.child(name);
  if (!child) return Status::Ok();
  const std::string_view text = Trim(child.text().get());
  Result<Time> value = ParseTime(text);
  if (!value.ok())
    return Status::Internal(fmt::format("<{}> is {}, not an ISO-8601 UTC time", name, Quote(text)));
  out = *value;
  return Status::Ok();
}

Ec2Tags ReadTags(pugi::xml_node node) {
  Ec2Tags tags;
  for (const pugi::xml_node tag : node.child("tagSet").children("item")) {
    tags[Text(tag, "key")] = Text(tag, "value");
  }
  return tags;
}

Status ReadNetworkInterface(pugi::xml_node item, NetworkInterface& eni) {
  eni.id = Text(item, "networkInterfaceId");
  if (eni.id.empty()) return Status::Internal("an item without <networkInterfaceId>");
  eni.subnet_id = Text(item, "subnetId");
  eni.vpc_id = Text(item, "vpcId");
  eni.availability_zone = Text(item, "availabilityZone");
  eni.description = Text(item, "description");
  eni.status = Text(item, "status");
  eni.interface_type = Text(item, "interfaceType");
  eni.requester_id = Text(item, "requesterId");
  GG_RETURN_IF_ERROR(ReadBool(item, "requesterManaged", eni.requester_managed));
  eni.private_ip_address = Text(item, "privateIpAddress");
  if (const pugi::xml_node attachment = item.child("attachment")) {
    NetworkInterfaceAttachment a;
    a.attachment_id = Text(attachment, "attachmentId");
    a.instance_id = Text(attachment, "instanceId");
    a.instance_owner_id = Text(attachment, "instanceOwnerId");
    a.status = Text(attachment, "status");
    GG_RETURN_IF_ERROR(ReadTime(attachment, "attachTime", a.attach_time).WithContext("<attachment>"));
    eni.attachment = std::move(a);
  }
  eni.tags = ReadTags(item);
  eni.owner_id = Text(item, "ownerId");
  return Status::Ok();
}

Status ReadSubnet(pugi::xml_node item, Subnet& subnet) {
  subnet.subnet_id = Text(item, "subnetId");
  if (subnet.subnet_id.empty()) return Status::Internal("an item without <subnetId>");
  subnet.vpc_id = Text(item, "vpcId");
  subnet.cidr_block = Text(item, "cidrBlock");
  GG_RETURN_IF_ERROR(ReadInt(item, "availableIpAddressCount", subnet.available_ip_address_count));
  subnet.availability_zone = Text(item, "availabilityZone");
  subnet.state = Text(item, "state");
  subnet.tags = ReadTags(item);
  return Status::Ok();
}

void AddFilters(const std::vector<Ec2Filter>& filters, QueryParams& params) {
  for (size_t i = 0; i < filters.size(); ++i) {
    const std::string prefix = fmt::format("Filter.{}.", i + 1);
    params.emplace_back(prefix + "Name", filters[i].name);
    for (size_t j = 0; j < filters[i].values.size(); ++j) {
      params.emplace_back(fmt::format("{}Value.{}", prefix, j + 1), filters[i].values[j]);
    }
  }
}

// An EC2 list: Name.1, Name.2, ... (EC2 sends nothing for an empty list).
void AddList(std::string_view name, const std::vector<std::string>& values, QueryParams& params) {
  for (size_t i = 0; i < values.size(); ++i)
    params.emplace_back(fmt::format("{}.{}", name, i + 1), values[i]);
}

}  // namespace

QueryParams DescribeNetworkInterfacesParams(const DescribeNetworkInterfacesRequest& request) {
  QueryParams params;
  AddFilters(request.filters, params);
  AddList("NetworkInterfaceId", request.network_interface_ids, params);
  if (!request.next_token.empty()) params.emplace_back("NextToken", request.next_token);
  if (request.max_results != 0) params.emplace_back("MaxResults", std::to_string(request.max_results));
  return params;
}

QueryParams DescribeSubnetsParams(const DescribeSubnetsRequest& request, const std::string& next_token) {
  QueryParams params;
  AddFilters(request.filters, params);
  AddList("SubnetId", request.subnet_ids, params);
  if (!next_token.empty()) params.emplace_back("NextToken", next_token);
  return params;
}

Result<NetworkInterfacePage> ParseDescribeNetworkInterfacesResponse(std::string_view xml) {
  constexpr std::string_view kOperation = "DescribeNetworkInterfaces";
  pugi::xml_document doc;
  GG_RETURN_IF_ERROR(LoadReply(xml, kOperation, doc));
  const pugi::xml_node root = doc.document_element();
  NetworkInterfacePage page;
  int index = 0;
  for (const pugi::xml_node item : root.child("networkInterfaceSet").children("item")) {
    ++index;
    NetworkInterface eni;
    const Status s = ReadNetworkInterface(item, eni);
    if (!s.ok())
      return s.WithContext(fmt::format("EC2 {}: <networkInterfaceSet> item {}", kOperation, index));
    page.interfaces.push_back(std::move(eni));
  }
  page.next_token = Text(root, "nextToken");
  return page;
}

Result<SubnetPage> ParseDescribeSubnetsResponse(std::string_view xml) {
  constexpr std::string_view kOperation = "DescribeSubnets";
  pugi::xml_document doc;
  GG_RETURN_IF_ERROR(LoadReply(xml, kOperation, doc));
  const pugi::xml_node root = doc.document_element();
  SubnetPage page;
  int index = 0;
  for (const pugi::xml_node item : root.child("subnetSet").children("item")) {
    ++index;
    Subnet subnet;
    const Status s = ReadSubnet(item, subnet);
    if (!s.ok()) return s.WithContext(fmt::format("EC2 {}: <subnetSet> item {}", kOperation, index));
    page.subnets.push_back(std::move(subnet));
  }
  page.next_token = Text(root, "nextToken");
  return page;
}

Status ParseNoOutputResponse(std::string_view operation, std::string_view xml) {
  // The SDKs do not read this body at all; only an explicit <return>false</return> is EC2 saying no.
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) return Status::Ok();
  const pugi::xml_node returned = doc.document_element().child("return");
  if (returned && Trim(returned.text().get()) == "false") {
    return Status::Internal(fmt::format("EC2 {}: reply has <return>false</return>", operation));
  }
  return Status::Ok();
}

Result<NetworkInterfacePage> Ec2Client::DescribeNetworkInterfaces(
    const DescribeNetworkInterfacesRequest& request) {
  if (request.max_results != 0) {
    if (!request.network_interface_ids.empty()) {
      return Status::InvalidArgument(
          "EC2 DescribeNetworkInterfaces: MaxResults cannot be combined with NetworkInterfaceIds");
    }
    if (request.max_results < kMinMaxResults || request.max_results > kMaxMaxResults) {
      return Status::InvalidArgument(
          fmt::format("EC2 DescribeNetworkInterfaces: MaxResults {} is not in {}..{}", request.max_results,
                      kMinMaxResults, kMaxMaxResults));
    }
  }
  Result<AwsResponse> reply =
      aws_.Query(kEc2Service, "DescribeNetworkInterfaces", DescribeNetworkInterfacesParams(request));
  if (!reply.ok()) return reply.status();
  return ParseDescribeNetworkInterfacesResponse(reply->body);
}

Result<std::vector<Subnet>> Ec2Client::DescribeSubnets(const DescribeSubnetsRequest& request) {
  std::vector<Subnet> subnets;
  std::set<std::string> seen_tokens;
  std::string next_token;
  do {
    Result<AwsResponse> reply =
        aws_.Query(kEc2Service, "DescribeSubnets", DescribeSubnetsParams(request, next_token));
    if (!reply.ok()) return reply.status();
    Result<SubnetPage> page = ParseDescribeSubnetsResponse(reply->body);
    if (!page.ok()) return page.status();
    for (Subnet& subnet : page->subnets) subnets.push_back(std::move(subnet));
    next_token = std::move(page->next_token);
    if (!next_token.empty() && !seen_tokens.insert(next_token).second) {
      return Status::Internal(
          fmt::format("EC2 DescribeSubnets: NextToken {} came back twice", Quote(next_token)));
    }
  } while (!next_token.empty());
  return subnets;
}

Status Ec2Client::DeleteNetworkInterface(const std::string& network_interface_id) {
  if (network_interface_id.empty()) {
    return Status::InvalidArgument("EC2 DeleteNetworkInterface: the network interface id is empty");
  }
  Result<AwsResponse> reply =
      aws_.Query(kEc2Service, "DeleteNetworkInterface", {{"NetworkInterfaceId", network_interface_id}});
  if (!reply.ok()) return reply.status();
  return ParseNoOutputResponse("DeleteNetworkInterface", reply->body);
}

Result<std::vector<NetworkInterface>> DescribeAllNetworkInterfaces(Ec2Api& ec2,
                                                                   DescribeNetworkInterfacesRequest request) {
  std::vector<NetworkInterface> all;
  std::set<std::string> seen_tokens;
  if (!request.next_token.empty()) seen_tokens.insert(request.next_token);
  while (true) {
    Result<NetworkInterfacePage> page = ec2.DescribeNetworkInterfaces(request);
    if (!page.ok()) return page.status();
    for (NetworkInterface& eni : page->interfaces) all.push_back(std::move(eni));
    if (page->next_token.empty()) return all;
    if (!seen_tokens.insert(page->next_token).second) {
      return Status::Internal(fmt::format("EC2 DescribeNetworkInterfaces: NextToken {} came back twice",
                                          Quote(page->next_token)));
    }
    request.next_token = std::move(page->next_token);
  }
}

bool IsGlueEni(const NetworkInterface& eni) {
  const std::string_view description = eni.description;
  return description.starts_with("Attached to Glue using role:") || description.starts_with("Glue_");
}

EniCounts CountEnis(const std::vector<NetworkInterface>& enis) {
  EniCounts counts;
  for (const NetworkInterface& eni : enis) {
    ++counts.total;
    if (eni.status == "in-use") {
      ++counts.in_use;
    } else if (eni.status == "available") {
      ++counts.available;
    } else {
      ++counts.other;
    }
    if (IsGlueEni(eni)) ++counts.glue;
  }
  return counts;
}

}  // namespace glueguard
