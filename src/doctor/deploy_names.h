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

}  // namespace eem::doctor
