#include "audit/policy_checks.h"

#include <gtest/gtest.h>

#include "aws/permissions.h"

namespace eem::audit {
namespace {

const RoleContext kRole{"GitHubActionsECRRole",
                        "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api"};

// The seed's trust policy (section 1.2), placeholders filled in.
constexpr const char* kSeedTrust = R"({
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/ecs-express-mode-api:ref:refs/heads/main"}
    }
  }]
})";

// The seed's "custom policy" (section 1.3): the push actions on Resource "*".
constexpr const char* kSeedCustom = R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Action": ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
             "ecr:BatchGetImage", "ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
             "ecr:CompleteLayerUpload"],
  "Resource": "*"}]})";

constexpr const char* kLeastPrivilege = R"({"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
  {"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
   "ecr:CompleteLayerUpload", "ecr:PutImage"],
   "Resource": "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api"}]})";

std::vector<Finding> permission(const char* document) {
  auto findings = check_permission_policy(kRole, "inline policy p", document);
  EXPECT_TRUE(findings.has_value());
  return findings ? *findings : std::vector<Finding>{};
}

TEST(PolicyChecks, TheSeedsPowerUserAttachmentIsFlagged) {
  const auto finding =
      check_known_managed_policy(kRole, "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser");
  ASSERT_TRUE(finding.has_value());
  EXPECT_EQ(finding->id, "AUD002");
  EXPECT_EQ(finding->severity, Severity::kHigh);
  EXPECT_EQ(finding->evidence[0],
            "attached: arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser (grants push and pull on every "
            "repository of the account (Resource \"*\"), beyond the one repository the workflow pushes to)");
  EXPECT_NE(finding->fix.find("arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api"), std::string::npos);
}

TEST(PolicyChecks, AdministratorAccessIsCritical) {
  const auto finding = check_known_managed_policy(kRole, "arn:aws:iam::aws:policy/AdministratorAccess");
  ASSERT_TRUE(finding.has_value());
  EXPECT_EQ(finding->id, "AUD001");
  EXPECT_EQ(finding->severity, Severity::kCritical);
}

TEST(PolicyChecks, CustomerPoliciesWithAKnownNameAreNotJudgedByName) {
  EXPECT_FALSE(check_known_managed_policy(kRole, "arn:aws:iam::123456789012:policy/AdministratorAccess"));
  EXPECT_FALSE(check_known_managed_policy(kRole, "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"));
}

TEST(PolicyChecks, TheSeedsCustomPolicyGrantsPushOnEveryRepository) {
  const auto findings = permission(kSeedCustom);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].id, "AUD004");
  EXPECT_EQ(findings[0].evidence,
            std::vector<std::string>{"inline policy p: [IAM005] $.Statement[0].Resource: ECR repository actions are "
                                     "granted on every repository (Resource \"*\")"});
  // Pulling layers: no workflow command downloads a blob.
  EXPECT_EQ(findings[1].id, "AUD005");
  EXPECT_EQ(findings[1].severity, Severity::kLow);
  EXPECT_EQ(findings[1].evidence, std::vector<std::string>{"inline policy p: $.Statement[0]: ecr:GetDownloadUrlForLayer"});
}

TEST(PolicyChecks, ActionsBeyondTheTableAreAud005BySeverity) {
  const auto findings = permission(R"({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
    {"Effect": "Allow", "Action": ["ecr:PutImage", "ECR:DeleteRepository", "ecr:SetRepositoryPolicy", "ecr:TagResource",
     "ecr:ListImages", "ecr:PutLifecyclePolicy", "ecr:describeimages"],
     "Resource": "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api"},
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/x"},
    {"Effect": "Deny", "Action": "ecr:BatchDeleteImage", "Resource": "*"}]})");
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(findings[0].id, "AUD005");
  EXPECT_EQ(findings[0].severity, Severity::kHigh);
  EXPECT_EQ(findings[0].evidence, (std::vector<std::string>{"inline policy p: $.Statement[1]: ECR:DeleteRepository",
                                                            "inline policy p: $.Statement[1]: ecr:SetRepositoryPolicy",
                                                            "inline policy p: $.Statement[1]: ecr:PutLifecyclePolicy",
                                                            "inline policy p: $.Statement[2]: iam:PassRole"}));
  EXPECT_EQ(findings[1].severity, Severity::kMedium);
  EXPECT_EQ(findings[1].evidence, std::vector<std::string>{"inline policy p: $.Statement[1]: ecr:TagResource"});
  EXPECT_EQ(findings[2].severity, Severity::kLow);
  EXPECT_EQ(findings[2].evidence, std::vector<std::string>{"inline policy p: $.Statement[1]: ecr:ListImages"});
  EXPECT_NE(findings[0].fix.find("remove them from inline policy p; replace it with an inline policy allowing what the "
                                 "workflow calls (ecr:GetAuthorizationToken on \"*\" and ecr:BatchCheckLayerAvailability, "),
            std::string::npos)
      << findings[0].fix;
}

// The statement `shipctl policy role --public` prints for login --public is
// opt-in, not excess: a role granted it on purpose gets no AUD005.
TEST(PolicyChecks, LoginPublicsOptInActionsAreNotBeyondTheTable) {
  const auto findings = permission(R"({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
    {"Effect": "Allow", "Action": ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"], "Resource": "*"},
    {"Effect": "Allow", "Action": ["ecr:PutImage"],
     "Resource": "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api"}]})");
  EXPECT_TRUE(findings.empty()) << findings.size() << ": " << (findings.empty() ? "" : findings[0].evidence[0]);
}

TEST(PolicyChecks, ExcessSeverityFollowsWhatTheActionCanChange) {
  EXPECT_EQ(excess_severity("ecr:BatchDeleteImage"), Severity::kHigh);
  EXPECT_EQ(excess_severity("ecr:DeleteRepositoryPolicy"), Severity::kHigh);
  EXPECT_EQ(excess_severity("ecr:PutRegistryPolicy"), Severity::kHigh);
  EXPECT_EQ(excess_severity("ecr:PutImageTagMutability"), Severity::kMedium);
  EXPECT_EQ(excess_severity("sts:AssumeRole"), Severity::kHigh);
  EXPECT_EQ(excess_severity("s3:GetObject"), Severity::kLow);
}

TEST(PolicyChecks, TheTablesOwnPolicyHasNoExcess) {
  EXPECT_TRUE(permission(aws::workflow_policy({kRole.repository_arn, "", ""}).c_str()).empty());
}

TEST(PolicyChecks, ServiceWildcardIsAud003WithTheLinterRule) {
  const auto findings = permission(R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*",
    "Resource": "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api"}]})");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "AUD003");
  EXPECT_EQ(findings[0].evidence[0], "inline policy p: [IAM004] $.Statement[0].Action: action \"ecr:*\" grants every action of ecr");
}

TEST(PolicyChecks, NotActionIsAud003) {
  const auto findings = permission(R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}]})");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "AUD003");
  EXPECT_NE(findings[0].evidence[0].find("[IAM003]"), std::string::npos);
}

TEST(PolicyChecks, StarOnStarIsAdministratorAccess) {
  const auto findings = permission(R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "AUD001");
  EXPECT_EQ(findings[0].severity, Severity::kCritical);
}

TEST(PolicyChecks, LeastPrivilegePasses) { EXPECT_TRUE(permission(kLeastPrivilege).empty()); }

TEST(PolicyChecks, UnparsablePolicyIsAnErrorNamingItsSource) {
  auto findings = check_permission_policy(kRole, "inline policy p", "{");
  ASSERT_FALSE(findings.has_value());
  EXPECT_TRUE(findings.error().message.starts_with("inline policy p: ")) << findings.error().message;
}

TEST(TrustChecks, TheSeedsTrustPolicyRestrictsTheBranch) {
  auto findings = check_trust_policy(kRole, kSeedTrust);
  ASSERT_TRUE(findings.has_value());
  EXPECT_TRUE(findings->empty());
}

TEST(TrustChecks, EveryRefAdmittedIsMediumWithTheLinterRuleIds) {
  std::string policy = kSeedTrust;
  policy.replace(policy.find(":ref:refs/heads/main"), 20, ":*");
  auto findings = check_trust_policy(kRole, policy);
  ASSERT_TRUE(findings.has_value());
  ASSERT_EQ(findings->size(), 2u);
  const std::string path = "$.Statement[0].Condition.StringLike[\"token.actions.githubusercontent.com:sub\"]";
  EXPECT_EQ((*findings)[0].id, "AUD006");
  EXPECT_EQ((*findings)[0].severity, Severity::kMedium);
  EXPECT_EQ((*findings)[0].evidence[0],
            "trust policy: [GHA004] " + path +
                ": sub \"repo:octo-org/ecs-express-mode-api:*\" admits every branch, tag, pull request and environment of the repository");
  EXPECT_EQ((*findings)[1].severity, Severity::kMedium);
  EXPECT_EQ((*findings)[1].evidence[0],
            "trust policy: [GHA009] " + path +
                ": sub \"repo:octo-org/ecs-express-mode-api:*\" admits pull requests: code from a pull request can assume the role");
}

TEST(TrustChecks, NoSubConditionIsCritical) {
  auto findings = check_trust_policy(kRole, R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}]})");
  ASSERT_TRUE(findings.has_value());
  ASSERT_EQ(findings->size(), 1u);
  EXPECT_EQ((*findings)[0].severity, Severity::kCritical);
  EXPECT_NE((*findings)[0].evidence[0].find("[GHA001]"), std::string::npos);
}

}  // namespace
}  // namespace eem::audit
