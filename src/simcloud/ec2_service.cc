#include "simcloud/ec2_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <set>

namespace glueguard {

bool Ec2FilterValueMatches(std::string_view pattern, std::string_view value) {
  // Iterative wildcard match with one backtrack point for the last '*'.
  size_t p = 0, v = 0, star = std::string_view::npos, mark = 0;
  while (v < value.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == value[v])) {
      ++p;
      ++v;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = v;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      v = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

using EniField = std::function<std::string(const SimEni&, const World&)>;

std::string AttachmentStatus(const SimEni& eni) {
  switch (eni.status) {
    case EniStatus::kAttaching:
      return "attaching";
    case EniStatus::kInUse:
      return "attached";
    case EniStatus::kDetaching:
      return "detaching";
    case EniStatus::kAvailable:
      return "";
  }
  return "";
}

const WorkloadSubnet* SubnetOf(const World& world, const std::string& id) {
  return world.workload().FindSubnet(id);
}

// The ENI filters simcloud understands, by EC2's names.
const std::map<std::string, EniField>& EniFilters() {
  static const std::map<std::string, EniField> filters = {
      {"subnet-id", [](const SimEni& e, const World&) { return e.subnet_id; }},
      {"status", [](const SimEni& e, const World&) { return std::string(EniStatusName(e.status)); }},
      {"description", [](const SimEni& e, const World&) { return e.description; }},
      {"network-interface-id", [](const SimEni& e, const World&) { return e.id; }},
      {"interface-type", [](const SimEni& e, const World&) { return e.interface_type; }},
      {"requester-managed",
       [](const SimEni& e, const World&) { return std::string(e.requester_managed ? "true" : "false"); }},
      {"requester-id", [](const SimEni& e, const World&) { return e.requester_id; }},
      {"private-ip-address", [](const SimEni& e, const World&) { return e.private_ip; }},
      {"addresses.private-ip-address", [](const SimEni& e, const World&) { return e.private_ip; }},
      {"attachment.status", [](const SimEni& e, const World&) { return AttachmentStatus(e); }},
      {"owner-id", [](const SimEni&, const World& w) { return w.workload().account_id; }},
      {"vpc-id",
       [](const SimEni& e, const World& w) {
         const WorkloadSubnet* s = SubnetOf(w, e.subnet_id);
         return s ? s->vpc_id : std::string();
       }},
      {"availability-zone",
       [](const SimEni& e, const World& w) {
         const WorkloadSubnet* s = SubnetOf(w, e.subnet_id);
         return s ? s->availability_zone : std::string();
       }},
  };
  return filters;
}

bool MatchesAll(const std::vector<Ec2Filter>& filters,
                const std::function<std::string(const std::string&)>& field) {
  for (const Ec2Filter& f : filters) {
    const std::string value = field(f.name);
    if (std::none_of(f.values.begin(), f.values.end(),
                     [&](const std::string& p) { return Ec2FilterValueMatches(p, value); })) {
      return false;
    }
  }
  return true;
}

std::string EniXml(const SimEni& eni, const World& world) {
  const WorkloadSubnet* subnet = SubnetOf(world, eni.subnet_id);
  std::string xml = "<item>";
  xml += XmlElement("networkInterfaceId", eni.id);
  xml += XmlElement("subnetId", eni.subnet_id);
  xml += XmlElement("vpcId", subnet ? subnet->vpc_id : "");
  xml += XmlElement("availabilityZone", subnet ? subnet->availability_zone : "");
  xml += XmlElement("description", eni.description);
  xml += XmlElement("ownerId", world.workload().account_id);
  if (!eni.requester_id.empty()) xml += XmlElement("requesterId", eni.requester_id);
  xml += XmlElement("requesterManaged", eni.requester_managed ? "true" : "false");
  xml += XmlElement("status", EniStatusName(eni.status));
  xml +=
      XmlElement("macAddress", fmt::format("02:{}:{}:{}:{}:{}", eni.id.substr(4, 2), eni.id.substr(6, 2),
                                           eni.id.substr(8, 2), eni.id.substr(10, 2), eni.id.substr(12, 2)));
  xml += XmlElement("privateIpAddress", eni.private_ip);
  xml += XmlElement("sourceDestCheck", "true");
  xml += "<groupSet><item><groupId>sg-0simcloud</groupId><groupName>default</groupName></item></groupSet>";
  const std::string attachment = AttachmentStatus(eni);
  if (!attachment.empty()) {
    xml += "<attachment>";
    xml += XmlElement("attachmentId", "eni-attach-" + eni.id.substr(4));
    xml += XmlElement("instanceOwnerId", "amazon-aws");
    xml += XmlElement("deviceIndex", "1");
    xml += XmlElement("status", attachment);
    xml += XmlElement("attachTime", FormatTime(eni.created_at));
    xml += XmlElement("deleteOnTermination", "false");
    xml += "</attachment>";
  }
  xml += "<tagSet/>";
  xml += "<privateIpAddressesSet><item>" + XmlElement("privateIpAddress", eni.private_ip) +
         XmlElement("primary", "true") + "</item></privateIpAddressesSet>";
  xml += "<ipv6AddressesSet/>";
  xml += XmlElement("interfaceType", eni.interface_type);
  xml += "</item>";
  return xml;
}

bool DryRun(const AwsCall& call) {
  const std::string* dry = FindParam(call.params, "DryRun");
  return dry && *dry == "true";
}

ServerResponse DryRunSucceeded(const AwsCall& call) {
  return ErrorResponse(
      call, AwsError{412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.", true});
}

// MaxResults: absent = everything; else 5..1000.
std::optional<AwsError> ReadMaxResults(const AwsCall& call, int& max_results) {
  const std::string* text = FindParam(call.params, "MaxResults");
  if (!text) return std::nullopt;
  char* end = nullptr;
  const long value = std::strtol(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || value < 5 || value > 1000) {
    return InvalidParameterValueError(fmt::format(
        "Value ( {} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.", *text));
  }
  max_results = static_cast<int>(value);
  return std::nullopt;
}

}  // namespace

bool Ec2Service::Handles(std::string_view operation) const {
  return operation == "DescribeNetworkInterfaces" || operation == "DescribeSubnets" ||
         operation == "DeleteNetworkInterface";
}

ServerResponse Ec2Service::Handle(const AwsCall& call) {
  if (call.operation == "DescribeNetworkInterfaces") return DescribeNetworkInterfaces(call);
  if (call.operation == "DescribeSubnets") return DescribeSubnets(call);
  if (call.operation == "DeleteNetworkInterface") return DeleteNetworkInterface(call);
  return ErrorResponse(call, UnknownOperationError(call));
}

ServerResponse Ec2Service::DescribeNetworkInterfaces(const AwsCall& call) {
  const std::vector<Ec2Filter> filters = Ec2Filters(call.params);
  for (const Ec2Filter& f : filters) {
    if (!EniFilters().count(f.name)) {
      return ErrorResponse(call,
                           InvalidParameterValueError(fmt::format("The filter '{}' is invalid", f.name)));
    }
  }
  const std::vector<std::string> ids = IndexedValues(call.params, "NetworkInterfaceId");
  int max_results = 0;
  if (std::optional<AwsError> error = ReadMaxResults(call, max_results)) return ErrorResponse(call, *error);
  if (max_results > 0 && !ids.empty()) {
    return ErrorResponse(
        call,
        AwsError{400, "InvalidParameterCombination",
                 "The parameter NetworkInterfaceIds cannot be used with the parameter MaxResults", true});
  }
  // A token is the creation sequence of the first ENI of the next page: stable while ENIs come and go.
  int64_t from_sequence = 0;
  if (const std::string* token = FindParam(call.params, "NextToken"); token && !token->empty()) {
    char* end = nullptr;
    from_sequence = std::strtoll(token->c_str(), &end, 10);
    if (*end != '\0' || from_sequence < 0) {
      return ErrorResponse(call,
                           AwsError{400, "InvalidNextToken", "The token '" + *token + "' is invalid.", true});
    }
  }
  if (DryRun(call)) return DryRunSucceeded(call);
  return sim_.With([&](World& world) {
    for (const std::string& id : ids) {
      if (!world.FindEni(id)) {
        return ErrorResponse(call,
                             AwsError{400, "InvalidNetworkInterfaceID.NotFound",
                                      fmt::format("The networkInterface ID '{}' does not exist", id), true});
      }
    }
    const std::set<std::string> wanted(ids.begin(), ids.end());
    std::string items;
    int count = 0;
    std::string next_token;
    for (const SimEni* eni : world.Enis()) {
      if (eni->sequence < from_sequence) continue;
      if (!wanted.empty() && !wanted.count(eni->id)) continue;
      const bool match =
          MatchesAll(filters, [&](const std::string& name) { return EniFilters().at(name)(*eni, world); });
      if (!match) continue;
      if (max_results > 0 && count == max_results) {
        next_token = std::to_string(eni->sequence);
        break;
      }
      items += EniXml(*eni, world);
      ++count;
    }
    std::string body =
        items.empty() ? "<networkInterfaceSet/>" : "<networkInterfaceSet>" + items + "</networkInterfaceSet>";
    if (!next_token.empty()) body += XmlElement("nextToken", next_token);
    return Ec2Response(call, body);
  });
}

ServerResponse Ec2Service::DescribeSubnets(const AwsCall& call) {
  const std::vector<Ec2Filter> filters = Ec2Filters(call.params);
  static const std::set<std::string> known = {"subnet-id",  "vpc-id",    "availability-zone",
                                              "cidr-block", "cidrBlock", "state"};
  for (const Ec2Filter& f : filters) {
    if (!known.count(f.name)) {
      return ErrorResponse(call,
                           InvalidParameterValueError(fmt::format("The filter '{}' is invalid", f.name)));
    }
  }
  const std::vector<std::string> ids = IndexedValues(call.params, "SubnetId");
  int max_results = 0;
  if (std::optional<AwsError> error = ReadMaxResults(call, max_results)) return ErrorResponse(call, *error);
  if (DryRun(call)) return DryRunSucceeded(call);
  return sim_.With([&](World& world) {
    const Workload& w = world.workload();
    for (const std::string& id : ids) {
      if (!w.FindSubnet(id)) {
        return ErrorResponse(call, AwsError{400, "InvalidSubnetID.NotFound",
                                            fmt::format("The subnet ID '{}' does not exist", id), true});
      }
    }
    std::string items;
    for (const WorkloadSubnet& s : w.subnets) {
      if (!ids.empty() && std::find(ids.begin(), ids.end(), s.id) == ids.end()) continue;
      const std::map<std::string, std::string> fields = {{"subnet-id", s.id},
                                                         {"vpc-id", s.vpc_id},
                                                         {"availability-zone", s.availability_zone},
                                                         {"cidr-block", s.cidr.ToString()},
                                                         {"cidrBlock", s.cidr.ToString()},
                                                         {"state", "available"}};
      if (!MatchesAll(filters, [&](const std::string& name) { return fields.at(name); })) continue;
      const SubnetCounts c = world.Counts(s.id);
      items += "<item>";
      items += XmlElement("subnetId", s.id);
      items +=
          XmlElement("subnetArn", fmt::format("arn:aws:ec2:{}:{}:subnet/{}", w.region, w.account_id, s.id));
      items += XmlElement("state", "available");
      items += XmlElement("vpcId", s.vpc_id);
      items += XmlElement("ownerId", w.account_id);
      items += XmlElement("cidrBlock", s.cidr.ToString());
      items += XmlElement("availableIpAddressCount", std::to_string(c.free()));
      items += XmlElement("availabilityZone", s.availability_zone);
      items += XmlElement("defaultForAz", "false");
      items += XmlElement("mapPublicIpOnLaunch", "false");
      items +=
          "<tagSet><item>" + XmlElement("key", "Name") + XmlElement("value", s.name) + "</item></tagSet>";
      items += "</item>";
    }
    return Ec2Response(call, items.empty() ? "<subnetSet/>" : "<subnetSet>" + items + "</subnetSet>");
  });
}

ServerResponse Ec2Service::DeleteNetworkInterface(const AwsCall& call) {
  const std::string* id = FindParam(call.params, "NetworkInterfaceId");
  if (!id || id->empty()) return ErrorResponse(call, MissingParameterError("NetworkInterfaceId"));
  return sim_.With([&](World& world) {
    if (DryRun(call)) {
      const SimEni* eni = world.FindEni(*id);
      if (eni && eni->status == EniStatus::kAvailable) return DryRunSucceeded(call);
    }
    const Status s = world.DeleteEni(*id);
    if (!s.ok()) return ErrorResponse(call, AwsError{400, s.reason(), s.message(), true});
    return Ec2Response(call, "<return>true</return>");
  });
}

}  // namespace glueguard
