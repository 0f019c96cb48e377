#include "aws/permissions.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

namespace eem::aws {
namespace {

using nlohmann::json;

constexpr const char* kRepo = "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api";

std::vector<std::string> workflow_actions(std::string_view command) {
  std::vector<std::string> out;
  for (const auto& p : permission_table()) {
    if (p.command == command && p.grant == Grant::kIdentityPolicy) out.emplace_back(p.action);
  }
  return out;
}

TEST(Permissions, EachWorkflowCommandNeedsExactlyWhatItCalls) {
  EXPECT_EQ(workflow_actions("credentials"), std::vector<std::string>{});
  EXPECT_EQ(workflow_actions("login"), (std::vector<std::string>{"ecr:GetAuthorizationToken",
                                                                 "ecr-public:GetAuthorizationToken",
                                                                 "sts:GetServiceBearerToken"}));
  EXPECT_EQ(workflow_actions("push"),
            (std::vector<std::string>{"ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability",
                                      "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
                                      "ecr:PutImage", "ecr:BatchGetImage", "ecr:DescribeRepositories"}));
  EXPECT_EQ(workflow_actions("verify"), (std::vector<std::string>{"ecr:DescribeRepositories", "ecr:DescribeImages"}));
}

TEST(Permissions, AssumeRoleIsTheTrustPolicysAndGetCallerIdentityNeedsNothing) {
  for (const auto& p : permission_table()) {
    if (p.action == "sts:AssumeRoleWithWebIdentity") {
      EXPECT_EQ(p.grant, Grant::kTrustPolicy);
    }
    if (p.action == "sts:GetCallerIdentity") {
      EXPECT_EQ(p.grant, Grant::kNone) << p.command;
    }
  }
}

TEST(Permissions, TheWorkflowPolicyIsTheTokenOnStarAndTheRestOnTheRepository) {
  const json policy = json::parse(workflow_policy({kRepo, "", ""}));
  const json expected = json::parse(R"({"Version": "2012-10-17", "Statement": [
    {"Sid": "GetAuthorizationToken", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
    {"Sid": "PushAndVerifyThisRepository", "Effect": "Allow",
     "Action": ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
                "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage", "ecr:DescribeRepositories",
                "ecr:DescribeImages"],
     "Resource": "arn:aws:ecr:ap-northeast-1:123456789012:repository/ecs-express-mode-api"}]})");
  EXPECT_EQ(policy, expected);
}

// login --public's two actions (ECR Public API reference, GetAuthorizationToken)
// are opt-in: a workflow that pushes to private ECR never gets them from
// bootstrap; `policy role --public` adds them in a statement of their own.
TEST(Permissions, EcrPublicLoginIsOptInAndOnlyThere) {
  std::vector<std::string> opt_in;
  for (const auto& p : opt_in_permissions()) {
    EXPECT_EQ(p.command, "login");
    EXPECT_EQ(p.resource, ResourceKind::kAny);
    opt_in.emplace_back(p.action);
  }
  EXPECT_EQ(opt_in, (std::vector<std::string>{"ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"}));
  for (const auto& p : workflow_permissions()) EXPECT_NE(p.need, Need::kOptIn) << p.action;
  EXPECT_EQ(workflow_policy({kRepo, "", ""}).find("ecr-public"), std::string::npos);
  EXPECT_EQ(commands_needing("sts:GetServiceBearerToken", ResourceKind::kAny), "");

  json with = json::parse(workflow_policy({kRepo, "", ""}, EcrPublicLogin::kInclude));
  const json without = json::parse(workflow_policy({kRepo, "", ""}));
  ASSERT_EQ(with["Statement"].size(), without["Statement"].size() + 1);
  EXPECT_EQ(with["Statement"].back(), json::parse(R"({"Sid": "LoginToEcrPublic", "Effect": "Allow",
    "Action": ["ecr-public:GetAuthorizationToken", "sts:GetServiceBearerToken"], "Resource": "*"})"));
  with["Statement"].erase(with["Statement"].size() - 1);
  EXPECT_EQ(with, without);
}

TEST(Permissions, TheWorkflowPolicyGrantsNothingBroad) {
  const std::string policy = workflow_policy({kRepo, "", ""});
  for (const char* broad : {"ecr:*", "Delete", "ecr:Set", "Policy\"", "iam:", "\"*\"]"}) {
    EXPECT_EQ(policy.find(broad), std::string::npos) << broad;
  }
}

TEST(Permissions, AdminCommandsNeverReachTheWorkflowPolicy) {
  std::set<std::string> workflow;
  for (const auto& p : workflow_permissions()) {
    EXPECT_EQ(p.caller, Caller::kWorkflow) << p.action;
    EXPECT_EQ(p.grant, Grant::kIdentityPolicy) << p.action;
    EXPECT_TRUE(workflow.insert(std::string(p.action)).second) << p.action << " listed twice";
  }
  EXPECT_EQ(workflow.count("iam:PutRolePolicy"), 0u);
  EXPECT_EQ(workflow.count("ecr:CreateRepository"), 0u);
}

TEST(Permissions, CommandsNeedingAnActionNameOnlyThoseThatFailWithoutIt) {
  EXPECT_EQ(commands_needing("ecr:GetAuthorizationToken", ResourceKind::kAny), "login, push");
  EXPECT_EQ(commands_needing("ecr:DescribeRepositories", ResourceKind::kRepository), "verify");
  EXPECT_EQ(commands_needing("ecr:DescribeImages", ResourceKind::kRepository), "verify");
  EXPECT_EQ(commands_needing("ecr:DescribeImages", ResourceKind::kAny), "");
  EXPECT_EQ(commands_needing("iam:GetRole", ResourceKind::kRole), "");
}

TEST(Permissions, RepositoryArnsFollowThePartitionOfTheRegion) {
  EXPECT_EQ(repository_arn("ap-northeast-1", "123456789012", "app"), "arn:aws:ecr:ap-northeast-1:123456789012:repository/app");
  EXPECT_EQ(repository_arn("cn-north-1", "123456789012", "app"), "arn:aws-cn:ecr:cn-north-1:123456789012:repository/app");
  EXPECT_EQ(resource_arn(ResourceKind::kRepository, {kRepo, "", ""}), kRepo);
  EXPECT_EQ(resource_arn(ResourceKind::kAny, {kRepo, "", ""}), "*");
}

constexpr const char* kExec = "arn:aws:iam::123456789012:role/ShipctlExpressExecutionRole";
constexpr const char* kInfra = "arn:aws:iam::123456789012:role/ShipctlExpressInfrastructureRole";

TEST(DeployPermissions, AreDeploysRowsAndNeverShipctlEcrPushs) {
  std::vector<std::string> deploy;
  for (const auto& p : deploy_permissions()) deploy.push_back(std::string(p.action) + " " + std::string(resource_kind_name(p.resource)));
  EXPECT_EQ(deploy, (std::vector<std::string>{
                        "ecs:DescribeExpressGatewayService ecs-service", "ecs:CreateExpressGatewayService ecs-service",
                        "ecs:UpdateExpressGatewayService ecs-service", "ecs:ListServiceDeployments ecs-service",
                        "ecs:DescribeServiceDeployments ecs-service",
                        "ecs:DescribeServiceDeployments ecs-service-deployment",
                        "ecs:DescribeServiceRevisions ecs-service", "ecs:DescribeServiceRevisions ecs-service-revision",
                        "ecs:DescribeServices ecs-service", "ecs:DescribeClusters ecs-cluster",
                        "iam:PassRole execution-role",
                        "iam:PassRole infrastructure-role"}));
  for (const auto& p : workflow_permissions()) EXPECT_NE(p.command, "deploy") << p.action;
  EXPECT_EQ(workflow_policy({kRepo, "", ""}).find("ecs:"), std::string::npos);
  EXPECT_EQ(commands_needing("ecs:UpdateExpressGatewayService", ResourceKind::kEcsService), "deploy");
  EXPECT_EQ(commands_needing("iam:PassRole", ResourceKind::kInfrastructureRole), "deploy");
}

TEST(DeployPermissions, ThePolicyIsScopedToTheServiceItsDeploymentsRevisionsClusterAndTheTwoRoles) {
  const json policy = json::parse(deploy_policy_document("aws", "ap-northeast-1", "123456789012", "default", "web",
                                                         kExec, kInfra));
  const std::string service = "arn:aws:ecs:ap-northeast-1:123456789012:service/default/web";
  const json expected = {
      {"Version", "2012-10-17"},
      {"Statement",
       {{{"Sid", "ExpressGatewayService"}, {"Effect", "Allow"},
         {"Action", {"ecs:DescribeExpressGatewayService", "ecs:CreateExpressGatewayService",
                     "ecs:UpdateExpressGatewayService", "ecs:ListServiceDeployments", "ecs:DescribeServices"}},
         {"Resource", service}},
        {{"Sid", "FollowServiceDeployments"}, {"Effect", "Allow"}, {"Action", "ecs:DescribeServiceDeployments"},
         {"Resource", {service, "arn:aws:ecs:ap-northeast-1:123456789012:service-deployment/default/web/*"}}},
        {{"Sid", "ReadServiceRevisions"}, {"Effect", "Allow"}, {"Action", "ecs:DescribeServiceRevisions"},
         {"Resource", {service, "arn:aws:ecs:ap-northeast-1:123456789012:service-revision/default/web/*"}}},
        {{"Sid", "ReadTheCluster"}, {"Effect", "Allow"}, {"Action", "ecs:DescribeClusters"},
         {"Resource", "arn:aws:ecs:ap-northeast-1:123456789012:cluster/default"}},
        {{"Sid", "PassTheExpressRolesToEcs"}, {"Effect", "Allow"}, {"Action", "iam:PassRole"},
         {"Resource", {kExec, kInfra}},
         {"Condition",
          {{"StringEquals", {{"iam:PassedToService", {"ecs.amazonaws.com", "ecs-tasks.amazonaws.com"}}}}}}}}}};
  EXPECT_EQ(policy, expected);
}

TEST(DeployPermissions, ThePolicyFollowsThePartitionAndCluster) {
  const std::string policy = deploy_policy_document("aws-cn", "cn-north-1", "123456789012", "prod", "api",
                                                    "arn:aws-cn:iam::123456789012:role/e", "arn:aws-cn:iam::123456789012:role/i");
  EXPECT_NE(policy.find("\"arn:aws-cn:ecs:cn-north-1:123456789012:service/prod/api\""), std::string::npos) << policy;
  EXPECT_NE(policy.find("\"arn:aws-cn:ecs:cn-north-1:123456789012:service-revision/prod/api/*\""), std::string::npos);
  EXPECT_NE(policy.find("\"arn:aws-cn:ecs:cn-north-1:123456789012:cluster/prod\""), std::string::npos);
  for (const char* broad : {"ecs:*", "\"*\"", "iam:*"}) EXPECT_EQ(policy.find(broad), std::string::npos) << broad;
}

TEST(DeployPermissions, DeployArnsFillTheResourceKinds) {
  const DeployTarget target{"aws", "us-east-1", "123456789012", "default", "web", kExec, kInfra};
  const ResourceArns arns = with_deploy_arns({kRepo, "", ""}, target);
  EXPECT_EQ(resource_arn(ResourceKind::kEcsService, arns), "arn:aws:ecs:us-east-1:123456789012:service/default/web");
  EXPECT_EQ(resource_arn(ResourceKind::kEcsServiceDeployment, arns),
            "arn:aws:ecs:us-east-1:123456789012:service-deployment/default/web/*");
  EXPECT_EQ(resource_arn(ResourceKind::kEcsCluster, arns), "arn:aws:ecs:us-east-1:123456789012:cluster/default");
  EXPECT_EQ(resource_kind_name(ResourceKind::kEcsCluster), "ecs-cluster");
  EXPECT_EQ(resource_arn(ResourceKind::kExecutionRole, arns), kExec);
  EXPECT_EQ(resource_arn(ResourceKind::kInfrastructureRole, arns), kInfra);
  EXPECT_EQ(resource_arn(ResourceKind::kRepository, arns), kRepo);
}

}  // namespace
}  // namespace eem::aws
