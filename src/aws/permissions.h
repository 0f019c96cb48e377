#pragma once
// The one table of what shipctl asks AWS for: each command's calls, the IAM
// action each needs, on which resource, and what grants it. bootstrap writes
// the workflow role's policy from it, doctor checks the role against it,
// audit reports what the role has beyond it, and `shipctl policy role` and
// the guides print it. A command that makes a new AWS call adds a row here.

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eem::aws {

// The name of the inline policy that grants the workflow role its table
// rows (bootstrap writes it; doctor's fix names it).
inline constexpr std::string_view kWorkflowPolicyName = "ShipctlEcrPush";
// The second inline policy, written only by `shipctl bootstrap --deploy
// SERVICE`: the deploy rows (deploy_policy_document). ShipctlEcrPush stays
// as it is, so ECR-only setups never change.
inline constexpr std::string_view kDeployPolicyName = "ShipctlExpressDeploy";

// The two roles ECS Express Mode needs (issue 14), bootstrap's default
// names, and the one service principal each must trust: "Amazon ECS task
// execution IAM role" and "Amazon ECS infrastructure IAM role"
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/infrastructure_IAM_role.html).
inline constexpr std::string_view kDefaultExecutionRoleName = "ShipctlExpressExecutionRole";
inline constexpr std::string_view kDefaultInfrastructureRoleName = "ShipctlExpressInfrastructureRole";
inline constexpr std::string_view kExecutionRolePrincipal = "ecs-tasks.amazonaws.com";
inline constexpr std::string_view kInfrastructureRolePrincipal = "ecs.amazonaws.com";
// The AWS managed policies each role gets, after "arn:PARTITION:iam::aws:policy/".
inline constexpr std::string_view kExecutionRolePolicy = "service-role/AmazonECSTaskExecutionRolePolicy";
inline constexpr std::string_view kInfrastructureRolePolicy =
    "service-role/AmazonECSInfrastructureRoleforExpressGatewayServices";
// The cluster Express Mode uses when none is named (CreateExpressGatewayService: "If you do
// not specify a cluster, the default cluster is assumed").
inline constexpr std::string_view kDefaultCluster = "default";

// What a permission applies to.
enum class ResourceKind {
  kAny,         // "*": the action takes no resource (Service Authorization Reference)
  kRepository,  // arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME
  // Admin-side only (never in a generated policy):
  kRole,          // the workflow role, arn:PARTITION:iam::ACCOUNT:role/NAME
  kOidcProvider,  // arn:PARTITION:iam::ACCOUNT:oidc-provider/token.actions.githubusercontent.com
  kPolicy,        // each managed policy attached to the role
  kTrail,         // each CloudTrail trail of the region
  // shipctl deploy (issue 14); ARN formats from the Service Authorization
  // Reference, "Resource types defined by Amazon Elastic Container Service":
  kEcsService,            // arn:PARTITION:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE
  kEcsServiceDeployment,  // arn:PARTITION:ecs:REGION:ACCOUNT:service-deployment/CLUSTER/SERVICE/*
  kEcsServiceRevision,    // arn:PARTITION:ecs:REGION:ACCOUNT:service-revision/CLUSTER/SERVICE/*
  kEcsCluster,            // arn:PARTITION:ecs:REGION:ACCOUNT:cluster/CLUSTER
  kExecutionRole,         // the task execution role deploy passes (iam:PassRole)
  kInfrastructureRole,    // the infrastructure role deploy passes (iam:PassRole)
};

// What makes AWS allow the call.
enum class Grant {
  kIdentityPolicy,  // a statement of the caller's identity (role) policy
  kTrustPolicy,     // the role's trust policy, not its identity policy (sts:AssumeRoleWithWebIdentity)
  kNone,            // no permission at all: sts:GetCallerIdentity ("No permissions are required")
};

// Whether the command fails without the permission.
enum class Need {
  kRequired,
  kBestEffort,  // the command goes on when denied (a better error message is all it costs)
  // Needed only with a flag few workflows pass (login --public): not in
  // ShipctlEcrPush, so a workflow that pushes to private ECR never gets it;
  // `shipctl policy role --public` adds the rows (opt_in_permissions).
  kOptIn,
};

// Who runs the command: the workflow role (deploy.yml's steps) or an
// administrator setting up or inspecting the account.
enum class Caller { kWorkflow, kAdmin };

struct Permission {
  std::string_view command;  // "push" (shipctl's subcommand)
  std::string_view action;   // "ecr:PutImage"
  ResourceKind resource;
  Grant grant;
  Caller caller;
  Need need;
  std::string_view call;  // the request that needs it: "PUT /v2/NAME/manifests/REF"
};

// Every row, commands in workflow order (credentials, login, push, verify,
// deploy), then the admin commands.
std::span<const Permission> permission_table();

// The ARNs the resource kinds stand for in one account and region.
struct ResourceArns {
  std::string repository;     // repository_arn(...)
  std::string role;           // may be empty when no admin row is resolved
  std::string oidc_provider;
  // shipctl deploy's resources (deploy_arns); empty when not deploying.
  std::string ecs_service{};
  std::string ecs_service_deployments{};  // the pattern ".../service-deployment/CLUSTER/SERVICE/*"
  std::string ecs_service_revisions{};    // the pattern ".../service-revision/CLUSTER/SERVICE/*"
  std::string ecs_cluster{};
  std::string execution_role{};
  std::string infrastructure_role{};
};

// Where one ECS Express service is deployed, and the roles it is given.
struct DeployTarget {
  std::string partition;  // "aws", "aws-cn", "aws-us-gov"
  std::string region;
  std::string account;
  std::string cluster = std::string(kDefaultCluster);
  std::string service;
  std::string execution_role_arn;
  std::string infrastructure_role_arn;
};

// `arns` with the deploy fields filled from `target` (the ECS ARNs and the
// two role ARNs).
ResourceArns with_deploy_arns(ResourceArns arns, const DeployTarget& target);

// arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME, the partition from `region`.
std::string repository_arn(std::string_view region, std::string_view account, std::string_view repository);

// "*" or the ARN `kind` stands for in `arns`; "*" for kPolicy and kTrail,
// which stand for several resources.
std::string resource_arn(ResourceKind kind, const ResourceArns& arns);

// "*", "repository", "role", "oidc-provider", "policy", "trail",
// "ecs-service", "ecs-service-deployment", "ecs-service-revision",
// "ecs-cluster", "execution-role", "infrastructure-role": how `shipctl policy permissions`
// names `kind`.
std::string_view resource_kind_name(ResourceKind kind);

// The rows of the workflow role's identity policy (caller kWorkflow, grant
// kIdentityPolicy) that ShipctlEcrPush grants, in table order, one per
// (action, resource): the first command that needs an action names it.
// Best-effort rows count too: the policy grants what the workflow calls.
// The deploy rows are not among them (deploy_permissions).
std::vector<Permission> workflow_permissions();

// The rows of `shipctl deploy` that ShipctlExpressDeploy grants, in table
// order, one per (action, resource).
std::vector<Permission> deploy_permissions();

// The workflow's kOptIn rows (login --public: ecr-public:GetAuthorizationToken
// and sts:GetServiceBearerToken on "*"), in table order, one per (action,
// resource).
std::vector<Permission> opt_in_permissions();

// Whether workflow_policy adds the opt-in statement for `login --public`.
enum class EcrPublicLogin { kOmit, kInclude };

// The workflow commands that require (`action`, `kind`) from the role,
// joined with ", " ("login, push"); the best-effort callers when none
// requires it; empty when no workflow command calls it.
std::string commands_needing(std::string_view action, ResourceKind kind);

// The workflow role's least-privilege identity policy, pretty JSON (2
// spaces): one statement per resource kind, actions in table order. This is
// the inline policy bootstrap writes (ShipctlEcrPush). kInclude appends the
// statement "LoginToEcrPublic" with opt_in_permissions().
std::string workflow_policy(const ResourceArns& arns, EcrPublicLogin ecr_public = EcrPublicLogin::kOmit);

// The ShipctlExpressDeploy inline policy for one service, pretty JSON (2
// spaces): the deploy rows, one statement per set of resources an action
// needs (the Service Authorization Reference requires both the service and
// the deployment ARN for DescribeServiceDeployments, both the service and
// the revision ARN for DescribeServiceRevisions), and iam:PassRole on
// exactly `execution_role_arn` and `infrastructure_role_arn`, only towards
// ECS (iam:PassedToService). No wildcard action, no Resource "*".
std::string deploy_policy_document(std::string_view partition, std::string_view region, std::string_view account,
                                   std::string_view cluster, std::string_view service,
                                   std::string_view execution_role_arn, std::string_view infrastructure_role_arn);

}  // namespace eem::aws
