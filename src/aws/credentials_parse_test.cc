#include "aws/credentials_parse.h"

#include <gtest/gtest.h>

namespace glueguard {
namespace {

TEST(CredentialsParse, ExpirationAcceptsZuluFractionsAndAZeroOffset) {
  const Time expected = *ParseTime("2026-11-23T07:03:00Z");
  EXPECT_EQ(*ParseExpiration("2026-11-23T07:03:00Z"), expected);
  EXPECT_EQ(*ParseExpiration("2026-11-23T07:03:00.000Z"), expected);
  EXPECT_EQ(*ParseExpiration("2026-11-23T07:03:00+00:00"), expected);
  EXPECT_EQ(*ParseExpiration("2026-11-23T07:03:00.500+00:00"), expected + std::chrono::milliseconds(500));
  EXPECT_FALSE(ParseExpiration("2026-11-23T07:03:00+01:00").ok());
  EXPECT_FALSE(ParseExpiration("+00:00").ok());
  EXPECT_FALSE(ParseExpiration("").ok());
}

TEST(CredentialsParse, TokenAndExpirationAreOptional) {
  Result<Credentials> c = ParseCredentialsJson(R"({"AccessKeyId":"K","SecretAccessKey":"S"})", {}, "src");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->session_token, "");
  EXPECT_FALSE(c->expires());
  EXPECT_EQ(c->source, "src");
}

TEST(CredentialsParse, FieldNamesFollowTheSource) {
  CredentialsJsonFields fields;
  fields.session_token = "SessionToken";
  Result<Credentials> c = ParseCredentialsJson(
      R"({"AccessKeyId":"K","SecretAccessKey":"S","SessionToken":"T","Token":"wrong"})", fields, "src");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->session_token, "T");
}

TEST(CredentialsParse, ErrorsNameTheFieldButNoValue) {
  for (const char* json :
       {R"({"SecretAccessKey":"very-secret"})", R"({"AccessKeyId":"","SecretAccessKey":"very-secret"})",
        R"({"AccessKeyId":7,"SecretAccessKey":"very-secret"})"}) {
    Result<Credentials> c = ParseCredentialsJson(json, {}, "src");
    ASSERT_FALSE(c.ok()) << json;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find("AccessKeyId"), std::string::npos) << c.status().message();
    EXPECT_EQ(c.status().message().find("very-secret"), std::string::npos);
  }
  Result<Credentials> bad_time =
      ParseCredentialsJson(R"({"AccessKeyId":"K","SecretAccessKey":"S","Expiration":"soon"})", {}, "src");
  ASSERT_FALSE(bad_time.ok());
  EXPECT_NE(bad_time.status().message().find("Expiration"), std::string::npos);
}

TEST(CredentialsParse, NonObjectsAndTruncatedJsonAreErrors) {
  const std::string full = R"({"AccessKeyId":"K","SecretAccessKey":"S","Token":"T"})";
  for (size_t n = 0; n < full.size(); ++n) {
    EXPECT_FALSE(ParseCredentialsJson(full.substr(0, n), {}, "src").ok()) << n;
  }
  EXPECT_FALSE(ParseCredentialsJson("[]", {}, "src").ok());
  EXPECT_FALSE(ParseCredentialsJson("null", {}, "src").ok());
}

}  // namespace
}  // namespace glueguard
