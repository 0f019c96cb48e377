#pragma once
// The names `shipctl bootstrap --deploy` gives the ECS Express Mode roles and
// the workflow role's deploy policy, and the AWS managed policies the roles
// carry (issue 14; AWS docs "Amazon ECS infrastructure IAM role for Express
// Mode services" and "Amazon ECS task execution IAM role"). Doctor's deploy
// checks read them from here only, so they can be pointed at the permission
// table (src/aws/permissions.h) when bootstrap's deploy part lands.

#include <string_view>

namespace eem::doctor {

inline constexpr std::string_view kExecutionRoleName = "ShipctlExpressExecutionRole";
inline constexpr std::string_view kInfrastructureRoleName = "ShipctlExpressInfrastructureRole";
inline constexpr std::string_view kDeployPolicyName = "ShipctlExpressDeploy";
// Service principals that assume each role (their trust policies' Principal.Service).
inline constexpr std::string_view kExecutionPrincipal = "ecs-tasks.amazonaws.com";
inline constexpr std::string_view kInfrastructurePrincipal = "ecs.amazonaws.com";
// Managed policies, as a path under arn:PARTITION:iam::aws:policy/.
inline constexpr std::string_view kExecutionManagedPolicy = "service-role/AmazonECSTaskExecutionRolePolicy";
inline constexpr std::string_view kInfrastructureManagedPolicy =
    "service-role/AmazonECSInfrastructureRoleforExpressGatewayServices";

// The calls `doctor --deploy` makes with the workflow's credentials, beyond
// the push checks' (ECS on the service, IAM on the two roles and the
// workflow role, ECR on the deployed digest). A role without one of them
// gets "could not check" for the check that needs it, not a cause; the
// permission table's deploy rows decide which of them the workflow role is
// granted (DescribeClusters is not among the deploy actions issue 14 lists).
inline constexpr std::string_view kDeployDoctorCalls[] = {
    "ecs:DescribeClusters",         "ecs:DescribeExpressGatewayService", "ecs:ListServiceDeployments",
    "ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions",    "iam:GetRole",
    "iam:ListRolePolicies",         "iam:GetRolePolicy",                 "iam:ListAttachedRolePolicies",
    "iam:GetPolicy",                "iam:GetPolicyVersion",              "ecr:DescribeImages",
};

}  // namespace eem::doctor
