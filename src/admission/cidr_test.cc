#include "admission/cidr.h"

#include <gtest/gtest.h>

namespace glueguard {
namespace {

TEST(Cidr, Slash26HasFiftyNineUsableIps) {
  Result<Cidr> c = ParseCidr("10.0.1.0/26");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->UsableIps(), 59);
  EXPECT_EQ(c->ToString(), "10.0.1.0/26");
}

TEST(Cidr, UsableIpsAtTheEdgesOfTheAllowedPrefixes) {
  EXPECT_EQ(ParseCidr("10.0.1.0/27")->UsableIps(), 27);
  EXPECT_EQ(ParseCidr("10.0.1.0/28")->UsableIps(), 11);
  EXPECT_EQ(ParseCidr("10.1.0.0/16")->UsableIps(), 65531);
}

TEST(Cidr, RejectsPrefixesAwsDoesNotAllow) {
  EXPECT_FALSE(ParseCidr("10.0.0.0/15").ok());
  EXPECT_FALSE(ParseCidr("10.0.1.0/29").ok());
  EXPECT_NE(ParseCidr("10.0.1.0/29").status().message().find("/16 to /28"), std::string::npos);
}

TEST(Cidr, RejectsHostBitsAndSuggestsTheNetwork) {
  Result<Cidr> c = ParseCidr("10.0.1.5/26");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("did you mean 10.0.1.0/26"), std::string::npos);
}

TEST(Cidr, RejectsMalformedText) {
  for (const char* bad : {"", "10.0.1.0", "10.0.1/26", "10.0.1.256/26", "10.0.1.0/", "10.0.1.0/x", "a.b.c.d/26",
                          "10.0.1.0/26/1", "10.0.1.0 /26", "-1.0.0.0/26", "10.0.1.0/+26"}) {
    EXPECT_FALSE(ParseCidr(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace glueguard
