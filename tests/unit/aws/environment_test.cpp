#include "aws/environment.h"

#include <gtest/gtest.h>

#include "aws/credentials.h"
#include "aws/profiles.h"
#include "util/env.h"

namespace eem::aws {
namespace {

TEST(Env, EmptyValueReadsAsUnsetAtTheAwsBoundaryOnly) {
  const util::EnvLookup raw = util::map_env({{"AWS_REGION", ""}, {"PORT", ""}});
  EXPECT_EQ(raw("PORT"), std::optional<std::string>(""));  // the seam keeps the value
  const Env env = raw;
  EXPECT_EQ(env("AWS_REGION"), std::nullopt);
  EXPECT_EQ(env("PORT"), std::nullopt);
  EXPECT_EQ(env("MISSING"), std::nullopt);
}

TEST(Env, NonEmptyValuesPassThrough) {
  const Env env = util::map_env({{"AWS_REGION", "eu-west-1"}});
  EXPECT_EQ(env("AWS_REGION"), std::optional<std::string>("eu-west-1"));
}

TEST(Env, EmptyAwsRegionFallsBackToTheNextSourceAsTheSdksDo) {
  auto region = resolve_region(util::map_env({{"AWS_REGION", ""}, {"AWS_DEFAULT_REGION", "eu-central-1"},
                                              {"AWS_CONFIG_FILE", "/nonexistent/config"}}));
  ASSERT_TRUE(region.has_value()) << region.error().message;
  EXPECT_EQ(*region, "eu-central-1");
}

TEST(Env, EmptyStaticKeysAreNoCredentials) {
  CredentialContext context;
  context.env = util::map_env({{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", ""},
                               {"AWS_CONFIG_FILE", "/nonexistent/config"},
                               {"AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"},
                               {"AWS_EC2_METADATA_DISABLED", "true"}});
  auto chain = default_credentials(context);
  ASSERT_FALSE(chain.has_value());
  EXPECT_TRUE(chain.error().message.starts_with("no AWS credentials found")) << chain.error().message;
}

}  // namespace
}  // namespace eem::aws
