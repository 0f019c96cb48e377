#include "aws/sts.h"

#include <gtest/gtest.h>

namespace eem::aws {
namespace {

TEST(StsValidation, SessionNameAllowsTwoToSixtyFourOfTheDocumentedCharacters) {
  EXPECT_TRUE(validate_role_session_name("GitHubActions").has_value());
  EXPECT_TRUE(validate_role_session_name("a+=,.@-_9").has_value());
  EXPECT_TRUE(validate_role_session_name(std::string(64, 'x')).has_value());
  EXPECT_FALSE(validate_role_session_name("a").has_value());
  EXPECT_FALSE(validate_role_session_name(std::string(65, 'x')).has_value());
  auto bad = validate_role_session_name("has space");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message,
            "invalid role session name 'has space': use 2 to 64 characters of letters, digits and _+=,.@-");
}

TEST(StsValidation, DurationMustBeBetween900And43200) {
  EXPECT_TRUE(validate_duration_seconds(900).has_value());
  EXPECT_TRUE(validate_duration_seconds(43200).has_value());
  EXPECT_FALSE(validate_duration_seconds(899).has_value());
  auto bad = validate_duration_seconds(43201);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message, "invalid session duration 43201 s: must be between 900 (15 minutes) and 43200 (12 hours)");
}

TEST(StsValidation, RoleArnMustBeAnIamRoleWithATwelveDigitAccount) {
  for (const char* good : {"arn:aws:iam::123456789012:role/GitHubActionsECRRole", "arn:aws-cn:iam::123456789012:role/x",
                           "arn:aws-us-gov:iam::123456789012:role/path/to/deploy"}) {
    EXPECT_TRUE(validate_role_arn(good).has_value()) << good;
  }
  for (const char* bad : {"GitHubActionsECRRole", "arn:aws:iam::12345:role/r", "arn:aws:iam:123456789012:role/r",
                          "arn:aws:iam::123456789012:user/deploy", "arn:aws:sts::123456789012:role/r",
                          "arn:aws:iam:us-east-1:123456789012:role/r", "arn:aws:iam::123456789012:role/",
                          "arn:aws:iam::123456789012:role/path/", "arn:aws:iam::12345678901x:role/r", ""}) {
    auto refused = validate_role_arn(bad);
    ASSERT_FALSE(refused.has_value()) << bad;
    EXPECT_EQ(refused.error().kind, util::ErrorKind::kInvalidInput);
    EXPECT_EQ(refused.error().message,
              "invalid role ARN '" + std::string(bad) + "' (expected arn:aws:iam::<account-id>:role/<name>)");
  }
}

// Invalid input never reaches the network: the client below has no server.
TEST(StsValidation, AssumeRoleWithWebIdentityValidatesBeforeCalling) {
  auto http = net::make_curl_client();
  ClientConfig config;
  config.http = http.get();
  config.region = "us-east-1";
  config.endpoint_url = "http://127.0.0.1:1";
  config.env = map_env({});
  StsClient sts(*ServiceClient::create(kSts, std::move(config)));
  auto result = sts.assume_role_with_web_identity({"arn:aws:iam::123456789012:role/r", "x", "token", std::nullopt});
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, util::ErrorKind::kInvalidInput);
  EXPECT_EQ(sts.service_client().last_attempts(), 0);
  auto arn = sts.assume_role_with_web_identity({"role/r", "session", "token", std::nullopt});
  ASSERT_FALSE(arn.has_value());
  EXPECT_EQ(arn.error().describe(),
            "STS AssumeRoleWithWebIdentity: invalid role ARN 'role/r' (expected arn:aws:iam::<account-id>:role/<name>)");
}

}  // namespace
}  // namespace eem::aws
