#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "net/url.h"

namespace glueguard {
namespace {

const std::filesystem::path kSuite =
    std::filesystem::path(GLUEGUARD_SOURCE_DIR) / ".." / "shared" / "reference" / "sigv4-test-suite";

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Credentials SuiteCredentials() {
  Credentials c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  return c;
}

const Time kSuiteTime = *ParseTime("2015-08-30T12:36:00Z");

// Parses a test-suite .req file: "METHOD TARGET HTTP/1.1", "Name:value" lines, a blank line, the body.
// The query is percent-encoded as a client would send it (raw UTF-8 and spaces are escaped).
SigningRequest ParseSuiteRequest(const std::string& text, Credentials& credentials) {
  SigningRequest r;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  const size_t first_space = line.find(' ');
  const size_t version = line.rfind(" HTTP/");
  r.method = line.substr(0, first_space);
  const std::string target = line.substr(first_space + 1, version - first_space - 1);
  const size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = UriEncode(target.substr(q + 1), "=&%");
  bool in_body = false;
  while (std::getline(in, line)) {
    if (in_body) {
      r.body += (r.body.empty() ? "" : "\n") + line;
      continue;
    }
    if (line.empty()) {
      in_body = true;
      continue;
    }
    const size_t colon = line.find(':');
    HttpHeader h{line.substr(0, colon), line.substr(colon + 1)};
    if (h.name == "X-Amz-Security-Token") credentials.session_token = h.value;
    r.headers.push_back(std::move(h));
  }
  return r;
}

struct SuiteCase {
  std::string name;
  std::filesystem::path dir;
};

std::vector<SuiteCase> SuiteCases() {
  std::vector<SuiteCase> cases;
  std::error_code error;  // a missing suite gives no cases (and TheSuiteIsPresent fails), not a throw at start-up
  for (std::filesystem::recursive_directory_iterator it(kSuite, error), end; !error && it != end;
       it.increment(error)) {
    if (it->path().extension() != ".authz") continue;
    cases.push_back({it->path().stem().string(), it->path().parent_path()});
  }
  std::sort(cases.begin(), cases.end(), [](const SuiteCase& a, const SuiteCase& b) { return a.name < b.name; });
  return cases;
}

TEST(SigV4Suite, TheSuiteIsPresent) {
  // The vectors live beside the project in ../shared; without them the suite below would pass vacuously.
  EXPECT_GE(SuiteCases().size(), 19u) << "the SigV4 test suite is missing or incomplete at " << kSuite;
}

class SigV4SuiteTest : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(SigV4SuiteTest, AuthorizationMatchesByteForByte) {
  const SuiteCase& c = GetParam();
  Credentials credentials = SuiteCredentials();
  const SigningRequest request = ParseSuiteRequest(ReadFile(c.dir / (c.name + ".req")), credentials);
  const SigningResult result = SignV4(request, credentials, "us-east-1", "service", kSuiteTime);
  EXPECT_EQ(result.authorization, ReadFile(c.dir / (c.name + ".authz")));
  if (std::filesystem::exists(c.dir / (c.name + ".creq"))) {
    EXPECT_EQ(result.canonical_request, ReadFile(c.dir / (c.name + ".creq")));
    EXPECT_EQ(result.string_to_sign, ReadFile(c.dir / (c.name + ".sts")));
  }
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SigV4SuiteTest);
INSTANTIATE_TEST_SUITE_P(Vectors, SigV4SuiteTest, ::testing::ValuesIn(SuiteCases()),
                         [](const ::testing::TestParamInfo<SuiteCase>& param_info) {
                           std::string name = param_info.param.name;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

TEST(SigV4, GetVanillaMatchesTheKnownSignature) {
  SigningRequest r{"GET", "example.amazonaws.com", "/", "", {}, ""};
  const SigningResult s = SignV4(r, SuiteCredentials(), "us-east-1", "service", kSuiteTime);
  EXPECT_EQ(s.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(s.signed_headers, "host;x-amz-date");
}

// The EC2 call captured from the Debian AWS CLI (aws-protocol-facts.md 2.1).
TEST(SigV4, Ec2DescribeNetworkInterfacesMatchesTheAwsCliCapture) {
  SigningRequest r;
  r.method = "POST";
  r.host = "127.0.0.1:18080";
  r.path = "/";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
               {"User-Agent", "aws-cli/2.9.19"}};
  r.body =
      "Action=DescribeNetworkInterfaces&Version=2016-11-15&Filter.1.Name=subnet-id&Filter.1.Value.1=subnet-123&"
      "Filter.2.Name=status&Filter.2.Value.1=available&Filter.2.Value.2=in-use&NextToken=tok%2Fen%2B1%3D&"
      "MaxResults=5";
  Credentials c = SuiteCredentials();
  const SigningResult s = SignV4(r, c, "us-east-1", "ec2", *ParseTime("2026-11-23T08:20:35Z"));
  EXPECT_EQ(s.signature, "8574d01adddb02e0ec0dd641c9969e6ff94f38fc7a542c3d9136dcc5b2dd8889");
  EXPECT_EQ(s.signed_headers, "content-type;host;x-amz-date");
}

TEST(SigV4, SessionTokenIsSignedAndAdded) {
  SigningRequest r;
  r.method = "POST";
  r.host = "127.0.0.1:18080";
  r.path = "/";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  r.body = "Action=DescribeNetworkInterfaces&Version=2016-11-15&Filter.1.Name=subnet-id&Filter.1.Value.1=subnet-123&"
           "MaxResults=5";
  Credentials c = SuiteCredentials();
  c.session_token = "FQoGZXIvYXdzEXAMPLETOKEN==";
  const SigningResult s = SignV4(r, c, "us-east-1", "ec2", *ParseTime("2026-11-23T08:20:50Z"));
  EXPECT_EQ(s.signature, "b707ef0ff1a382d095fa6ea2497eef3ac486648ffd30aa9e57f5a3b677548a91");
  EXPECT_EQ(s.signed_headers, "content-type;host;x-amz-date;x-amz-security-token");
  ASSERT_EQ(s.headers_to_add.size(), 3u);
  EXPECT_EQ(s.headers_to_add[1].name, "X-Amz-Security-Token");
  EXPECT_EQ(s.headers_to_add[1].value, c.session_token);
}

// The Glue call captured from the Debian AWS CLI (aws-protocol-facts.md 2.3).
TEST(SigV4, GlueJsonCallSignsTheTargetHeader) {
  SigningRequest r;
  r.method = "POST";
  r.host = "127.0.0.1:18080";
  r.path = "/";
  r.headers = {{"X-Amz-Target", "AWSGlue.GetSession"}, {"Content-Type", "application/x-amz-json-1.1"}};
  r.body = R"({"Id": "x"})";
  const SigningResult s = SignV4(r, SuiteCredentials(), "us-east-1", "glue", *ParseTime("2026-11-23T08:20:54Z"));
  EXPECT_EQ(s.signature, "c58fc7daca559fb225c92416a6be8d1347e02b19c0f4fb0b3efb126232a49591");
  EXPECT_EQ(Sha256Hex(s.canonical_request), "a686b277b2ff6143e3dd98d2b205b424a1e1f833ee765decb84c6a00a2ebd7c6");
}

}  // namespace
}  // namespace glueguard
