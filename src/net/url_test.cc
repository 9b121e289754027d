#include "net/url.h"

#include <gtest/gtest.h>

namespace glueguard {
namespace {

TEST(Url, ParsesSchemeHostPortPathAndQuery) {
  Result<Url> u = ParseUrl("http://127.0.0.1:4566/a/b?x=1&y=2");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "http");
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 4566);
  EXPECT_EQ(u->path, "/a/b");
  EXPECT_EQ(u->query, "x=1&y=2");
  EXPECT_EQ(u->Authority(), "127.0.0.1:4566");
  EXPECT_EQ(ParseUrl("https://ec2.us-east-1.amazonaws.com")->path, "/");
  EXPECT_EQ(ParseUrl("https://h:443/")->Authority(), "h");
}

TEST(Url, RejectsWhatIsNotAnHttpUrl) {
  EXPECT_FALSE(ParseUrl("ec2.amazonaws.com").ok());
  EXPECT_FALSE(ParseUrl("ftp://x/").ok());
  EXPECT_FALSE(ParseUrl("http://:80/").ok());
  EXPECT_FALSE(ParseUrl("http://h:99999/").ok());
  EXPECT_FALSE(ParseUrl("http://h:x/").ok());
}

TEST(Url, EncodesAsRfc3986AndDecodesForms) {
  EXPECT_EQ(UriEncode("tok/en+1= ~é"), "tok%2Fen%2B1%3D%20~%C3%A9");
  EXPECT_EQ(UriEncode("/a b/", "/"), "/a%20b/");
  EXPECT_EQ(FormEncode({{"Action", "Publish"}, {"Message", "hello world & more"}}),
            "Action=Publish&Message=hello%20world%20%26%20more");
  const auto pairs = FormDecode("Message=hello+world+%26+more&Empty=&Flag");
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].second, "hello world & more");
  EXPECT_EQ(pairs[1].second, "");
  EXPECT_EQ(pairs[2].first, "Flag");
  EXPECT_EQ(UriDecode("%zz%4"), "%zz%4");
}

}  // namespace
}  // namespace glueguard
