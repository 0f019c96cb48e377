#include "aws/endpoints.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace eem::aws {
namespace {

struct EndpointCase {
  std::string service;
  std::string region;
  std::string url;
  std::string signing_region;
};

void PrintTo(const EndpointCase& c, std::ostream* os) { *os << c.service << " in " << c.region; }

class DefaultEndpoints : public ::testing::TestWithParam<EndpointCase> {};

TEST_P(DefaultEndpoints, FollowThePartition) {
  const auto& c = GetParam();
  auto endpoint = resolve_endpoint(c.service, c.region, util::map_env({}));
  ASSERT_TRUE(endpoint.has_value()) << endpoint.error().message;
  EXPECT_EQ(endpoint->url, c.url);
  EXPECT_EQ(endpoint->signing_region, c.signing_region);
  EXPECT_FALSE(endpoint->overridden);
}

INSTANTIATE_TEST_SUITE_P(
    Table, DefaultEndpoints,
    ::testing::Values(
        EndpointCase{"sts", "ap-northeast-1", "https://sts.ap-northeast-1.amazonaws.com", "ap-northeast-1"},
        EndpointCase{"sts", "cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1"},
        EndpointCase{"sts", "us-gov-west-1", "https://sts.us-gov-west-1.amazonaws.com", "us-gov-west-1"},
        EndpointCase{"iam", "ap-northeast-1", "https://iam.amazonaws.com", "us-east-1"},
        EndpointCase{"iam", "cn-northwest-1", "https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1"},
        EndpointCase{"iam", "us-gov-east-1", "https://iam.us-gov.amazonaws.com", "us-gov-west-1"},
        EndpointCase{"ecr", "ap-northeast-1", "https://api.ecr.ap-northeast-1.amazonaws.com", "ap-northeast-1"},
        EndpointCase{"ecr", "cn-north-1", "https://api.ecr.cn-north-1.amazonaws.com.cn", "cn-north-1"},
        // botocore's endpoints.json: api.ecr-public.us-east-1.amazonaws.com
        EndpointCase{"ecr-public", "us-east-1", "https://api.ecr-public.us-east-1.amazonaws.com", "us-east-1"},
        EndpointCase{"ecs", "eu-west-1", "https://ecs.eu-west-1.amazonaws.com", "eu-west-1"}),
    [](const ::testing::TestParamInfo<EndpointCase>& param) {
      std::string name = param.param.service + "_" + param.param.region;
      std::replace(name.begin(), name.end(), '-', '_');
      return name;
    });

TEST(EndpointOverrides, ServiceVariableWinsOverGlobalVariable) {
  const Env env = util::map_env({{"AWS_ENDPOINT_URL", "http://global:1"}, {"AWS_ENDPOINT_URL_STS", "http://sts-only:2/"}});
  EXPECT_EQ(resolve_endpoint("sts", "us-east-1", env)->url, "http://sts-only:2");
  EXPECT_EQ(resolve_endpoint("ecr", "us-east-1", env)->url, "http://global:1");
  EXPECT_TRUE(resolve_endpoint("ecr", "us-east-1", env)->overridden);
}

// The SDKs' variable for service id "ECR PUBLIC" is AWS_ENDPOINT_URL_ECR_PUBLIC.
TEST(EndpointOverrides, EcrPublicVariableIsNamedAfterItsServiceId) {
  const Env env = util::map_env({{"AWS_ENDPOINT_URL", "http://global:1"}, {"AWS_ENDPOINT_URL_ECR_PUBLIC", "http://pub:2"}});
  EXPECT_EQ(resolve_endpoint("ecr-public", "us-east-1", env)->url, "http://pub:2");
  EXPECT_EQ(resolve_endpoint("ecr", "us-east-1", env)->url, "http://global:1");
}

TEST(EndpointOverrides, ExplicitUrlWinsOverEnvironment) {
  const Env env = util::map_env({{"AWS_ENDPOINT_URL_ECR", "http://env:1"}});
  EXPECT_EQ(resolve_endpoint("ecr", "us-east-1", env, "https://flag:3")->url, "https://flag:3");
}

TEST(EndpointOverrides, IgnoreConfiguredEndpointUrlsDisablesVariables) {
  const Env env = util::map_env({{"AWS_ENDPOINT_URL", "http://global:1"}, {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}});
  EXPECT_EQ(resolve_endpoint("sts", "us-east-1", env)->url, "https://sts.us-east-1.amazonaws.com");
}

TEST(EndpointOverrides, OverriddenIamSignsWithTheConfiguredRegionLikeBotocore) {
  const Env env = util::map_env({{"AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:5000"}});
  EXPECT_EQ(resolve_endpoint("iam", "ap-northeast-1", env)->signing_region, "ap-northeast-1");
}

TEST(EndpointOverrides, RejectsNonHttpUrl) {
  auto endpoint = resolve_endpoint("sts", "us-east-1", util::map_env({{"AWS_ENDPOINT_URL", "ftp://x"}}));
  ASSERT_FALSE(endpoint.has_value());
  EXPECT_EQ(endpoint.error().message, "endpoint URL 'ftp://x' must start with http:// or https://");
}

TEST(Regions, InvalidRegionIsRejectedBeforeBuildingAHostName) {
  auto endpoint = resolve_endpoint("sts", "evil.com/", util::map_env({}));
  ASSERT_FALSE(endpoint.has_value());
  EXPECT_EQ(endpoint.error().kind, util::ErrorKind::kInvalidInput);
  EXPECT_EQ(endpoint.error().message, "invalid AWS region 'evil.com/' (expected e.g. ap-northeast-1)");
}

TEST(Regions, PartitionDecidesOidcAudienceAndRegistryHost) {
  EXPECT_EQ(partition_of("cn-north-1").oidc_audience, "sts.amazonaws.com.cn");
  EXPECT_EQ(partition_of("ap-northeast-1").oidc_audience, "sts.amazonaws.com");
  EXPECT_EQ(ecr_registry_host("123456789012", "ap-northeast-1"), "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com");
  EXPECT_EQ(ecr_registry_host("123456789012", "cn-north-1"), "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn");
}

}  // namespace
}  // namespace eem::aws
