// Property test: glueguard's signer and botocore's (Debian python3-botocore, the AWS CLI's own signer) agree on
// 1,000 random requests: methods, paths with reserved, UTF-8 and dot segments, encoded queries with repeated
// keys, headers with odd spacing and duplicates, binary bodies, session tokens, scopes and times.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aws/sigv4.h"
#include "net/url.h"
#include "base/random.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

constexpr int kRequests = 1000;

std::string Pick(Random& r, const std::vector<std::string>& options) {
  return options[static_cast<size_t>(r.UniformInt(0, static_cast<int64_t>(options.size()) - 1))];
}

// A string of 0..max_len pieces drawn from `alphabet` (pieces may be multi-byte UTF-8).
std::string RandomText(Random& r, const std::vector<std::string>& alphabet, int max_len) {
  std::string out;
  const int64_t n = r.UniformInt(0, max_len);
  for (int64_t i = 0; i < n; ++i) out += Pick(r, alphabet);
  return out;
}

const std::vector<std::string> kPathPieces = {
    "a", "b", "Z", "0", "9", "-", "_", ".", "~", " ", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=",
    ":", "@", "%", "é", "ሴ", "😀", "/", "//", "/./", "/../", "..", "%2F", "%20"};
const std::vector<std::string> kQueryPieces = {"a",  "B", "z", "1", "-", "_", ".", "~", " ", "/", "+",
                                               "=",  "&", "?", "%", "é", "ሴ", "*", ":", "@", "!"};
const std::vector<std::string> kHeaderValuePieces = {"a", "Z", "0", " ", "  ", "\t", ",", ";", "=", "/",
                                                     "\"", ":", "-", "(", ")", "value"};

nlohmann::json RandomRequest(Random& r, int index) {
  nlohmann::json spec;
  spec["method"] = Pick(r, {"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"});
  std::string host = Pick(r, {"example.amazonaws.com", "ec2.us-east-1.amazonaws.com", "glue.eu-west-1.amazonaws.com",
                              "127.0.0.1", "localhost"});
  if (r.UniformInt(0, 2) == 0) host += ":" + std::to_string(r.UniformInt(1024, 65000));
  spec["host"] = host;
  spec["path"] = "/" + RandomText(r, kPathPieces, 8);
  // The query as a client sends it: pairs of percent-encoded keys and values, sometimes repeated or empty.
  std::string query;
  const int64_t pairs = r.UniformInt(0, 4);
  std::vector<std::string> keys;
  for (int64_t i = 0; i < pairs; ++i) {
    std::string key = keys.empty() || r.UniformInt(0, 3) > 0 ? UriEncode(RandomText(r, kQueryPieces, 6))
                                                              : keys[0];  // a repeated key
    if (key.empty()) key = "k";
    keys.push_back(key);
    if (!query.empty()) query += "&";
    query += key + "=" + UriEncode(RandomText(r, kQueryPieces, 6));
  }
  spec["query"] = query;
  nlohmann::json headers = nlohmann::json::array();
  const int64_t header_count = r.UniformInt(0, 4);
  for (int64_t i = 0; i < header_count; ++i) {
    const std::string name = Pick(r, {"Content-Type", "X-Amz-Target", "My-Header", "x-custom", "Accept",
                                      "X-Amz-Meta-Test", "X-Amz-Meta-Test-Two", "content-type", "Range"});
    headers.push_back({name, RandomText(r, kHeaderValuePieces, 6) + "v"});
  }
  spec["headers"] = headers;
  std::string body;
  const int64_t body_len = r.UniformInt(0, 3) == 0 ? 0 : r.UniformInt(1, 300);
  for (int64_t i = 0; i < body_len; ++i) body.push_back(static_cast<char>(r.UniformInt(0, 255)));
  spec["body"] = body;  // kept raw for the C++ side; removed before writing
  spec["access_key"] = "AKID" + r.Hex(8);
  spec["secret_key"] = r.Hex(20);
  spec["token"] = r.UniformInt(0, 1) == 0 ? "" : "FQoG" + r.Hex(30) + "==";
  spec["region"] = Pick(r, {"us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1"});
  spec["service"] = Pick(r, {"ec2", "glue", "sqs", "sts", "dynamodb", "monitoring", "service"});
  spec["unix_ms"] = r.UniformInt(946'684'800, 1'893'456'000) * 1000;  // 2000..2030, whole seconds
  spec["index"] = index;
  return spec;
}

std::string Base64(const std::string& bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(v >> shift) & 63]);
  }
  if (i + 1 == bytes.size()) {
    const uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    const uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], '='};
  }
  return out;
}

TEST(SigV4Botocore, ThousandRandomRequestsSignIdentically) {
  SeededRandom random(20261123);
  std::vector<nlohmann::json> specs;
  testing::TempDir dir;
  {
    std::ofstream in(dir.File("requests.jsonl"), std::ios::binary);
    for (int i = 0; i < kRequests; ++i) {
      nlohmann::json spec = RandomRequest(random, i);
      nlohmann::json wire = spec;
      wire["body_b64"] = Base64(spec["body"].get<std::string>());
      wire.erase("body");
      wire["amz_date"] = AmzDate(FromUnixMillis(spec["unix_ms"].get<int64_t>()));
      in << wire.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict) << "\n";
      specs.push_back(std::move(spec));
    }
  }
  const std::string command = "/usr/bin/python3 " + std::string(GLUEGUARD_SOURCE_DIR) +
                              "/tests/oracles/sigv4_botocore.py < " + dir.File("requests.jsonl") + " > " +
                              dir.File("signed.jsonl") + " 2> " + dir.File("oracle.err");
  const int rc = std::system(command.c_str());
  std::ifstream err_in(dir.File("oracle.err"));
  std::stringstream err;
  err << err_in.rdbuf();
  ASSERT_EQ(rc, 0) << "the botocore oracle failed (is python3-botocore installed? scripts/install-deps does it):\n"
                   << err.str();

  std::ifstream out(dir.File("signed.jsonl"));
  std::string line;
  int compared = 0;
  int differing = 0;
  for (const nlohmann::json& spec : specs) {
    ASSERT_TRUE(std::getline(out, line)) << "the oracle answered only " << compared << " requests";
    const nlohmann::json expected = nlohmann::json::parse(line);
    SigningRequest r;
    r.method = spec["method"];
    r.host = spec["host"];
    r.path = spec["path"];
    r.query = spec["query"];
    for (const auto& h : spec["headers"]) r.headers.push_back({h[0], h[1]});
    r.body = spec["body"];
    Credentials c;
    c.access_key_id = spec["access_key"];
    c.secret_access_key = spec["secret_key"];
    c.session_token = spec["token"];
    const SigningResult s = SignV4(r, c, spec["region"].get<std::string>(), spec["service"].get<std::string>(),
                                   FromUnixMillis(spec["unix_ms"].get<int64_t>()));
    ++compared;
    if (s.authorization != expected["authorization"].get<std::string>()) {
      ++differing;
      if (differing <= 3) {
        ADD_FAILURE() << "request " << spec["index"] << " differs\nglueguard canonical request:\n"
                      << s.canonical_request << "\nbotocore canonical request:\n"
                      << expected["canonical_request"].get<std::string>();
      }
    }
  }
  EXPECT_EQ(compared, kRequests);
  EXPECT_EQ(differing, 0);
}

}  // namespace
}  // namespace glueguard
