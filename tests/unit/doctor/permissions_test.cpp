#include "doctor/permissions.h"

#include <gtest/gtest.h>

namespace eem::doctor {
namespace {

constexpr const char* kRole = "arn:aws:iam::123456789012:role/GitHubActionsECRRole";
constexpr const char* kRepo = "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api";

TEST(PushPermissions, TheLeastPrivilegePolicyAllowsEveryPushAction) {
  const auto result = evaluate_push_permissions({{"inline policy ecr-push", push_policy(kRepo)}}, kRole, kRepo);
  EXPECT_TRUE(result.allowed());
  ASSERT_EQ(result.verdicts.size(), 6u);
  EXPECT_EQ(result.verdicts[0].action, "ecr:GetAuthorizationToken");
  EXPECT_EQ(result.verdicts[0].resource, "*");
  EXPECT_EQ(result.verdicts[5].action, "ecr:PutImage");
  EXPECT_EQ(result.verdicts[5].decided_by, "inline policy ecr-push");
}

TEST(PushPermissions, APolicyForAnotherRepositoryLeavesOnlyTheTokenAllowed) {
  const std::string other = push_policy("arn:aws:ecr:ap-northeast-1:123456789012:repository/other");
  const auto result = evaluate_push_permissions({{"inline policy ecr-push", other}}, kRole, kRepo);
  EXPECT_FALSE(result.allowed());
  EXPECT_EQ(result.verdicts[0].decision, iam::Decision::kAllow);
  for (std::size_t i = 1; i < result.verdicts.size(); ++i) {
    EXPECT_EQ(result.verdicts[i].decision, iam::Decision::kImplicitDeny) << result.verdicts[i].action;
  }
}

TEST(PushPermissions, AnExplicitDenyInAnyPolicyWins) {
  const std::string deny = R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ecr:PutImage","Resource":"*"}]})";
  const auto result = evaluate_push_permissions({{"a", push_policy(kRepo)}, {"b", deny}}, kRole, kRepo);
  EXPECT_FALSE(result.allowed());
  EXPECT_EQ(result.verdicts[5].decision, iam::Decision::kExplicitDeny);
  EXPECT_EQ(result.verdicts[5].decided_by, "b");
}

TEST(PushPermissions, UnparsablePoliciesAreReported) {
  const auto result = evaluate_push_permissions({{"inline policy broken", "{"}}, kRole, kRepo);
  ASSERT_EQ(result.unreadable.size(), 1u);
  EXPECT_TRUE(result.unreadable[0].starts_with("inline policy broken: ")) << result.unreadable[0];
  EXPECT_FALSE(result.allowed());
}

}  // namespace
}  // namespace eem::doctor
