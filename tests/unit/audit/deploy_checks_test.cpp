// The audit of shipctl deploy's grants and roles (issue 14): AUD007,
// AUD008 on the workflow role's policies, AUD060, AUD061 on the ECS
// Express roles, and that the generated ShipctlExpressDeploy passes them and
// AUD005.
#include "audit/deploy_checks.h"

#include <gtest/gtest.h>

#include "audit/policy_checks.h"
#include "aws/permissions.h"
#include "iam/policy_parser.h"

namespace eem::audit {
namespace {

constexpr const char* kExec = "arn:aws:iam::123456789012:role/ShipctlExpressExecutionRole";
constexpr const char* kInfra = "arn:aws:iam::123456789012:role/ShipctlExpressInfrastructureRole";
const DeployRoles kRoles{"web", "default", "ShipctlExpressExecutionRole", "ShipctlExpressInfrastructureRole"};

std::vector<Finding> grants(const std::string& document) {
  return check_deploy_grants(kRoles, "GitHubActionsECRRole", "inline policy p", *iam::parse_policy(document));
}

std::string generated() {
  return aws::deploy_policy_document("aws", "ap-northeast-1", "123456789012", "default", "web", kExec, kInfra);
}

std::string trust(const std::string& principal) {
  return R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": )" + principal +
         R"(, "Action": "sts:AssumeRole"}]})";
}

TEST(DeployChecks, TheGeneratedPolicyHasNoFindingNotEvenAud005) {
  EXPECT_TRUE(grants(generated()).empty());
  EXPECT_TRUE(grants_ecs(*iam::parse_policy(generated())));
  const RoleContext role{"GitHubActionsECRRole", "arn:aws:ecr:ap-northeast-1:123456789012:repository/r", {kExec, kInfra}};
  auto findings = check_permission_policy(role, "inline policy ShipctlExpressDeploy", generated());
  ASSERT_TRUE(findings.has_value());
  EXPECT_TRUE(findings->empty()) << findings->front().id << " " << findings->front().evidence.front();
}

TEST(DeployChecks, EcsWildcardsAndWritesOnEveryServiceAreHighAud007) {
  const auto findings = grants(R"({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["ecs:*", "ecs:UpdateExpressGatewayService"], "Resource": "*"},
    {"Effect": "Allow", "Action": "ecs:DescribeExpressGatewayService", "Resource": "*"}]})");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "AUD007");
  EXPECT_EQ(findings[0].severity, Severity::kHigh);
  EXPECT_EQ(findings[0].evidence,
            (std::vector<std::string>{
                "inline policy p: $.Statement[0]: ecs:* (every ECS action matching it)",
                "inline policy p: $.Statement[0]: ecs:UpdateExpressGatewayService on Resource \"*\" (every service of the account)",
                "inline policy p: $.Statement[1]: ecs:DescribeExpressGatewayService on Resource \"*\" (every service of the account)"}));
  EXPECT_EQ(findings[0].fix, "grant the deploy actions on the one service's ARNs instead (ShipctlExpressDeploy): "
                             "shipctl bootstrap --role-name GitHubActionsECRRole --deploy web --apply");
}

TEST(DeployChecks, ReadsOnEveryServiceAreMediumAud007) {
  const auto findings = grants(R"({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["ecs:ListServiceDeployments", "ecs:ListClusters"], "Resource": "*"}]})");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, Severity::kMedium);
  EXPECT_EQ(findings[0].evidence.size(), 1u) << "ecs:ListClusters takes no resource: \"*\" is its only form";
}

TEST(DeployChecks, PassRoleOnEveryRoleIsAud008EvenWithACondition) {
  const auto findings = grants(R"({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
     "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
    {"Effect": "Allow", "Action": "iam:Pass*", "Resource": "arn:aws:iam::123456789012:role/ecs*"},
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/ShipctlExpressExecutionRole"},
    {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}]})");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "AUD008");
  EXPECT_EQ(findings[0].severity, Severity::kHigh);
  EXPECT_EQ(findings[0].evidence,
            (std::vector<std::string>{"inline policy p: $.Statement[0]: iam:PassRole on *",
                                      "inline policy p: $.Statement[1]: iam:PassRole on arn:aws:iam::123456789012:role/ecs*"}));
}

TEST(DeployChecks, AdministratorAccessIsLeftToAud001) {
  EXPECT_TRUE(grants(R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})").empty());
}

TEST(DeployChecks, PassRoleOnAnotherExactRoleIsAud005) {
  const RoleContext role{"GitHubActionsECRRole", "", {kExec, kInfra}};
  auto findings = check_permission_policy(role, "inline policy p", R"({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/Admin"}]})");
  ASSERT_TRUE(findings.has_value());
  ASSERT_EQ(findings->size(), 1u);
  EXPECT_EQ((*findings)[0].id, "AUD005");
}

TEST(DeployChecks, AServiceRoleTrustingItsServiceOnlyPasses) {
  EXPECT_TRUE(check_service_role(kRoles, "ShipctlExpressExecutionRole", "ecs-tasks.amazonaws.com",
                                 trust(R"({"Service": "ecs-tasks.amazonaws.com"})"))
                  .empty());
}

TEST(DeployChecks, AnotherPrincipalIsAud051) {
  const auto findings = check_service_role(kRoles, "ShipctlExpressExecutionRole", "ecs-tasks.amazonaws.com",
                                           trust(R"({"Service": ["ecs-tasks.amazonaws.com", "ec2.amazonaws.com"], "AWS": "*"})"));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "AUD061");
  EXPECT_EQ(findings[0].severity, Severity::kHigh);
  EXPECT_EQ(findings[0].resource, "ShipctlExpressExecutionRole");
  EXPECT_EQ(findings[0].evidence, (std::vector<std::string>{"trust policy $.Statement[0]: AWS *",
                                                            "trust policy $.Statement[0]: Service ec2.amazonaws.com"}));
  EXPECT_EQ(findings[0].fix, "trust only the service ecs-tasks.amazonaws.com: shipctl bootstrap --deploy web --apply repairs it");
}

TEST(DeployChecks, TheWrongServiceIsAud051NamingTheMissingOne) {
  const auto findings = check_service_role(kRoles, "ShipctlExpressInfrastructureRole", "ecs.amazonaws.com",
                                           trust(R"({"Service": "ecs-tasks.amazonaws.com"})"));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].evidence,
            (std::vector<std::string>{"trust policy $.Statement[0]: Service ecs-tasks.amazonaws.com",
                                      "trust policy: ecs.amazonaws.com is not admitted (it assumes the role)"}));
}

TEST(DeployChecks, AMissingRoleIsAud050NamingBootstrap) {
  const auto findings = check_service_role(kRoles, "ShipctlExpressInfrastructureRole", "ecs.amazonaws.com", std::nullopt);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "AUD060");
  EXPECT_EQ(findings[0].evidence, std::vector<std::string>{
                                      "IAM GetRole: no role named ShipctlExpressInfrastructureRole (it must trust ecs.amazonaws.com)"});
  EXPECT_EQ(findings[0].fix, "shipctl bootstrap --deploy web --apply creates it");
}

}  // namespace
}  // namespace eem::audit
