#include "aws/sts.h"

#include <fmt/format.h>

#include <pugixml.hpp>

#include "aws/credentials_parse.h"
#include "aws/xml_reply.h"

namespace glueguard {

namespace {

// Loads `xml` and returns the <{operation}Result> element, or an Internal error saying what is wrong.
Result<pugi::xml_node> FindResult(pugi::xml_document& doc, std::string_view xml, std::string_view operation) {
  GG_ASSIGN_OR_RETURN(const pugi::xml_node root, LoadXmlReply(xml, "STS", operation, doc));
  const std::string result_name = fmt::format("{}Result", operation);
  const pugi::xml_node result = root.child(result_name.c_str());
  if (!result) return Status::Internal(fmt::format("STS {}: the reply has no <{}>", operation, result_name));
  return result;
}

// The text of a required child element; Internal naming the path when absent or empty.
Result<std::string> RequiredText(pugi::xml_node parent, const char* name, std::string_view operation) {
  const pugi::xml_node node = parent.child(name);
  std::string text = node.text().as_string();
  if (text.empty()) {
    return Status::Internal(fmt::format("STS {}: the reply has no {}/{}", operation, parent.name(), name));
  }
  return text;
}

}  // namespace

Result<CallerIdentity> ParseGetCallerIdentityResponse(std::string_view xml) {
  constexpr std::string_view kOperation = "GetCallerIdentity";
  pugi::xml_document doc;
  Result<pugi::xml_node> result = FindResult(doc, xml, kOperation);
  if (!result.ok()) return result.status();
  CallerIdentity identity;
  for (auto [name, out] : {std::pair<const char*, std::string*>{"UserId", &identity.user_id},
                           {"Account", &identity.account},
                           {"Arn", &identity.arn}}) {
    Result<std::string> text = RequiredText(*result, name, kOperation);
    if (!text.ok()) return text.status();
    *out = std::move(*text);
  }
  return identity;
}

Result<AssumedRole> ParseAssumeRoleResponse(std::string_view xml, std::string_view operation) {
  pugi::xml_document doc;
  Result<pugi::xml_node> result = FindResult(doc, xml, operation);
  if (!result.ok()) return result.status();
  const pugi::xml_node credentials = result->child("Credentials");
  if (!credentials) return Status::Internal(fmt::format("STS {}: the reply has no <Credentials>", operation));
  AssumedRole role;
  role.credentials.source = fmt::format("sts {}", operation);
  for (auto [name, out] :
       {std::pair<const char*, std::string*>{"AccessKeyId", &role.credentials.access_key_id},
        {"SecretAccessKey", &role.credentials.secret_access_key},
        {"SessionToken", &role.credentials.session_token}}) {
    Result<std::string> text = RequiredText(credentials, name, operation);
    if (!text.ok()) return text.status();
    *out = std::move(*text);
  }
  Result<std::string> expiration_text = RequiredText(credentials, "Expiration", operation);
  if (!expiration_text.ok()) return expiration_text.status();
  Result<Time> expiration = ParseExpiration(*expiration_text);
  if (!expiration.ok()) {
    return Status::Internal(
        fmt::format("STS {}: Credentials/Expiration: {}", operation, expiration.status().message()));
  }
  role.credentials.expiration = *expiration;
  const pugi::xml_node user = result->child("AssumedRoleUser");
  role.arn = user.child("Arn").text().as_string();
  role.assumed_role_id = user.child("AssumedRoleId").text().as_string();
  return role;
}

std::unique_ptr<StsClient> StsClient::Create(HttpTransport& transport, CredentialsProvider& credentials,
                                             const AwsEnvironment& environment, Clock& clock, Random& random,
                                             Sleeper& sleeper) {
  auto client = std::make_unique<AwsClient>(transport, credentials, environment, clock, random, sleeper);
  return std::unique_ptr<StsClient>(new StsClient(std::move(client)));
}

Result<CallerIdentity> StsClient::GetCallerIdentity() {
  Result<AwsResponse> response = client_.Query(kStsService, "GetCallerIdentity", {});
  if (!response.ok()) return response.status();
  return ParseGetCallerIdentityResponse(response->body);
}

Result<AssumedRole> StsClient::AssumeRole(const AssumeRoleRequest& request) {
  QueryParams params = {{"RoleArn", request.role_arn}, {"RoleSessionName", request.role_session_name}};
  if (request.duration_seconds)
    params.emplace_back("DurationSeconds", std::to_string(*request.duration_seconds));
  if (request.external_id) params.emplace_back("ExternalId", *request.external_id);
  Result<AwsResponse> response = client_.Query(kStsService, "AssumeRole", params);
  if (!response.ok()) return response.status();
  return ParseAssumeRoleResponse(response->body, "AssumeRole");
}

Result<AssumedRole> StsClient::AssumeRoleWithWebIdentity(const AssumeRoleWithWebIdentityRequest& request) {
  QueryParams params = {{"RoleArn", request.role_arn},
                        {"RoleSessionName", request.role_session_name},
                        {"WebIdentityToken", request.web_identity_token}};
  if (request.duration_seconds)
    params.emplace_back("DurationSeconds", std::to_string(*request.duration_seconds));
  AwsCallOptions options;
  options.sign = false;
  Result<AwsResponse> response = client_.Query(kStsService, "AssumeRoleWithWebIdentity", params, options);
  if (!response.ok()) return response.status();
  return ParseAssumeRoleResponse(response->body, "AssumeRoleWithWebIdentity");
}

StsFactory MakeStsFactory(HttpTransport& transport, const AwsEnvironment& environment, Clock& clock,
                          Random& random, Sleeper& sleeper) {
  return [&transport, &environment, &clock, &random, &sleeper](CredentialsProvider& credentials) {
    return std::unique_ptr<StsApi>(
        StsClient::Create(transport, credentials, environment, clock, random, sleeper));
  };
}

}  // namespace glueguard
