#include "iam/arn.h"

#include <gtest/gtest.h>

namespace eem::iam {
namespace {

TEST(Arn, SplitsTheFiveFieldsAndKeepsTheResourceWhole) {
  const auto log = Arn::parse("arn:aws:logs:us-east-1:123456789012:log-group:app:*");
  ASSERT_TRUE(log.has_value());
  EXPECT_EQ(log->partition, "aws");
  EXPECT_EQ(log->service, "logs");
  EXPECT_EQ(log->region, "us-east-1");
  EXPECT_EQ(log->account, "123456789012");
  EXPECT_EQ(log->resource, "log-group:app:*");
  EXPECT_EQ(log->str(), "arn:aws:logs:us-east-1:123456789012:log-group:app:*");
  const auto ecr = Arn::parse("arn:aws-cn:ecr:cn-north-1:123456789012:repository/team/app");
  EXPECT_EQ(ecr->partition, "aws-cn");
  EXPECT_EQ(ecr->resource, "repository/team/app");
  EXPECT_EQ(Arn::parse("arn:aws:iam::aws:policy/AdministratorAccess")->account, "aws");
  for (const char* bad : {"", "arn", "arn:aws:iam::123456789012", "urn:aws:iam::123456789012:role/x",
                          "arn:gcp:iam::123456789012:role/x", "arn:aws::us-east-1:123456789012:x"}) {
    EXPECT_FALSE(Arn::parse(bad).has_value()) << bad;
  }
}

TEST(Arn, AccountIdsAreTwelveDigits) {
  EXPECT_TRUE(is_account_id("123456789012"));
  EXPECT_FALSE(is_account_id("12345678901"));
  EXPECT_FALSE(is_account_id("1234567890123"));
  EXPECT_FALSE(is_account_id("12345678901a"));
  EXPECT_FALSE(is_account_id(""));
}

TEST(Arn, RoleArnsAsStsAcceptsThem) {
  const auto role = parse_role_arn("arn:aws:iam::123456789012:role/ci/GitHubActionsECRRole");
  ASSERT_TRUE(role.has_value());
  EXPECT_EQ(role->account, "123456789012");
  EXPECT_EQ(role_name(*role), "GitHubActionsECRRole");
  EXPECT_EQ(role_name(*parse_role_arn("arn:aws-us-gov:iam::123456789012:role/x")), "x");
  for (const char* bad : {"arn:aws:iam::123456789012:role/", "arn:aws:iam::123456789012:role/a/",
                          "arn:aws:iam::12345678901:role/x", "arn:aws:iam:us-east-1:123456789012:role/x",
                          "arn:aws:iam::123456789012:user/x", "arn:aws:sts::123456789012:role/x",
                          "arn:aws:iam::123456789012:role/x:y", "arn:aws:iam:123456789012:role/x"}) {
    EXPECT_FALSE(parse_role_arn(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace eem::iam
