#include "doctor/permissions.h"

#include <gtest/gtest.h>

namespace eem::doctor {
namespace {

constexpr const char* kRole = "arn:aws:iam::123456789012:role/GitHubActionsECRRole";
constexpr const char* kRepo = "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api";
const aws::ResourceArns kArns{kRepo, kRole, ""};

const ActionVerdict& verdict_of(const WorkflowPermissions& result, std::string_view action) {
  for (const auto& v : result.verdicts) {
    if (v.action == action) return v;
  }
  throw std::out_of_range(std::string(action));
}

TEST(WorkflowPermissions, TheTablesPolicyAllowsEveryWorkflowAction) {
  const auto result = evaluate_workflow_permissions({{"inline policy ShipctlEcrPush", aws::workflow_policy(kArns)}},
                                                    kRole, kArns);
  EXPECT_TRUE(result.allowed());
  ASSERT_EQ(result.verdicts.size(), aws::workflow_permissions().size());
  EXPECT_EQ(result.verdicts[0].action, "ecr:GetAuthorizationToken");
  EXPECT_EQ(result.verdicts[0].resource, "*");
  EXPECT_EQ(result.verdicts[0].commands, "shipctl login, shipctl push");
  const auto& describe = verdict_of(result, "ecr:DescribeImages");
  EXPECT_EQ(describe.resource, kRepo);
  EXPECT_EQ(describe.commands, "shipctl verify");
  EXPECT_EQ(describe.decided_by, "inline policy ShipctlEcrPush");
}

TEST(WorkflowPermissions, AnOlderPushOnlyPolicyMissesVerifysActions) {
  const std::string old = R"({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
    {"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
     "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
     "Resource": "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api"}]})";
  const auto result = evaluate_workflow_permissions({{"inline policy ShipctlEcrPush", old}}, kRole, kArns);
  EXPECT_FALSE(result.allowed());
  std::vector<std::string> refused;
  for (const auto& v : result.verdicts) {
    if (v.decision != iam::Decision::kAllow) refused.push_back(v.action + " (" + v.commands + ")");
  }
  EXPECT_EQ(refused, (std::vector<std::string>{"ecr:DescribeRepositories (shipctl verify)",
                                               "ecr:DescribeImages (shipctl verify)"}));
}

TEST(WorkflowPermissions, APolicyForAnotherRepositoryLeavesOnlyTheTokenAllowed) {
  aws::ResourceArns other = kArns;
  other.repository = "arn:aws:ecr:ap-northeast-1:123456789012:repository/other";
  const auto result = evaluate_workflow_permissions({{"inline policy ShipctlEcrPush", aws::workflow_policy(other)}},
                                                    kRole, kArns);
  EXPECT_FALSE(result.allowed());
  EXPECT_EQ(result.verdicts[0].decision, iam::Decision::kAllow);
  for (std::size_t i = 1; i < result.verdicts.size(); ++i) {
    EXPECT_EQ(result.verdicts[i].decision, iam::Decision::kImplicitDeny) << result.verdicts[i].action;
  }
}

TEST(WorkflowPermissions, AnExplicitDenyInAnyPolicyWins) {
  const std::string deny = R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ecr:PutImage","Resource":"*"}]})";
  const auto result = evaluate_workflow_permissions({{"a", aws::workflow_policy(kArns)}, {"b", deny}}, kRole, kArns);
  EXPECT_FALSE(result.allowed());
  EXPECT_EQ(verdict_of(result, "ecr:PutImage").decision, iam::Decision::kExplicitDeny);
  EXPECT_EQ(verdict_of(result, "ecr:PutImage").decided_by, "b");
}

TEST(WorkflowPermissions, UnparsablePoliciesAreReported) {
  const auto result = evaluate_workflow_permissions({{"inline policy broken", "{"}}, kRole, kArns);
  ASSERT_EQ(result.unreadable.size(), 1u);
  EXPECT_TRUE(result.unreadable[0].starts_with("inline policy broken: ")) << result.unreadable[0];
  EXPECT_FALSE(result.allowed());
}

TEST(WorkflowPermissions, AnUnreadablePolicyMakesTheVerdictInconclusiveUnlessAReadableOneDenies) {
  const std::string deny = R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ecr:PutImage","Resource":"*"}]})";
  EXPECT_TRUE(evaluate_workflow_permissions({{"a", aws::workflow_policy(kArns)}}, kRole, kArns).conclusive());
  // Everything allowed, but the unreadable policy may deny some of it.
  const auto allowed = evaluate_workflow_permissions({{"a", aws::workflow_policy(kArns)}, {"b", "{"}}, kRole, kArns);
  EXPECT_TRUE(allowed.allowed());
  EXPECT_FALSE(allowed.conclusive());
  // Nothing allowed, but the unreadable policy may allow it.
  EXPECT_FALSE(evaluate_workflow_permissions({{"b", "{"}}, kRole, kArns).conclusive());
  // An explicit Deny stands whatever the unreadable policy says.
  EXPECT_TRUE(
      evaluate_workflow_permissions({{"a", aws::workflow_policy(kArns)}, {"b", "{"}, {"d", deny}}, kRole, kArns)
          .conclusive());
}

}  // namespace
}  // namespace eem::doctor
