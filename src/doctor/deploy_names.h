#pragma once
// The calls `doctor --deploy` makes with the workflow's credentials, beyond
// the push checks' (ECS on the service, IAM on the two roles and the
// workflow role, ECR on the deployed digest). The roles' names, principals
// and managed policies are the permission table's (src/aws/permissions.h:
// kDefaultExecutionRoleName, kExecutionRolePrincipal, ...), as bootstrap
// --deploy creates them. A role without one of these calls gets "could not
// check" for the check that needs it, not a cause; the table's deploy rows
// decide which of them the workflow role is granted (the ECS reads, with
// DescribeClusters on the one cluster; no IAM read).

#include <string_view>

namespace eem::doctor {

inline constexpr std::string_view kDeployDoctorCalls[] = {
    "ecs:DescribeClusters",         "ecs:DescribeExpressGatewayService", "ecs:ListServiceDeployments",
    "ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions",    "iam:GetRole",
    "iam:ListRolePolicies",         "iam:GetRolePolicy",                 "iam:ListAttachedRolePolicies",
    "iam:GetPolicy",                "iam:GetPolicyVersion",              "ecr:DescribeImages",
};

}  // namespace eem::doctor
