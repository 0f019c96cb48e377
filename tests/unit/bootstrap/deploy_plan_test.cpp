// bootstrap --deploy (issue 14): the ECS Express roles and
// ShipctlExpressDeploy in the desired state and the plan, and what the
// generated deploy policy allows when IAM evaluates it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aws/permissions.h"
#include "bootstrap/plan.h"
#include "iam/evaluator.h"
#include "iam/policy_parser.h"

namespace eem::bootstrap {
namespace {

constexpr const char* kAccount = "123456789012";
constexpr const char* kExec = "arn:aws:iam::123456789012:role/ShipctlExpressExecutionRole";
constexpr const char* kInfra = "arn:aws:iam::123456789012:role/ShipctlExpressInfrastructureRole";

Settings settings(std::string service) {
  Settings s;
  s.account_id = kAccount;
  s.region = "ap-northeast-1";
  s.github_repo = "octo-org/app";
  s.deploy_service = std::move(service);
  return s;
}

std::string compact(const std::string& json) { return nlohmann::json::parse(json).dump(); }

// Everything as bootstrap --deploy leaves it, formatted as IAM returns it.
ObservedState complete(const DesiredState& d) {
  ObservedState o;
  o.provider = ObservedProvider{d.provider_arn, {"sts.amazonaws.com"}};
  o.role = ObservedRole{d.role_arn, compact(d.trust_policy), compact(d.inline_policy), {}, compact(d.deploy->policy)};
  o.repository = ObservedRepository{d.repository_arn, d.repository_uri, "IMMUTABLE_WITH_EXCLUSION", {"latest"},
                                    compact(d.lifecycle_policy)};
  const auto& e = d.deploy->execution_role;
  const auto& i = d.deploy->infrastructure_role;
  o.execution_role = ObservedServiceRole{e.arn, compact(e.trust_policy), {e.managed_policy_arn}};
  o.infrastructure_role = ObservedServiceRole{i.arn, compact(i.trust_policy), {i.managed_policy_arn}};
  return o;
}

std::vector<std::string> summaries(const std::vector<Action>& actions) {
  std::vector<std::string> out;
  for (const auto& a : actions) out.push_back(std::string(action_id(a.kind)) + ": " + a.summary);
  return out;
}

// make_plan's actions; a failure fails the test.
std::vector<Action> planned(const DesiredState& d, const ObservedState& o) {
  auto actions = make_plan(d, o);
  EXPECT_TRUE(actions.has_value()) << (actions ? "" : actions.error().message);
  return actions.value_or(std::vector<Action>{});
}

TEST(DeployPlan, WithoutDeployTheStateHasNoEcsPart) {
  EXPECT_FALSE(desired_state(settings(""))->deploy.has_value());
}

TEST(DeployPlan, TheRolesTrustOneServiceEachAndCarryTheirManagedPolicy) {
  const DesiredDeploy d = *desired_state(settings("web"))->deploy;
  EXPECT_EQ((std::vector<std::string>{d.execution_role.arn, d.infrastructure_role.arn}),
            (std::vector<std::string>{kExec, kInfra}));
  EXPECT_EQ(compact(d.execution_role.trust_policy),
            R"({"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"}}],"Version":"2012-10-17"})");
  EXPECT_EQ(compact(d.infrastructure_role.trust_policy),
            R"({"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"ecs.amazonaws.com"}}],"Version":"2012-10-17"})");
  EXPECT_EQ(d.execution_role.managed_policy_arn, "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy");
  EXPECT_EQ(d.infrastructure_role.managed_policy_arn,
            "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices");
  EXPECT_EQ(d.policy_name, "ShipctlExpressDeploy");
  EXPECT_EQ(d.policy, aws::deploy_policy_document("aws", "ap-northeast-1", kAccount, "default", "web", kExec, kInfra));
}

TEST(DeployPlan, ManagedPoliciesFollowThePartition) {
  Settings s = settings("web");
  s.region = "cn-north-1";
  const DesiredDeploy d = *desired_state(s)->deploy;
  EXPECT_EQ(d.execution_role.arn, "arn:aws-cn:iam::123456789012:role/ShipctlExpressExecutionRole");
  EXPECT_EQ(d.infrastructure_role.managed_policy_arn,
            "arn:aws-cn:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices");
}

TEST(DeployPlan, AnEmptyAccountGetsTheRolesAfterTheRepositoryAndThePolicyLast) {
  const DesiredState d = *desired_state(settings("web"));
  const auto actions = planned(d, ObservedState{});
  const std::vector<std::string> all = summaries(actions);
  const std::vector<std::string> tail(all.begin() + 5, all.end());
  EXPECT_EQ(tail, (std::vector<std::string>{
                      "create-service-role: create role ShipctlExpressExecutionRole with trust policy",
                      "attach-service-role-policy: attach arn:aws:iam::aws:policy/service-role/"
                      "AmazonECSTaskExecutionRolePolicy to role ShipctlExpressExecutionRole",
                      "create-service-role: create role ShipctlExpressInfrastructureRole with trust policy",
                      "attach-service-role-policy: attach arn:aws:iam::aws:policy/service-role/"
                      "AmazonECSInfrastructureRoleforExpressGatewayServices to role ShipctlExpressInfrastructureRole",
                      "put-deploy-policy: put inline policy ShipctlExpressDeploy on role GitHubActionsECRRole "
                      "(shipctl deploy of service web)"}));
  EXPECT_EQ(actions[5].role_name, "ShipctlExpressExecutionRole");
  EXPECT_EQ(actions.back().document, nlohmann::json::parse(d.deploy->policy).dump(2));
}

TEST(DeployPlan, WhatBootstrapLeftIsNoChange) {
  const DesiredState d = *desired_state(settings("web"));
  EXPECT_TRUE(planned(d, complete(d)).empty());
}

TEST(DeployPlan, DriftIsRepairedRoleByRole) {
  const DesiredState d = *desired_state(settings("web"));
  ObservedState o = complete(d);
  o.execution_role->trust_policy = aws::deploy_policy_document("aws", "x", "1", "c", "s", "a", "b");  // not a trust policy
  o.infrastructure_role->attached_policy_arns.clear();
  o.role->deploy_policy.reset();
  EXPECT_EQ(summaries(planned(d, o)),
            (std::vector<std::string>{
                "update-service-role-trust-policy: update trust policy of role ShipctlExpressExecutionRole",
                "attach-service-role-policy: attach arn:aws:iam::aws:policy/service-role/"
                "AmazonECSInfrastructureRoleforExpressGatewayServices to role ShipctlExpressInfrastructureRole",
                "put-deploy-policy: put inline policy ShipctlExpressDeploy on role GitHubActionsECRRole "
                "(shipctl deploy of service web)"}));
}

iam::Decision decide(const std::string& policy, std::string action, std::string resource, std::string passed_to = "") {
  iam::RequestContext context;
  context.action = std::move(action);
  context.resource = std::move(resource);
  if (!passed_to.empty()) context.add("iam:PassedToService", passed_to);
  return iam::evaluate(*iam::parse_policy(policy), context).decision;
}

// What ECS asks IAM about during one deploy of "web", resource by resource.
TEST(DeployPolicy, AllowsEveryDeployRowOnTheServicesArns) {
  const std::string policy = desired_state(settings("web"))->deploy->policy;
  const aws::DeployTarget target{"aws", "ap-northeast-1", kAccount, "default", "web", kExec, kInfra};
  const aws::ResourceArns arns = aws::with_deploy_arns({}, target);
  for (const auto& p : aws::deploy_permissions()) {
    std::string resource = aws::resource_arn(p.resource, arns);
    if (resource.ends_with("/*")) resource.replace(resource.size() - 1, 1, "0123456789abcdef");
    const std::string passed_to = p.resource == aws::ResourceKind::kExecutionRole ? "ecs-tasks.amazonaws.com"
                                  : p.resource == aws::ResourceKind::kInfrastructureRole ? "ecs.amazonaws.com"
                                                                                          : "";
    EXPECT_EQ(decide(policy, std::string(p.action), resource, passed_to), iam::Decision::kAllow) << p.action << " " << resource;
  }
  EXPECT_EQ(decide(policy, "iam:PassRole", kExec, "ecs.amazonaws.com"), iam::Decision::kAllow);
}

TEST(DeployPolicy, RefusesOtherServicesRolesAndActions) {
  const std::string policy = desired_state(settings("web"))->deploy->policy;
  const std::string other = "arn:aws:ecs:ap-northeast-1:123456789012:service/default/other";
  EXPECT_EQ(decide(policy, "ecs:DescribeExpressGatewayService", other), iam::Decision::kImplicitDeny);
  EXPECT_EQ(decide(policy, "ecs:UpdateExpressGatewayService", "arn:aws:ecs:ap-northeast-1:123456789012:service/prod/web"),
            iam::Decision::kImplicitDeny);
  EXPECT_EQ(decide(policy, "ecs:DescribeServiceDeployments",
                   "arn:aws:ecs:ap-northeast-1:123456789012:service-deployment/default/other/abc"),
            iam::Decision::kImplicitDeny);
  EXPECT_EQ(decide(policy, "ecs:DeleteExpressGatewayService", "arn:aws:ecs:ap-northeast-1:123456789012:service/default/web"),
            iam::Decision::kImplicitDeny);
  EXPECT_EQ(decide(policy, "iam:PassRole", "arn:aws:iam::123456789012:role/Admin", "ecs-tasks.amazonaws.com"),
            iam::Decision::kImplicitDeny);
  EXPECT_EQ(decide(policy, "iam:PassRole", kExec, "ec2.amazonaws.com"), iam::Decision::kImplicitDeny);
  EXPECT_EQ(decide(policy, "iam:PassRole", kExec), iam::Decision::kImplicitDeny);
}

}  // namespace
}  // namespace eem::bootstrap
