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

// What a permission applies to. Issue 14 adds the ECS service,
// service-deployment and service-revision ARNs and the two PassRole roles.
enum class ResourceKind {
  kAny,         // "*": the action takes no resource (Service Authorization Reference)
  kRepository,  // arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME
  // Admin-side only (never in a generated policy):
  kRole,          // the workflow role, arn:PARTITION:iam::ACCOUNT:role/NAME
  kOidcProvider,  // arn:PARTITION:iam::ACCOUNT:oidc-provider/token.actions.githubusercontent.com
  kPolicy,        // each managed policy attached to the role
  kTrail,         // each CloudTrail trail of the region
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

// Every row, commands in workflow order (credentials, login, push, verify),
// then the admin commands.
std::span<const Permission> permission_table();

// The ARNs the resource kinds stand for in one account and region.
struct ResourceArns {
  std::string repository;     // repository_arn(...)
  std::string role;           // may be empty when no admin row is resolved
  std::string oidc_provider;
};

// arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME, the partition from `region`.
std::string repository_arn(std::string_view region, std::string_view account, std::string_view repository);

// "*" or the ARN `kind` stands for in `arns`; "*" for kPolicy and kTrail,
// which stand for several resources.
std::string resource_arn(ResourceKind kind, const ResourceArns& arns);

// "*", "repository", "role", "oidc-provider", "policy", "trail": how
// `shipctl policy permissions` names `kind`.
std::string_view resource_kind_name(ResourceKind kind);

// The rows of the workflow role's identity policy (caller kWorkflow, grant
// kIdentityPolicy), in table order, one per (action, resource): the first
// command that needs an action names it. Best-effort rows count too: the
// policy grants what the workflow calls.
std::vector<Permission> workflow_permissions();

// The workflow commands that require (`action`, `kind`) from the role,
// joined with ", " ("login, push"); the best-effort callers when none
// requires it; empty when no workflow command calls it.
std::string commands_needing(std::string_view action, ResourceKind kind);

// The workflow role's least-privilege identity policy, pretty JSON (2
// spaces): one statement per resource kind, actions in table order. This is
// the inline policy bootstrap writes (ShipctlEcrPush).
std::string workflow_policy(const ResourceArns& arns);

}  // namespace eem::aws
