#include "simcloud/wire.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "net/url.h"

namespace glueguard {

namespace {

constexpr std::string_view kXmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

// The service named by the SigV4 credential scope (Credential=AKID/date/region/SERVICE/aws4_request), or "".
std::string ScopeService(const ServerRequest& request) {
  const std::string* authorization = request.Header("Authorization");
  if (authorization == nullptr) return "";
  const size_t start = authorization->find("Credential=");
  if (start == std::string::npos) return "";
  const size_t end = authorization->find_first_of(", ", start);
  const std::string_view credential =
      std::string_view(*authorization)
          .substr(start, end == std::string::npos ? std::string::npos : end - start);
  size_t slash = 0;
  for (int i = 0; i < 3; ++i) {
    slash = credential.find('/', slash);
    if (slash == std::string_view::npos) return "";
    ++slash;
  }
  return std::string(credential.substr(slash, credential.find('/', slash) - slash));
}

// "Filter.12.Name" with prefix "Filter" -> 12 and rest "Name"; nullopt when the name is not
// <prefix>.<N>[.rest].
std::optional<std::pair<long, std::string_view>> SplitIndexed(std::string_view name,
                                                              std::string_view prefix) {
  if (name.size() <= prefix.size() + 1 || name.substr(0, prefix.size()) != prefix ||
      name[prefix.size()] != '.') {
    return std::nullopt;
  }
  const std::string_view tail = name.substr(prefix.size() + 1);
  long index = 0;
  const auto [end, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), index);
  if (ec != std::errc() || end == tail.data() || index < 1) return std::nullopt;
  std::string_view rest(end, static_cast<size_t>(tail.data() + tail.size() - end));
  if (!rest.empty()) {
    if (rest.front() != '.') return std::nullopt;
    rest.remove_prefix(1);
  }
  return std::make_pair(index, rest);
}

void AppendLengthPrefixed(std::string& out, std::string_view bytes) {
  const auto n = static_cast<uint32_t>(bytes.size());
  for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<char>((n >> shift) & 0xff));
  out.append(bytes);
}

std::string Base64Decode(std::string_view text) {
  if (text.empty()) return "";
  std::string out(text.size() / 4 * 3 + 3, '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return "";
  size_t length = static_cast<size_t>(n);
  for (size_t i = text.size(); i > 0 && text[i - 1] == '=' && length > 0; --i)
    --length;  // padding decodes as 0s
  out.resize(length);
  return out;
}

std::string Namespace(const AwsCall& call) {
  const WireService* service = FindWireService(call.service);
  return service == nullptr ? "" : std::string(service->xml_namespace);
}

std::string XmlnsAttribute(const AwsCall& call) {
  const std::string ns = Namespace(call);
  return ns.empty() ? "" : fmt::format(" xmlns=\"{}\"", ns);
}

}  // namespace

const std::vector<WireService>& WireServices() {
  static const std::vector<WireService> kServices = {
      {"ec2", WireProtocol::kEc2, "2016-11-15", "http://ec2.amazonaws.com/doc/2016-11-15/", ""},
      {"glue", WireProtocol::kJson, "2017-03-31", "", "AWSGlue"},
      {"sns", WireProtocol::kQuery, "2010-03-31", "http://sns.amazonaws.com/doc/2010-03-31/", ""},
      {"sqs", WireProtocol::kQuery, "2012-11-05", "http://queue.amazonaws.com/doc/2012-11-05/", ""},
      {"sts", WireProtocol::kQuery, "2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/", ""},
  };
  return kServices;
}

const WireService* FindWireService(std::string_view name) {
  for (const WireService& service : WireServices()) {
    if (service.name == name) return &service;
  }
  return nullptr;
}

ParsedCall ParseAwsCall(const ServerRequest& request) {
  ParsedCall parsed;
  AwsCall& call = parsed.call;
  if (const std::string* host = request.Header("Host")) call.host = *host;
  call.path = request.path;

  if (const std::string* target = request.Header("X-Amz-Target")) {
    call.protocol = WireProtocol::kJson;
    call.json_body = request.body;
    const size_t dot = target->rfind('.');
    const std::string prefix = dot == std::string::npos ? "" : target->substr(0, dot);
    call.operation = dot == std::string::npos ? *target : target->substr(dot + 1);
    for (const WireService& service : WireServices()) {
      if (service.protocol == WireProtocol::kJson && !prefix.empty() && service.target_prefix == prefix) {
        call.service = std::string(service.name);
      }
    }
    if (call.service.empty()) {
      call.service = ScopeService(request);
      parsed.error = UnknownOperationError(call);
    }
    return parsed;
  }

  call.params = request.query_params;
  for (auto& param : FormDecode(request.body)) call.params.push_back(std::move(param));
  if (const std::string* action = FindParam(call.params, "Action")) call.operation = *action;

  const WireService* service = FindWireService(ScopeService(request));
  if (service == nullptr || service->protocol == WireProtocol::kJson) {
    service = nullptr;
    const std::string* version = FindParam(call.params, "Version");
    for (const WireService& candidate : WireServices()) {
      if (version != nullptr && candidate.protocol != WireProtocol::kJson &&
          candidate.api_version == *version) {
        service = &candidate;
      }
    }
  }
  if (service != nullptr) {
    call.service = std::string(service->name);
    call.protocol = service->protocol;
  }
  if (call.operation.empty()) {
    parsed.error = AwsError{400, "MissingAction", "The request must contain the parameter Action.", true};
  } else if (service == nullptr) {
    parsed.error = UnknownOperationError(call);
  }
  return parsed;
}

std::string NewRequestId(Random& random) {
  std::string hex = random.Hex(16);
  hex[12] = '4';                                              // version 4
  hex[16] = "89ab"[static_cast<unsigned char>(hex[16]) % 4];  // the RFC 4122 variant
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20));
}

ServerResponse Ec2Response(const AwsCall& call, std::string_view body_xml) {
  ServerResponse response;
  response.content_type = "text/xml;charset=UTF-8";
  response.body = fmt::format("{}<{}Response xmlns=\"{}\"><requestId>{}</requestId>{}</{}Response>",
                              kXmlDeclaration, call.operation, FindWireService("ec2")->xml_namespace,
                              XmlEscape(call.request_id), body_xml, call.operation);
  return response;
}

ServerResponse QueryResponse(const AwsCall& call, std::string_view result_xml) {
  ServerResponse response;
  response.content_type = "text/xml";
  response.headers.push_back({"x-amzn-RequestId", call.request_id});
  std::string result;
  if (!result_xml.empty()) result = fmt::format("<{0}Result>{1}</{0}Result>", call.operation, result_xml);
  response.body = fmt::format(
      "{}<{}Response{}>{}<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{}Response>",
      kXmlDeclaration, call.operation, XmlnsAttribute(call), result, XmlEscape(call.request_id),
      call.operation);
  return response;
}

ServerResponse JsonResponse(const AwsCall& call, std::string json) {
  ServerResponse response;
  response.content_type = "application/x-amz-json-1.1";
  response.headers.push_back({"x-amzn-RequestId", call.request_id});
  response.body = json.empty() ? "{}" : std::move(json);
  return response;
}

ServerResponse ErrorResponse(const AwsCall& call, const AwsError& error) {
  ServerResponse response;
  response.status = error.http_status;
  switch (call.protocol) {
    case WireProtocol::kEc2:
      response.content_type = "text/xml;charset=UTF-8";
      response.body = fmt::format(
          "{}<Response><Errors><Error><Code>{}</Code><Message>{}</Message></Error></Errors>"
          "<RequestID>{}</RequestID></Response>",
          kXmlDeclaration, XmlEscape(error.code), XmlEscape(error.message), XmlEscape(call.request_id));
      break;
    case WireProtocol::kQuery:
      response.content_type = "text/xml";
      response.headers.push_back({"x-amzn-RequestId", call.request_id});
      response.body = fmt::format(
          "{}<ErrorResponse{}><Error><Type>{}</Type><Code>{}</Code><Message>{}</Message></Error>"
          "<RequestId>{}</RequestId></ErrorResponse>",
          kXmlDeclaration, XmlnsAttribute(call), error.sender_fault ? "Sender" : "Receiver",
          XmlEscape(error.code), XmlEscape(error.message), XmlEscape(call.request_id));
      break;
    case WireProtocol::kJson: {
      response.content_type = "application/x-amz-json-1.1";
      response.headers.push_back({"x-amzn-RequestId", call.request_id});
      response.headers.push_back({"x-amzn-ErrorType", error.code});
      nlohmann::json body = {{"__type", error.code}};
      if (!error.message.empty()) body["message"] = error.message;
      response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      break;
    }
  }
  return response;
}

AwsError UnknownOperationError(const AwsCall& call) {
  if (call.protocol == WireProtocol::kJson) return AwsError{400, "UnknownOperationException", "", true};
  return AwsError{400, "InvalidAction",
                  fmt::format("The action {} is not valid for this web service.", call.operation), true};
}

AwsError MissingParameterError(std::string_view name) {
  return AwsError{400, "MissingParameter", fmt::format("The request must contain the parameter {}.", name),
                  true};
}

AwsError InvalidParameterValueError(std::string message) {
  return AwsError{400, "InvalidParameterValue", std::move(message), true};
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#xD;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string XmlElement(std::string_view name, std::string_view text) {
  return fmt::format("<{0}>{1}</{0}>", name, XmlEscape(text));
}

const std::string* FindParam(const FormParams& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::vector<std::string> IndexedValues(const FormParams& params, std::string_view prefix) {
  std::map<long, std::string> by_index;
  for (const auto& [key, value] : params) {
    const auto split = SplitIndexed(key, prefix);
    if (split && split->second.empty()) by_index.emplace(split->first, value);
  }
  std::vector<std::string> out;
  out.reserve(by_index.size());
  for (auto& [index, value] : by_index) out.push_back(std::move(value));
  return out;
}

std::vector<FormParams> IndexedGroups(const FormParams& params, std::string_view prefix) {
  std::map<long, FormParams> by_index;
  for (const auto& [key, value] : params) {
    const auto split = SplitIndexed(key, prefix);
    if (split && !split->second.empty())
      by_index[split->first].emplace_back(std::string(split->second), value);
  }
  std::vector<FormParams> out;
  out.reserve(by_index.size());
  for (auto& [index, group] : by_index) out.push_back(std::move(group));
  return out;
}

std::vector<Ec2Filter> Ec2Filters(const FormParams& params) {
  std::vector<Ec2Filter> out;
  for (const FormParams& group : IndexedGroups(params, "Filter")) {
    const std::string* name = FindParam(group, "Name");
    out.push_back(Ec2Filter{name == nullptr ? "" : *name, IndexedValues(group, "Value")});
  }
  return out;
}

std::map<std::string, MessageAttributeValue> MessageAttributes(const FormParams& params,
                                                               std::string_view prefix) {
  std::map<std::string, MessageAttributeValue> out;
  for (const FormParams& group : IndexedGroups(params, prefix)) {
    const std::string* name = FindParam(group, "Name");
    if (name == nullptr || name->empty()) continue;
    MessageAttributeValue value;
    if (const std::string* v = FindParam(group, "Value.DataType")) value.data_type = *v;
    if (const std::string* v = FindParam(group, "Value.StringValue")) value.string_value = *v;
    if (const std::string* v = FindParam(group, "Value.BinaryValue")) value.binary_value = *v;
    out.emplace(*name, std::move(value));
  }
  return out;
}

std::string Md5Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
  std::string out;
  for (unsigned int i = 0; i < length; ++i) out += fmt::format("{:02x}", digest[i]);
  return out;
}

std::string Md5OfMessageAttributes(const std::map<std::string, MessageAttributeValue>& attributes) {
  if (attributes.empty()) return "";
  std::string encoded;
  for (const auto& [name, value] : attributes) {  // std::map: sorted by name, as SQS requires
    AppendLengthPrefixed(encoded, name);
    AppendLengthPrefixed(encoded, value.data_type);
    const bool binary = value.data_type.starts_with("Binary");
    encoded.push_back(binary ? 2 : 1);
    AppendLengthPrefixed(encoded, binary ? Base64Decode(value.binary_value) : value.string_value);
  }
  return Md5Hex(encoded);
}

}  // namespace glueguard
