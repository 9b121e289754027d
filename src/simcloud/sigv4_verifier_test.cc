// The verifier against requests captured from Debian's awscli 2.9.19 (aws-protocol-facts §2.1, §2.3) and
// against the repo's own signer.
#include "simcloud/sigv4_verifier.h"

#include <gtest/gtest.h>

#include "aws/sigv4.h"
#include "base/random.h"

namespace glueguard {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::string_view kAccessKey = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kToken = "FQoGZXIvYXdzEXAMPLETOKEN==";

// aws ec2 describe-network-interfaces --filters ... --max-results 5 --next-token 'tok/en+1=' (§2.1).
ServerRequest CapturedEc2Request() {
  ServerRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = {
      {"Host", "127.0.0.1:18080"},
      {"Accept-Encoding", "identity"},
      {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
      {"User-Agent",
       "aws-cli/2.9.19 Python/3.11.2 Linux/6.18.44-fc-v595 source/x86_64.debian.12 prompt/off "
       "command/ec2.describe-network-interfaces"},
      {"X-Amz-Date", "20261123T082035Z"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/ec2/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date, "
       "Signature=8574d01adddb02e0ec0dd641c9969e6ff94f38fc7a542c3d9136dcc5b2dd8889"},
      {"Content-Length", "214"},
  };
  r.body =
      "Action=DescribeNetworkInterfaces&Version=2016-11-15&Filter.1.Name=subnet-id&Filter.1.Value.1=subnet-"
      "123&"
      "Filter.2.Name=status&Filter.2.Value.1=available&Filter.2.Value.2=in-use&NextToken=tok%2Fen%2B1%3D&"
      "MaxResults=5";
  return r;
}

// The same call with AWS_SESSION_TOKEN set (§2.1).
ServerRequest CapturedSessionTokenRequest() {
  ServerRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = {
      {"Host", "127.0.0.1:18080"},
      {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
      {"X-Amz-Date", "20261123T082050Z"},
      {"X-Amz-Security-Token", std::string(kToken)},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/ec2/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
       "Signature=b707ef0ff1a382d095fa6ea2497eef3ac486648ffd30aa9e57f5a3b677548a91"},
  };
  r.body =
      "Action=DescribeNetworkInterfaces&Version=2016-11-15&Filter.1.Name=subnet-id&Filter.1.Value.1=subnet-"
      "123&"
      "MaxResults=5";
  return r;
}

// aws glue get-session --id x (§2.3).
ServerRequest CapturedGlueRequest() {
  ServerRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = {
      {"Host", "127.0.0.1:18080"},
      {"Accept-Encoding", "identity"},
      {"X-Amz-Target", "AWSGlue.GetSession"},
      {"Content-Type", "application/x-amz-json-1.1"},
      {"X-Amz-Date", "20261123T082054Z"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/glue/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
       "Signature=c58fc7daca559fb225c92416a6be8d1347e02b19c0f4fb0b3efb126232a49591"},
      {"Content-Length", "11"},
  };
  r.body = R"({"Id": "x"})";
  return r;
}

Time At(std::string_view amz_date) { return *ParseAmzDate(amz_date); }

CredentialLookup Keys(std::string secret = std::string(kSecret), std::string token = "") {
  return [secret, token](std::string_view id) -> std::optional<SimCredential> {
    if (id != kAccessKey) return std::nullopt;
    SimCredential c;
    c.access_key_id = std::string(id);
    c.secret_access_key = secret;
    c.account_id = "210987654321";
    c.session_token = token;
    c.user_name = "tester";
    return c;
  };
}

void SetHeader(ServerRequest& r, std::string_view name, std::string value) {
  for (HttpHeader& h : r.headers) {
    if (h.name == name) h.value = std::move(value);
  }
}

void RemoveHeader(ServerRequest& r, std::string_view name) {
  std::erase_if(r.headers, [&](const HttpHeader& h) { return h.name == name; });
}

TEST(SigV4Verifier, CapturedCliEc2RequestVerifiesAndNamesTheCaller) {
  const SigV4Verdict v = VerifySigV4(CapturedEc2Request(), "ec2", WireProtocol::kEc2, Keys(),
                                     At("20261123T082035Z") + seconds(3));
  ASSERT_TRUE(v.ok()) << v.error.code << ": " << v.error.message;
  EXPECT_EQ(v.caller->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(v.caller->account_id, "210987654321");
  EXPECT_EQ(v.caller->principal_arn, "arn:aws:iam::210987654321:user/tester");
  EXPECT_EQ(v.caller->region, "us-east-1");
}

TEST(SigV4Verifier, CapturedCliGlueRequestVerifies) {
  const SigV4Verdict v =
      VerifySigV4(CapturedGlueRequest(), "glue", WireProtocol::kJson, Keys(), At("20261123T082054Z"));
  EXPECT_TRUE(v.ok()) << v.error.code << ": " << v.error.message;
}

TEST(SigV4Verifier, SessionTokenRequestVerifiesOnlyAgainstItsToken) {
  const Time now = At("20261123T082050Z");
  EXPECT_TRUE(VerifySigV4(CapturedSessionTokenRequest(), "ec2", WireProtocol::kEc2,
                          Keys(std::string(kSecret), std::string(kToken)), now)
                  .ok());
  // A long-term key must not come with a token, and a temporary one must come with its own.
  const SigV4Verdict long_term =
      VerifySigV4(CapturedSessionTokenRequest(), "ec2", WireProtocol::kQuery, Keys(), now);
  EXPECT_EQ(long_term.error.code, "InvalidClientTokenId");
  EXPECT_EQ(long_term.error.http_status, 403);
  EXPECT_EQ(long_term.error.message, "The security token included in the request is invalid.");
  const SigV4Verdict other_token = VerifySigV4(CapturedSessionTokenRequest(), "ec2", WireProtocol::kEc2,
                                               Keys(std::string(kSecret), "another-token"), now);
  EXPECT_EQ(other_token.error.code, "AuthFailure");
}

TEST(SigV4Verifier, ChangedBodyIsASignatureMismatchWordedPerProtocol) {
  ServerRequest r = CapturedEc2Request();
  r.body.back() = '6';  // MaxResults=6
  const Time now = At("20261123T082035Z");
  const SigV4Verdict ec2 = VerifySigV4(r, "", WireProtocol::kEc2, Keys(), now);
  EXPECT_FALSE(ec2.ok());
  EXPECT_EQ(ec2.error.code, "AuthFailure");
  EXPECT_EQ(ec2.error.http_status, 401);
  EXPECT_EQ(ec2.error.message, "AWS was not able to validate the provided access credentials");
  const SigV4Verdict query = VerifySigV4(r, "", WireProtocol::kQuery, Keys(), now);
  EXPECT_EQ(query.error.code, "SignatureDoesNotMatch");
  EXPECT_EQ(query.error.http_status, 403);
  EXPECT_EQ(
      query.error.message,
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
      "Access Key and signing method. Consult the service documentation for details.");
  const SigV4Verdict json = VerifySigV4(r, "", WireProtocol::kJson, Keys(), now);
  EXPECT_EQ(json.error.code, "InvalidSignatureException");
  EXPECT_EQ(json.error.http_status, 400);
  EXPECT_EQ(json.error.message, query.error.message);
}

TEST(SigV4Verifier, WrongSecretIsASignatureMismatch) {
  const SigV4Verdict glue = VerifySigV4(CapturedGlueRequest(), "glue", WireProtocol::kJson,
                                        Keys("not-the-secret"), At("20261123T082054Z"));
  EXPECT_EQ(glue.error.code, "InvalidSignatureException");
  const SigV4Verdict ec2 = VerifySigV4(CapturedEc2Request(), "ec2", WireProtocol::kEc2,
                                       Keys("not-the-secret"), At("20261123T082035Z"));
  EXPECT_EQ(ec2.error.code, "AuthFailure");
}

TEST(SigV4Verifier, UnknownAccessKeyIsWordedPerProtocol) {
  const CredentialLookup nobody = [](std::string_view) { return std::optional<SimCredential>(); };
  const Time now = At("20261123T082035Z");
  const SigV4Verdict ec2 = VerifySigV4(CapturedEc2Request(), "", WireProtocol::kEc2, nobody, now);
  EXPECT_EQ(ec2.error.code, "AuthFailure");
  EXPECT_EQ(ec2.error.http_status, 401);
  const SigV4Verdict json = VerifySigV4(CapturedEc2Request(), "", WireProtocol::kJson, nobody, now);
  EXPECT_EQ(json.error.code, "UnrecognizedClientException");
  EXPECT_EQ(json.error.http_status, 400);
  EXPECT_EQ(json.error.message, "The security token included in the request is invalid.");
  const SigV4Verdict query = VerifySigV4(CapturedEc2Request(), "", WireProtocol::kQuery, nobody, now);
  EXPECT_EQ(query.error.code, "InvalidClientTokenId");
  EXPECT_EQ(query.error.http_status, 403);
}

TEST(SigV4Verifier, HeaderListedInSignedHeadersButRemovedFromTheRequestIsAMismatch) {
  ServerRequest r = CapturedGlueRequest();
  RemoveHeader(r, "X-Amz-Target");
  const SigV4Verdict v = VerifySigV4(r, "glue", WireProtocol::kJson, Keys(), At("20261123T082054Z"));
  EXPECT_EQ(v.error.code, "InvalidSignatureException");
  // Unsigned headers may change freely.
  ServerRequest unsigned_change = CapturedGlueRequest();
  SetHeader(unsigned_change, "Accept-Encoding", "gzip");
  unsigned_change.headers.push_back({"X-Extra", "1"});
  EXPECT_TRUE(VerifySigV4(unsigned_change, "glue", WireProtocol::kJson, Keys(), At("20261123T082054Z")).ok());
}

TEST(SigV4Verifier, ClockSkewBeyondFifteenMinutesIsRefused) {
  const ServerRequest r = CapturedEc2Request();
  const Time signed_at = At("20261123T082035Z");
  EXPECT_TRUE(VerifySigV4(r, "ec2", WireProtocol::kEc2, Keys(), signed_at + minutes(15)).ok());
  EXPECT_TRUE(VerifySigV4(r, "ec2", WireProtocol::kEc2, Keys(), signed_at - minutes(15)).ok());

  const SigV4Verdict ec2 = VerifySigV4(r, "ec2", WireProtocol::kEc2, Keys(), signed_at + minutes(16));
  EXPECT_EQ(ec2.error.code, "RequestExpired");
  EXPECT_EQ(ec2.error.http_status, 400);
  const SigV4Verdict late = VerifySigV4(r, "", WireProtocol::kQuery, Keys(), signed_at + minutes(16));
  EXPECT_EQ(late.error.code, "SignatureDoesNotMatch");
  EXPECT_EQ(late.error.message,
            "Signature expired: 20261123T082035Z is now earlier than 20261123T082135Z (20261123T083635Z - 15 "
            "min.)");
  const SigV4Verdict early = VerifySigV4(r, "", WireProtocol::kJson, Keys(), signed_at - minutes(16));
  EXPECT_EQ(early.error.code, "InvalidSignatureException");
  EXPECT_EQ(
      early.error.message,
      "Signature not yet current: 20261123T082035Z is still later than 20261123T081935Z (20261123T080435Z + "
      "15 min.)");
}

TEST(SigV4Verifier, MissingAuthorizationIsMissingAuthenticationToken) {
  ServerRequest r = CapturedEc2Request();
  RemoveHeader(r, "Authorization");
  const Time now = At("20261123T082035Z");
  const SigV4Verdict query = VerifySigV4(r, "", WireProtocol::kQuery, Keys(), now);
  EXPECT_EQ(query.error.code, "MissingAuthenticationToken");
  EXPECT_EQ(query.error.http_status, 403);
  EXPECT_EQ(query.error.message, "Request is missing Authentication Token");
  EXPECT_EQ(VerifySigV4(r, "", WireProtocol::kJson, Keys(), now).error.code,
            "MissingAuthenticationTokenException");
  EXPECT_EQ(VerifySigV4(r, "", WireProtocol::kEc2, Keys(), now).error.http_status, 401);
}

TEST(SigV4Verifier, GarbledAuthorizationIsIncompleteSignature) {
  const Time now = At("20261123T082035Z");
  ServerRequest r = CapturedEc2Request();
  SetHeader(r, "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/ec2/aws4_request");
  SigV4Verdict v = VerifySigV4(r, "", WireProtocol::kQuery, Keys(), now);
  EXPECT_EQ(v.error.code, "IncompleteSignature");
  EXPECT_EQ(v.error.http_status, 400);
  EXPECT_EQ(
      v.error.message,
      "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
      "parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/ec2/aws4_request");

  SetHeader(
      r, "Authorization",
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE /20261123/us-east-1/ec2/aws4_request, SignedHeaders=host, "
      "Signature=00");
  v = VerifySigV4(r, "", WireProtocol::kJson, Keys(), now);
  EXPECT_EQ(v.error.code, "IncompleteSignatureException");
  EXPECT_NE(v.error.message.find("'/20261123/us-east-1/ec2/aws4_request' not a valid key=value pair (missing "
                                 "equal-sign) in Authorization header"),
            std::string::npos)
      << v.error.message;

  r = CapturedEc2Request();
  RemoveHeader(r, "X-Amz-Date");
  v = VerifySigV4(r, "", WireProtocol::kEc2, Keys(), now);
  EXPECT_EQ(v.error.code, "IncompleteSignature");
  EXPECT_NE(v.error.message.find("requires existence of either a 'X-Amz-Date' or a 'Date' header"),
            std::string::npos);

  r = CapturedEc2Request();
  SetHeader(r, "X-Amz-Date", "2026-11-23T08:20:35Z");
  EXPECT_EQ(VerifySigV4(r, "", WireProtocol::kQuery, Keys(), now).error.code, "IncompleteSignature");
}

TEST(SigV4Verifier, ScopeForAnotherServiceOrDateIsRefused) {
  const Time now = At("20261123T082035Z");
  const SigV4Verdict service = VerifySigV4(CapturedEc2Request(), "sqs", WireProtocol::kQuery, Keys(), now);
  EXPECT_EQ(service.error.code, "SignatureDoesNotMatch");
  EXPECT_EQ(service.error.message, "Credential should be scoped to correct service: 'sqs'. ");
  ServerRequest r = CapturedEc2Request();
  SetHeader(r, "X-Amz-Date", "20261124T000000Z");
  const SigV4Verdict date = VerifySigV4(r, "ec2", WireProtocol::kJson, Keys(), At("20261124T000000Z"));
  EXPECT_EQ(date.error.code, "InvalidSignatureException");
  EXPECT_NE(date.error.message.find("'20261123' != '20261124'"), std::string::npos) << date.error.message;
}

TEST(SigV4Verifier, AcceptsWhatTheRepoSignerSignsWithPathsQueriesAndRepeatedHeaders) {
  SeededRandom random(42);
  for (int i = 0; i < 50; ++i) {
    SigningRequest request;
    request.method = i % 2 == 0 ? "POST" : "GET";
    request.host = "127.0.0.1:" + std::to_string(1024 + i);
    request.path = i % 3 == 0 ? "/" : "/123456789012/queue-" + random.Hex(2) + "/a%20b";
    request.query = i % 4 == 0 ? "" : "b=2&a=" + random.Hex(3) + "&a=0";
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                       {"X-Amz-Meta", "  spaced   value "},
                       {"X-Amz-Meta", "second"}};
    request.body = "Action=X&Body=" + random.Hex(static_cast<int>(random.UniformInt(0, 40)));
    Credentials keys{
        std::string(kAccessKey), std::string(kSecret), i % 5 == 0 ? std::string(kToken) : "", {}, ""};
    const Time now = FromUnixMillis(1'790'000'000'000 + i * 1000);
    const SigningResult signature = SignV4(request, keys, "eu-west-1", "sqs", now);

    ServerRequest received;
    received.method = request.method;
    received.path = request.path;
    received.query = request.query;
    received.body = request.body;
    received.headers = request.headers;
    received.headers.push_back({"Host", request.host});
    for (const HttpHeader& h : signature.headers_to_add) received.headers.push_back(h);
    const SigV4Verdict v = VerifySigV4(received, "sqs", WireProtocol::kQuery,
                                       Keys(std::string(kSecret), keys.session_token), now + seconds(1));
    ASSERT_TRUE(v.ok()) << "request " << i << ": " << v.error.code << ": " << v.error.message;
    EXPECT_EQ(v.caller->region, "eu-west-1");
  }
}

TEST(SigV4Verifier, ParsesAmzDatesStrictly) {
  EXPECT_EQ(ToUnixMillis(*ParseAmzDate("20261123T082035Z")),
            ToUnixMillis(*ParseTime("2026-11-23T08:20:35Z")));
  for (const char* bad : {"", "20261123T082035", "2026-11-23T08:20:35Z", "20261323T082035Z",
                          "20261123T256035Z", "2026112xT082035Z"}) {
    EXPECT_FALSE(ParseAmzDate(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace glueguard
