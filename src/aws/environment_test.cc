#include "aws/environment.h"

#include <gtest/gtest.h>

#include "aws/shared_config.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

SharedConfig Files(const std::string& config, const std::string& credentials = "") {
  Result<SharedConfig> c = SharedConfig::Parse(config, credentials);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : SharedConfig{};
}

AwsEnvironment Env(std::map<std::string, std::string> vars, const SharedConfig& files = {}) {
  Result<AwsEnvironment> e = AwsEnvironment::FromConfig(FixedEnv(std::move(vars)), files);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  return *e;
}

TEST(SharedConfig, ReadsProfilesNestedSectionsAndPrefersTheCredentialsFile) {
  SharedConfig c = Files(R"(# comment
[default]
region = eu-west-1
aws_access_key_id = FROMCONFIG

[profile dev]
region = us-west-2
services = local

[services local]
ec2 =
  endpoint_url = http://127.0.0.1:9000
glue =
  endpoint_url = http://127.0.0.1:9001
)",
                         "[default]\naws_access_key_id = FROMCREDENTIALS\n");
  EXPECT_EQ(c.Get("default", "region"), "eu-west-1");
  EXPECT_EQ(c.Get("default", "aws_access_key_id"), "FROMCREDENTIALS");
  EXPECT_EQ(c.Get("dev", "region"), "us-west-2");
  EXPECT_EQ(c.GetService("local", "ec2", "endpoint_url"), "http://127.0.0.1:9000");
  EXPECT_EQ(c.GetService("local", "glue", "endpoint_url"), "http://127.0.0.1:9001");
  EXPECT_TRUE(c.HasProfile("dev"));
  EXPECT_FALSE(c.HasProfile("prod"));
}

TEST(SharedConfig, MalformedLinesNameTheFileAndLine) {
  Result<SharedConfig> c = SharedConfig::Parse("[default]\nregion us-east-1\n", "", "cfg", "creds");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("cfg:2:"), std::string::npos) << c.status().message();
  EXPECT_FALSE(SharedConfig::Parse("[default\n", "").ok());
  EXPECT_FALSE(SharedConfig::Parse("region = x\n", "").ok());
}

TEST(SharedConfig, LoadsTheFilesNamedByTheEnvironmentAndTheProfile) {
  testing::TempDir dir;
  const std::string config = dir.Write("config", "[profile team]\nregion = ap-southeast-2\n");
  Result<AwsEnvironment> e = AwsEnvironment::Load(FixedEnv(
      {{"AWS_CONFIG_FILE", config}, {"AWS_SHARED_CREDENTIALS_FILE", dir.File("absent")}, {"AWS_PROFILE", "team"}}));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->region(), "ap-southeast-2");
  EXPECT_EQ(e->shared_config().profile(), "team");
}

TEST(AwsEnvironment, RegionPrecedence) {
  const SharedConfig files = Files("[default]\nregion = eu-west-1\n");
  EXPECT_EQ(Env({}, files).region(), "eu-west-1");
  EXPECT_EQ(Env({{"AWS_DEFAULT_REGION", "us-west-1"}}, files).region(), "us-west-1");
  EXPECT_EQ(Env({{"AWS_DEFAULT_REGION", "us-west-1"}, {"AWS_REGION", "us-east-2"}}, files).region(), "us-east-2");
}

TEST(AwsEnvironment, DefaultEndpointsFollowTheRegionAndPartition) {
  EXPECT_EQ(Env({{"AWS_REGION", "eu-west-1"}}).Endpoint(kEc2Service)->Origin(), "https://ec2.eu-west-1.amazonaws.com");
  EXPECT_EQ(Env({{"AWS_REGION", "eu-west-1"}}).Endpoint(kCloudWatchService)->Origin(),
            "https://monitoring.eu-west-1.amazonaws.com");
  EXPECT_EQ(Env({{"AWS_REGION", "cn-north-1"}}).Endpoint(kGlueService)->Origin(),
            "https://glue.cn-north-1.amazonaws.com.cn");
}

TEST(AwsEnvironment, EndpointOverridesInTheSdkOrder) {
  const SharedConfig files = Files(R"([default]
endpoint_url = http://127.0.0.1:7000
services = local
[services local]
glue =
  endpoint_url = http://127.0.0.1:7001
)");
  EXPECT_EQ(Env({{"AWS_REGION", "us-east-1"}}, files).Endpoint(kEc2Service)->Origin(), "http://127.0.0.1:7000");
  EXPECT_EQ(Env({{"AWS_REGION", "us-east-1"}}, files).Endpoint(kGlueService)->Origin(), "http://127.0.0.1:7001");
  EXPECT_EQ(Env({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", "http://127.0.0.1:7002"}}, files)
                .Endpoint(kGlueService)
                ->Origin(),
            "http://127.0.0.1:7002");
  EXPECT_EQ(Env({{"AWS_REGION", "us-east-1"},
                 {"AWS_ENDPOINT_URL", "http://127.0.0.1:7002"},
                 {"AWS_ENDPOINT_URL_GLUE", "http://127.0.0.1:7003"}},
                files)
                .Endpoint(kGlueService)
                ->Origin(),
            "http://127.0.0.1:7003");
  EXPECT_EQ(Env({{"AWS_REGION", "us-east-1"}, {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}}, files)
                .Endpoint(kGlueService)
                ->Origin(),
            "https://glue.us-east-1.amazonaws.com");
}

TEST(AwsEnvironment, StsIsRegionalUnlessLegacyIsAsked) {
  AwsEnvironment regional = Env({{"AWS_REGION", "eu-west-1"}});
  EXPECT_EQ(regional.Endpoint(kStsService)->Origin(), "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(regional.SigningRegion(kStsService), "eu-west-1");
  AwsEnvironment legacy = Env({{"AWS_REGION", "eu-west-1"}, {"AWS_STS_REGIONAL_ENDPOINTS", "legacy"}});
  EXPECT_EQ(legacy.Endpoint(kStsService)->Origin(), "https://sts.amazonaws.com");
  EXPECT_EQ(legacy.SigningRegion(kStsService), "us-east-1");
}

TEST(AwsEnvironment, BadSettingsAreErrors) {
  EXPECT_FALSE(AwsEnvironment::FromConfig(FixedEnv({{"AWS_MAX_ATTEMPTS", "lots"}}), {}).ok());
  EXPECT_FALSE(AwsEnvironment::FromConfig(FixedEnv({{"AWS_MAX_ATTEMPTS", "0"}}), {}).ok());
  EXPECT_FALSE(Env({{"AWS_REGION", "us-east-1"}, {"AWS_ENDPOINT_URL", "ftp://x"}}).Endpoint(kEc2Service).ok());
  EXPECT_FALSE(Env({}).Endpoint(kEc2Service).ok());
}

}  // namespace
}  // namespace glueguard
