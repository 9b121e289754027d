#include "simcloud/wire.h"

#include <gtest/gtest.h>

#include <pugixml.hpp>

#include "aws/aws_client.h"
#include "aws/sns.h"
#include "aws/sqs.h"
#include "net/url.h"

namespace glueguard {
namespace {

ServerRequest FormRequest(std::string body, std::string scope_service = "") {
  ServerRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = {{"Host", "127.0.0.1:4566"},
               {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  if (!scope_service.empty()) {
    r.headers.push_back({"Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261123/eu-west-1/" +
                                              scope_service +
                                              "/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"});
  }
  r.body = std::move(body);
  return r;
}

AwsCall Call(std::string service, std::string operation) {
  AwsCall call;
  call.service = service;
  call.protocol = FindWireService(service)->protocol;
  call.operation = std::move(operation);
  call.request_id = "req-1";
  return call;
}

HttpResponse AsClientSees(const ServerResponse& r) { return HttpResponse{r.status, r.headers, r.body}; }

TEST(Wire, GlueIsToldByItsTargetPrefix) {
  ServerRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = {{"Host", "h:1"}, {"X-Amz-Target", "AWSGlue.GetSession"}};
  r.body = R"({"Id": "x"})";
  const ParsedCall parsed = ParseAwsCall(r);
  ASSERT_FALSE(parsed.error) << parsed.error->code;
  EXPECT_EQ(parsed.call.service, "glue");
  EXPECT_EQ(parsed.call.protocol, WireProtocol::kJson);
  EXPECT_EQ(parsed.call.operation, "GetSession");
  EXPECT_EQ(parsed.call.json_body, R"({"Id": "x"})");
  EXPECT_EQ(parsed.call.host, "h:1");
}

TEST(Wire, UnknownTargetPrefixIsUnknownOperation) {
  ServerRequest r;
  r.headers = {{"X-Amz-Target", "AmazonSQS.ReceiveMessage"}};
  const ParsedCall parsed = ParseAwsCall(r);
  ASSERT_TRUE(parsed.error);
  EXPECT_EQ(parsed.error->code, "UnknownOperationException");
  EXPECT_EQ(parsed.call.protocol, WireProtocol::kJson);
}

TEST(Wire, QueryServicesAreToldByTheCredentialScope) {
  for (const std::string service : {"ec2", "sns", "sqs", "sts"}) {
    const ParsedCall parsed = ParseAwsCall(FormRequest("Action=Anything&Version=1999-01-01&X=a+b", service));
    ASSERT_FALSE(parsed.error) << service;
    EXPECT_EQ(parsed.call.service, service);
    EXPECT_EQ(parsed.call.protocol, service == "ec2" ? WireProtocol::kEc2 : WireProtocol::kQuery);
    EXPECT_EQ(parsed.call.operation, "Anything");
    ASSERT_NE(FindParam(parsed.call.params, "X"), nullptr);
    EXPECT_EQ(*FindParam(parsed.call.params, "X"), "a b");
  }
}

TEST(Wire, UnsignedQueryRequestIsToldByItsVersion) {
  const ParsedCall parsed =
      ParseAwsCall(FormRequest("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn"));
  ASSERT_FALSE(parsed.error);
  EXPECT_EQ(parsed.call.service, "sts");
  ServerRequest get = FormRequest("");
  get.method = "GET";
  get.query_params = {{"Action", "DescribeSubnets"}, {"Version", "2016-11-15"}};
  EXPECT_EQ(ParseAwsCall(get).call.service, "ec2");
}

TEST(Wire, MissingActionAndUnknownServicesAreErrors) {
  const ParsedCall no_action = ParseAwsCall(FormRequest("Version=2012-11-05", "sqs"));
  ASSERT_TRUE(no_action.error);
  EXPECT_EQ(no_action.error->code, "MissingAction");
  EXPECT_EQ(no_action.call.service, "sqs");
  const ParsedCall unknown =
      ParseAwsCall(FormRequest("Action=PutMetricData&Version=2010-08-01", "monitoring"));
  ASSERT_TRUE(unknown.error);
  EXPECT_EQ(unknown.error->code, "InvalidAction");
  EXPECT_EQ(unknown.error->message, "The action PutMetricData is not valid for this web service.");
}

TEST(Wire, ErrorBodiesParseInTheRepoClientWithEscapedText) {
  const AwsError error{404, "NotFound", "Topic <a&b> \"does\" not exist", true};
  const struct {
    const char* service;
    AwsProtocol client_protocol;
  } cases[] = {{"ec2", AwsProtocol::kEc2}, {"sns", AwsProtocol::kQuery}, {"glue", AwsProtocol::kJson}};
  for (const auto& c : cases) {
    const ServerResponse response = ErrorResponse(Call(c.service, "Op"), error);
    EXPECT_EQ(response.status, 404);
    const AwsErrorFields fields = ParseAwsError(c.client_protocol, AsClientSees(response));
    EXPECT_EQ(fields.code, "NotFound") << c.service << ": " << response.body;
    EXPECT_EQ(fields.message, error.message) << c.service;
    EXPECT_EQ(fields.request_id, "req-1") << c.service;
  }
}

TEST(Wire, ErrorShapesAreAwsExactOnes) {
  const ServerResponse ec2 = ErrorResponse(Call("ec2", "DeleteNetworkInterface"),
                                           AwsError{400, "InvalidNetworkInterfaceID.NotFound", "gone", true});
  EXPECT_NE(
      ec2.body.find("<Response><Errors><Error><Code>InvalidNetworkInterfaceID.NotFound</Code><Message>gone"
                    "</Message></Error></Errors><RequestID>req-1</RequestID></Response>"),
      std::string::npos)
      << ec2.body;
  const ServerResponse query =
      ErrorResponse(Call("sqs", "SendMessage"), AwsError{500, "InternalFailure", "x", false});
  EXPECT_NE(query.body.find(
                "<ErrorResponse xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><Error><Type>Receiver"
                "</Type><Code>InternalFailure</Code><Message>x</Message></Error><RequestId>req-1"
                "</RequestId></ErrorResponse>"),
            std::string::npos)
      << query.body;
  const ServerResponse json =
      ErrorResponse(Call("glue", "GetSession"), AwsError{400, "EntityNotFoundException", "no", true});
  EXPECT_EQ(json.body, R"({"__type":"EntityNotFoundException","message":"no"})");
  EXPECT_EQ(json.content_type, "application/x-amz-json-1.1");
  ASSERT_NE(FindHeader(json.headers, "x-amzn-RequestId"), nullptr);
  const ServerResponse no_message =
      ErrorResponse(Call("glue", "Nope"), UnknownOperationError(Call("glue", "Nope")));
  EXPECT_EQ(no_message.body, R"({"__type":"UnknownOperationException"})");
}

TEST(Wire, Ec2SuccessEnvelopeHasTheNamespaceAndRequestIdAndNoResultWrapper) {
  const ServerResponse r = Ec2Response(Call("ec2", "DeleteNetworkInterface"), "<return>true</return>");
  EXPECT_EQ(r.status, 200);
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(r.body.c_str()));
  const pugi::xml_node root = doc.document_element();
  EXPECT_STREQ(root.name(), "DeleteNetworkInterfaceResponse");
  EXPECT_STREQ(root.attribute("xmlns").value(), "http://ec2.amazonaws.com/doc/2016-11-15/");
  EXPECT_STREQ(root.child_value("requestId"), "req-1");
  EXPECT_STREQ(root.child_value("return"), "true");
}

TEST(Wire, QuerySuccessEnvelopesParseInTheRepoClients) {
  AwsCall send = Call("sqs", "SendMessage");
  Result<std::string> id = ParseSendMessageResponse(QueryResponse(send, XmlElement("MessageId", "m-1")).body);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "m-1");
  AwsCall publish = Call("sns", "Publish");
  Result<std::string> message_id =
      ParsePublishResponse(QueryResponse(publish, XmlElement("MessageId", "p-1")).body);
  ASSERT_TRUE(message_id.ok());
  EXPECT_EQ(*message_id, "p-1");
  const ServerResponse empty = QueryResponse(Call("sqs", "DeleteMessage"), "");
  EXPECT_EQ(empty.body.find("DeleteMessageResult"), std::string::npos) << empty.body;
  EXPECT_TRUE(ParseDeleteMessageResponse(empty.body).ok());
  EXPECT_NE(empty.body.find("<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"),
            std::string::npos);
  ASSERT_NE(FindHeader(empty.headers, "x-amzn-RequestId"), nullptr);
}

TEST(Wire, JsonSuccessCarriesTheRequestIdHeader) {
  const ServerResponse r = JsonResponse(Call("glue", "StopSession"), "");
  EXPECT_EQ(r.body, "{}");
  EXPECT_EQ(r.content_type, "application/x-amz-json-1.1");
  EXPECT_EQ(*FindHeader(r.headers, "x-amzn-requestid"), "req-1");
}

TEST(Wire, XmlEscapingCoversMarkupQuotesAndCarriageReturns) {
  EXPECT_EQ(XmlEscape("a<b>&\"c\"'d'\r\n"), "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;&#xD;\n");
  EXPECT_EQ(XmlElement("Body", "x&y"), "<Body>x&amp;y</Body>");
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(XmlElement("Body", "line\r\nnext & <more>").c_str()));
  EXPECT_STREQ(doc.child_value("Body"), "line\r\nnext & <more>");
}

TEST(Wire, IndexedValuesFollowTheIndexNotTheOrderSent) {
  const FormParams params = FormDecode(
      "NetworkInterfaceId.10=eni-j&NetworkInterfaceId.2=eni-b&NetworkInterfaceId.1=eni-a&NetworkInterfaceId."
      "x=bad&"
      "NetworkInterfaceId.0=zero&NetworkInterfaceId.2=dup&NetworkInterfaceIds.3=other&AttributeNames.member."
      "1=All");
  EXPECT_EQ(IndexedValues(params, "NetworkInterfaceId"),
            (std::vector<std::string>{"eni-a", "eni-b", "eni-j"}));
  EXPECT_EQ(IndexedValues(params, "AttributeNames.member"), (std::vector<std::string>{"All"}));
  EXPECT_TRUE(IndexedValues(params, "SubnetId").empty());
}

TEST(Wire, Ec2FiltersOfTheCapturedCliRequest) {
  const FormParams params = FormDecode(
      "Action=DescribeNetworkInterfaces&Version=2016-11-15&Filter.1.Name=subnet-id&Filter.1.Value.1=subnet-"
      "123&"
      "Filter.2.Name=status&Filter.2.Value.1=available&Filter.2.Value.2=in-use&NextToken=tok%2Fen%2B1%3D&"
      "MaxResults=5");
  const std::vector<Ec2Filter> filters = Ec2Filters(params);
  ASSERT_EQ(filters.size(), 2u);
  EXPECT_EQ(filters[0].name, "subnet-id");
  EXPECT_EQ(filters[0].values, (std::vector<std::string>{"subnet-123"}));
  EXPECT_EQ(filters[1].name, "status");
  EXPECT_EQ(filters[1].values, (std::vector<std::string>{"available", "in-use"}));
  EXPECT_EQ(*FindParam(params, "NextToken"), "tok/en+1=");
}

TEST(Wire, MessageAttributesOfSqsAndSns) {
  const FormParams sqs = FormDecode(
      "MessageAttribute.1.Name=k&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value."
      "StringValue=v&"
      "MessageAttribute.2.Name=b&MessageAttribute.2.Value.DataType=Binary&MessageAttribute.2.Value."
      "BinaryValue=AAE%3D&"
      "MessageAttribute.3.Value.DataType=String");
  const auto attributes = MessageAttributes(sqs, "MessageAttribute");
  ASSERT_EQ(attributes.size(), 2u);
  EXPECT_EQ(attributes.at("k"), (MessageAttributeValue{"String", "v", ""}));
  EXPECT_EQ(attributes.at("b"), (MessageAttributeValue{"Binary", "", "AAE="}));
  const FormParams sns = FormDecode(
      "Message=m&MessageAttributes.entry.1.Name=k&MessageAttributes.entry.1.Value.DataType=String&"
      "MessageAttributes.entry.1.Value.StringValue=v");
  EXPECT_EQ(MessageAttributes(sns, "MessageAttributes.entry").at("k"),
            (MessageAttributeValue{"String", "v", ""}));
}

// The form of a version 4 UUID: 8-4-4-4-12 lower-case hex digits, version 4, variant 8/9/a/b.
bool IsUuid4(std::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (id[i] == '-')) return false;
    if (!dash && std::string_view("0123456789abcdef").find(id[i]) == std::string_view::npos) return false;
  }
  return id[14] == '4' && std::string_view("89ab").find(id[19]) != std::string_view::npos;
}

TEST(Wire, RequestIdsAreRandomUuids) {
  SeededRandom random(3);
  for (int i = 0; i < 100; ++i) {
    const std::string id = NewRequestId(random);
    EXPECT_TRUE(IsUuid4(id)) << id;
  }
  EXPECT_NE(NewRequestId(random), NewRequestId(random));
  EXPECT_FALSE(IsUuid4("fc45294c-006b-357b-bab9-012f5b3b0e40"));
}

}  // namespace
}  // namespace glueguard
