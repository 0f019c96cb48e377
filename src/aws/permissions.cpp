#include "aws/permissions.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "aws/endpoints.h"

namespace eem::aws {

namespace {

using enum ResourceKind;
using enum Grant;
using enum Caller;
using enum Need;

// The push rows are ECR's own push policy ("IAM permissions for pushing an
// image to an Amazon ECR private repository",
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html):
// no GetDownloadUrlForLayer, which only a pull (GET blob) needs.
// Registry requests map to the actions of the Service Authorization
// Reference's "Actions, resources, and condition keys for Amazon Elastic
// Container Registry": HEAD blob ->
// BatchCheckLayerAvailability, POST/PATCH/PUT upload -> Initiate/
// UploadLayerPart/CompleteLayerUpload, manifest PUT -> PutImage, manifest
// HEAD/GET -> BatchGetImage. GetAuthorizationToken takes no resource ("*");
// sts:GetCallerIdentity needs no permission (STS API reference); STS checks
// AssumeRoleWithWebIdentity against the role's trust policy only.
constexpr std::array kTable{
    Permission{"credentials", "sts:AssumeRoleWithWebIdentity", kRole, kTrustPolicy, kWorkflow, kRequired,
               "STS AssumeRoleWithWebIdentity (unsigned; the role's trust policy decides)"},
    Permission{"credentials", "sts:GetCallerIdentity", kAny, kNone, kWorkflow, kRequired,
               "STS GetCallerIdentity with the new credentials"},
    Permission{"login", "ecr:GetAuthorizationToken", kAny, kIdentityPolicy, kWorkflow, kRequired,
               "ECR GetAuthorizationToken"},
    // ECR Public's GetAuthorizationToken "requires the
    // ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken
    // permissions" (ECR Public API reference); neither takes a resource.
    Permission{"login", "ecr-public:GetAuthorizationToken", kAny, kIdentityPolicy, kWorkflow, kOptIn,
               "ECR Public GetAuthorizationToken in us-east-1 (--public only)"},
    Permission{"login", "sts:GetServiceBearerToken", kAny, kIdentityPolicy, kWorkflow, kOptIn,
               "ECR Public GetAuthorizationToken: the bearer token STS issues for it (--public only)"},
    Permission{"push", "sts:GetCallerIdentity", kAny, kNone, kWorkflow, kRequired,
               "STS GetCallerIdentity (--repository: the registry's account)"},
    Permission{"push", "ecr:GetAuthorizationToken", kAny, kIdentityPolicy, kWorkflow, kRequired,
               "ECR GetAuthorizationToken (no login stored, or the stored one refused)"},
    Permission{"push", "ecr:BatchCheckLayerAvailability", kRepository, kIdentityPolicy, kWorkflow, kRequired,
               "HEAD /v2/NAME/blobs/DIGEST"},
    Permission{"push", "ecr:InitiateLayerUpload", kRepository, kIdentityPolicy, kWorkflow, kRequired,
               "POST /v2/NAME/blobs/uploads/"},
    Permission{"push", "ecr:UploadLayerPart", kRepository, kIdentityPolicy, kWorkflow, kRequired,
               "PATCH upload location (--chunk-mib; by default one PUT carries the blob: ECR's push policy lists the action)"},
    Permission{"push", "ecr:CompleteLayerUpload", kRepository, kIdentityPolicy, kWorkflow, kRequired,
               "PUT upload location?digest=DIGEST"},
    Permission{"push", "ecr:PutImage", kRepository, kIdentityPolicy, kWorkflow, kRequired,
               "PUT /v2/NAME/manifests/REFERENCE"},
    Permission{"push", "ecr:BatchGetImage", kRepository, kIdentityPolicy, kWorkflow, kBestEffort,
               "HEAD /v2/NAME/manifests/REFERENCE (skip what the registry has; refused, push warns and re-sends)"},
    Permission{"push", "ecr:DescribeRepositories", kRepository, kIdentityPolicy, kWorkflow, kBestEffort,
               "ECR DescribeRepositories (names a missing repository before the upload)"},
    Permission{"verify", "ecr:DescribeRepositories", kRepository, kIdentityPolicy, kWorkflow, kRequired,
               "ECR DescribeRepositories"},
    Permission{"verify", "ecr:DescribeImages", kRepository, kIdentityPolicy, kWorkflow, kRequired,
               "ECR DescribeImages"},
    Permission{"verify", "sts:GetCallerIdentity", kAny, kNone, kWorkflow, kBestEffort,
               "STS GetCallerIdentity (names the account when the repository is missing)"},
    // deploy (issue 14). Every ECS action here takes the service ARN; the
    // two deployment readers take the deployment or revision ARN as well
    // (Service Authorization Reference for Amazon ECS, "Actions defined by
    // Amazon Elastic Container Service": resource types "service*" and
    // "service-deployment*" / "service-revision*";
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html,
    // and "Permissions required for viewing Amazon ECS service deployments",
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment-permissions.html).
    // No deploy action needs Resource "*".
    Permission{"deploy", "sts:GetCallerIdentity", kAny, kNone, kWorkflow, kRequired,
               "STS GetCallerIdentity (--service NAME without a role ARN: the service's account)"},
    Permission{"deploy", "ecs:DescribeExpressGatewayService", kEcsService, kIdentityPolicy, kWorkflow, kRequired,
               "ECS DescribeExpressGatewayService (create or update; the endpoint after the rollout)"},
    Permission{"deploy", "ecs:CreateExpressGatewayService", kEcsService, kIdentityPolicy, kWorkflow, kRequired,
               "ECS CreateExpressGatewayService (first deploy)"},
    Permission{"deploy", "ecs:UpdateExpressGatewayService", kEcsService, kIdentityPolicy, kWorkflow, kRequired,
               "ECS UpdateExpressGatewayService (a new image or configuration; --rollback-on-verify-failure)"},
    Permission{"deploy", "ecs:ListServiceDeployments", kEcsService, kIdentityPolicy, kWorkflow, kRequired,
               "ECS ListServiceDeployments (the deployment the call started)"},
    Permission{"deploy", "ecs:DescribeServiceDeployments", kEcsService, kIdentityPolicy, kWorkflow, kRequired,
               "ECS DescribeServiceDeployments (the rollout's status and stage)"},
    Permission{"deploy", "ecs:DescribeServiceDeployments", kEcsServiceDeployment, kIdentityPolicy, kWorkflow, kRequired,
               "ECS DescribeServiceDeployments (the rollout's status and stage)"},
    Permission{"deploy", "ecs:DescribeServiceRevisions", kEcsService, kIdentityPolicy, kWorkflow, kRequired,
               "ECS DescribeServiceRevisions (the deployed image digest, failed managed resources)"},
    Permission{"deploy", "ecs:DescribeServiceRevisions", kEcsServiceRevision, kIdentityPolicy, kWorkflow, kRequired,
               "ECS DescribeServiceRevisions (the deployed image digest, failed managed resources)"},
    // Issue 14 lists it; shipctl deploy itself does not call it today (the
    // Express calls above carry what it reads), so a refusal costs nothing.
    Permission{"deploy", "ecs:DescribeServices", kEcsService, kIdentityPolicy, kWorkflow, kBestEffort,
               "ECS DescribeServices (the Express service's ECS service; not called by deploy today)"},
    // deploy.yml runs `shipctl doctor --deploy` with the workflow role when a
    // deploy fails: its deploy-cluster check reads the one cluster (resource
    // type "cluster", arn:PARTITION:ecs:REGION:ACCOUNT:cluster/CLUSTER).
    // Read-only; without it that check says "could not run".
    Permission{"deploy", "ecs:DescribeClusters", kEcsCluster, kIdentityPolicy, kWorkflow, kBestEffort,
               "ECS DescribeClusters (doctor --deploy's deploy-cluster check in deploy.yml's diagnosis step)"},
    // Checked by ECS during Create/Update (the roles the request names).
    Permission{"deploy", "iam:PassRole", kExecutionRole, kIdentityPolicy, kWorkflow, kRequired,
               "Create/UpdateExpressGatewayService with executionRoleArn"},
    Permission{"deploy", "iam:PassRole", kInfrastructureRole, kIdentityPolicy, kWorkflow, kRequired,
               "CreateExpressGatewayService with infrastructureRoleArn"},
    // Admin side: what the inspecting and setting-up commands read and write.
    Permission{"whoami", "sts:GetCallerIdentity", kAny, kNone, kAdmin, kRequired, "STS GetCallerIdentity"},
    Permission{"doctor", "sts:GetCallerIdentity", kAny, kNone, kAdmin, kRequired, "STS GetCallerIdentity"},
    Permission{"doctor", "iam:ListOpenIDConnectProviders", kAny, kIdentityPolicy, kAdmin, kBestEffort,
               "IAM ListOpenIDConnectProviders"},
    Permission{"doctor", "iam:GetOpenIDConnectProvider", kOidcProvider, kIdentityPolicy, kAdmin, kBestEffort,
               "IAM GetOpenIDConnectProvider"},
    Permission{"doctor", "iam:GetRole", kRole, kIdentityPolicy, kAdmin, kBestEffort, "IAM GetRole"},
    Permission{"doctor", "iam:ListRolePolicies", kRole, kIdentityPolicy, kAdmin, kBestEffort, "IAM ListRolePolicies"},
    Permission{"doctor", "iam:GetRolePolicy", kRole, kIdentityPolicy, kAdmin, kBestEffort, "IAM GetRolePolicy"},
    Permission{"doctor", "iam:ListAttachedRolePolicies", kRole, kIdentityPolicy, kAdmin, kBestEffort,
               "IAM ListAttachedRolePolicies"},
    Permission{"doctor", "iam:GetPolicy", kPolicy, kIdentityPolicy, kAdmin, kBestEffort, "IAM GetPolicy"},
    Permission{"doctor", "iam:GetPolicyVersion", kPolicy, kIdentityPolicy, kAdmin, kBestEffort, "IAM GetPolicyVersion"},
    Permission{"doctor", "ecr:DescribeRepositories", kRepository, kIdentityPolicy, kAdmin, kBestEffort,
               "ECR DescribeRepositories"},
    Permission{"audit", "iam:GetRole", kRole, kIdentityPolicy, kAdmin, kBestEffort, "IAM GetRole"},
    Permission{"audit", "iam:ListAttachedRolePolicies", kRole, kIdentityPolicy, kAdmin, kBestEffort,
               "IAM ListAttachedRolePolicies"},
    Permission{"audit", "iam:GetPolicy", kPolicy, kIdentityPolicy, kAdmin, kBestEffort, "IAM GetPolicy"},
    Permission{"audit", "iam:GetPolicyVersion", kPolicy, kIdentityPolicy, kAdmin, kBestEffort, "IAM GetPolicyVersion"},
    Permission{"audit", "iam:ListRolePolicies", kRole, kIdentityPolicy, kAdmin, kBestEffort, "IAM ListRolePolicies"},
    Permission{"audit", "iam:GetRolePolicy", kRole, kIdentityPolicy, kAdmin, kBestEffort, "IAM GetRolePolicy"},
    Permission{"audit", "ecr:DescribeRepositories", kRepository, kIdentityPolicy, kAdmin, kBestEffort,
               "ECR DescribeRepositories"},
    Permission{"audit", "ecr:GetLifecyclePolicy", kRepository, kIdentityPolicy, kAdmin, kBestEffort,
               "ECR GetLifecyclePolicy"},
    Permission{"audit", "ecr:GetRegistryScanningConfiguration", kAny, kIdentityPolicy, kAdmin, kBestEffort,
               "ECR GetRegistryScanningConfiguration (AUD020: a registry rule that scans the repository on push)"},
    Permission{"audit", "cloudtrail:DescribeTrails", kAny, kIdentityPolicy, kAdmin, kBestEffort,
               "CloudTrail DescribeTrails"},
    Permission{"audit", "cloudtrail:GetTrailStatus", kTrail, kIdentityPolicy, kAdmin, kBestEffort,
               "CloudTrail GetTrailStatus"},
    Permission{"audit", "cloudtrail:GetEventSelectors", kTrail, kIdentityPolicy, kAdmin, kBestEffort,
               "CloudTrail GetEventSelectors"},
    Permission{"bootstrap", "sts:GetCallerIdentity", kAny, kNone, kAdmin, kRequired, "STS GetCallerIdentity"},
    Permission{"bootstrap", "iam:GetOpenIDConnectProvider", kOidcProvider, kIdentityPolicy, kAdmin, kRequired,
               "IAM GetOpenIDConnectProvider"},
    Permission{"bootstrap", "iam:CreateOpenIDConnectProvider", kOidcProvider, kIdentityPolicy, kAdmin, kRequired,
               "IAM CreateOpenIDConnectProvider (first run)"},
    Permission{"bootstrap", "iam:AddClientIDToOpenIDConnectProvider", kOidcProvider, kIdentityPolicy, kAdmin, kRequired,
               "IAM AddClientIDToOpenIDConnectProvider (a provider without the client id)"},
    Permission{"bootstrap", "iam:GetRole", kRole, kIdentityPolicy, kAdmin, kRequired, "IAM GetRole"},
    Permission{"bootstrap", "iam:CreateRole", kRole, kIdentityPolicy, kAdmin, kRequired, "IAM CreateRole (first run)"},
    Permission{"bootstrap", "iam:UpdateAssumeRolePolicy", kRole, kIdentityPolicy, kAdmin, kRequired,
               "IAM UpdateAssumeRolePolicy (drifted trust policy)"},
    Permission{"bootstrap", "iam:GetRolePolicy", kRole, kIdentityPolicy, kAdmin, kRequired, "IAM GetRolePolicy"},
    Permission{"bootstrap", "iam:PutRolePolicy", kRole, kIdentityPolicy, kAdmin, kRequired, "IAM PutRolePolicy"},
    Permission{"bootstrap", "iam:DeleteRolePolicy", kRole, kIdentityPolicy, kAdmin, kRequired,
               "IAM DeleteRolePolicy (--managed-policy)"},
    Permission{"bootstrap", "iam:ListAttachedRolePolicies", kRole, kIdentityPolicy, kAdmin, kRequired,
               "IAM ListAttachedRolePolicies"},
    Permission{"bootstrap", "iam:AttachRolePolicy", kRole, kIdentityPolicy, kAdmin, kRequired,
               "IAM AttachRolePolicy (--managed-policy)"},
    Permission{"bootstrap", "iam:DetachRolePolicy", kRole, kIdentityPolicy, kAdmin, kRequired,
               "IAM DetachRolePolicy (back from --managed-policy)"},
    Permission{"bootstrap", "ecr:DescribeRepositories", kRepository, kIdentityPolicy, kAdmin, kRequired,
               "ECR DescribeRepositories"},
    Permission{"bootstrap", "ecr:CreateRepository", kRepository, kIdentityPolicy, kAdmin, kRequired,
               "ECR CreateRepository (first run)"},
    Permission{"bootstrap", "ecr:PutImageTagMutability", kRepository, kIdentityPolicy, kAdmin, kRequired,
               "ECR PutImageTagMutability (drift)"},
    Permission{"bootstrap", "ecr:GetLifecyclePolicy", kRepository, kIdentityPolicy, kAdmin, kRequired,
               "ECR GetLifecyclePolicy"},
    Permission{"bootstrap", "ecr:PutLifecyclePolicy", kRepository, kIdentityPolicy, kAdmin, kRequired,
               "ECR PutLifecyclePolicy"},
    // Registry-level actions take no resource ("*") in the Service
    // Authorization Reference; --skip-registry-scanning needs neither.
    Permission{"bootstrap", "ecr:GetRegistryScanningConfiguration", kAny, kIdentityPolicy, kAdmin, kRequired,
               "ECR GetRegistryScanningConfiguration (not with --skip-registry-scanning)"},
    Permission{"bootstrap", "ecr:PutRegistryScanningConfiguration", kAny, kIdentityPolicy, kAdmin, kRequired,
               "ECR PutRegistryScanningConfiguration (the registry's rules do not scan the repository on push yet)"},
};

bool workflow_identity_row(const Permission& p) { return p.caller == kWorkflow && p.grant == kIdentityPolicy; }
bool in_workflow_policy(const Permission& p) { return workflow_identity_row(p) && p.need != kOptIn; }

// ShipctlExpressDeploy holds deploy's rows; ShipctlEcrPush the others.
bool is_deploy(const Permission& p) { return p.command == "deploy"; }

// One per (action, resource) of the rows `keep` selects, in table order.
template <class Keep>
std::vector<Permission> unique_rows(Keep keep) {
  std::vector<Permission> out;
  for (const auto& p : kTable) {
    const bool seen = std::any_of(out.begin(), out.end(), [&](const Permission& q) {
      return q.action == p.action && q.resource == p.resource;
    });
    if (keep(p) && !seen) out.push_back(p);
  }
  return out;
}

// Statement ids of the generated policy, per resource kind. The "*"
// statement keeps the id earlier versions wrote (its only action is still
// the token call), so upgrades diff only where the actions changed. The
// admin-only kinds never reach a generated policy.
std::string_view statement_id(ResourceKind kind) {
  switch (kind) {
    case kAny: return "GetAuthorizationToken";
    case kRepository: return "PushAndVerifyThisRepository";
    case kRole:
    case kOidcProvider:
    case kPolicy:
    case kTrail: break;
    case kEcsService: return "ExpressGatewayService";
    case kEcsServiceDeployment: return "FollowServiceDeployments";
    case kEcsServiceRevision: return "ReadServiceRevisions";
    case kEcsCluster: return "ReadTheCluster";
    case kExecutionRole:
    case kInfrastructureRole: return "PassTheExpressRolesToEcs";
  }
  return "AdminOnly";
}

std::string ecs_arn(const DeployTarget& t, std::string_view type, std::string_view tail) {
  return "arn:" + t.partition + ":ecs:" + t.region + ":" + t.account + ":" + std::string(type) + "/" + t.cluster +
         std::string(tail);
}

using ordered = nlohmann::ordered_json;

// The resource kinds each deploy action needs, in table order: the key
// deploy_policy_document groups actions by.
std::vector<std::pair<std::string_view, std::vector<ResourceKind>>> deploy_action_kinds() {
  std::vector<std::pair<std::string_view, std::vector<ResourceKind>>> out;
  for (const auto& p : deploy_permissions()) {
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == p.action; });
    if (it == out.end()) {
      out.emplace_back(p.action, std::vector<ResourceKind>{});
      it = out.end() - 1;
    }
    it->second.push_back(p.resource);
  }
  return out;
}

// iam:PassRole only towards ECS. AWS's own Express Mode pipeline passes both
// roles with iam:PassedToService "ecs.amazonaws.com" (AWS Containers blog,
// "Automate Amazon ECS Express Mode deployments with GitHub Actions"), the
// infrastructure role page does the same for that role, and ECS's task-role
// policies use "ecs-tasks.amazonaws.com" (managed policy
// AmazonEC2ContainerServiceEventsRole). Which one Express Mode reports for
// the execution role is not documented, so both ECS principals are allowed
// (values OR); the Resource keeps PassRole to exactly the two roles.
ordered pass_role_condition() {
  return {{"StringEquals",
           {{"iam:PassedToService", {std::string(kInfrastructureRolePrincipal), std::string(kExecutionRolePrincipal)}}}}};
}

}  // namespace

std::span<const Permission> permission_table() { return kTable; }

std::string repository_arn(std::string_view region, std::string_view account, std::string_view repository) {
  return "arn:" + std::string(partition_of(region).id) + ":ecr:" + std::string(region) + ":" + std::string(account) +
         ":repository/" + std::string(repository);
}

std::string resource_arn(ResourceKind kind, const ResourceArns& arns) {
  switch (kind) {
    case kRepository: return arns.repository;
    case kRole: return arns.role;
    case kOidcProvider: return arns.oidc_provider;
    case kEcsService: return arns.ecs_service;
    case kEcsServiceDeployment: return arns.ecs_service_deployments;
    case kEcsServiceRevision: return arns.ecs_service_revisions;
    case kEcsCluster: return arns.ecs_cluster;
    case kExecutionRole: return arns.execution_role;
    case kInfrastructureRole: return arns.infrastructure_role;
    case kAny:
    case kPolicy:
    case kTrail: break;
  }
  return "*";
}

std::string_view resource_kind_name(ResourceKind kind) {
  constexpr std::array<std::string_view, 12> kNames{"*",
                                                   "repository",
                                                   "role",
                                                   "oidc-provider",
                                                   "policy",
                                                   "trail",
                                                   "ecs-service",
                                                   "ecs-service-deployment",
                                                   "ecs-service-revision",
                                                   "ecs-cluster",
                                                   "execution-role",
                                                   "infrastructure-role"};
  return kNames[static_cast<std::size_t>(kind)];
}

ResourceArns with_deploy_arns(ResourceArns arns, const DeployTarget& target) {
  arns.ecs_service = ecs_arn(target, "service", "/" + target.service);
  arns.ecs_service_deployments = ecs_arn(target, "service-deployment", "/" + target.service + "/*");
  arns.ecs_service_revisions = ecs_arn(target, "service-revision", "/" + target.service + "/*");
  arns.ecs_cluster = ecs_arn(target, "cluster", "");
  arns.execution_role = target.execution_role_arn;
  arns.infrastructure_role = target.infrastructure_role_arn;
  return arns;
}

std::vector<Permission> workflow_permissions() {
  return unique_rows([](const Permission& p) { return in_workflow_policy(p) && !is_deploy(p); });
}

std::vector<Permission> deploy_permissions() {
  return unique_rows([](const Permission& p) { return in_workflow_policy(p) && is_deploy(p); });
}

std::vector<Permission> opt_in_permissions() {
  return unique_rows([](const Permission& p) { return workflow_identity_row(p) && p.need == kOptIn; });
}

std::string commands_needing(std::string_view action, ResourceKind kind) {
  // A best-effort caller (push's DescribeRepositories) is named only when no
  // command requires the action: "verify" is what fails without it.
  for (const Need need : {kRequired, kBestEffort}) {
    std::string out;
    for (const auto& p : kTable) {
      if (!in_workflow_policy(p) || p.need != need || p.action != action || p.resource != kind) continue;
      out += (out.empty() ? "" : ", ") + std::string(p.command);
    }
    if (!out.empty()) return out;
  }
  return {};
}

std::string workflow_policy(const ResourceArns& arns, EcrPublicLogin ecr_public) {
  using ordered = nlohmann::ordered_json;
  ordered statements = ordered::array();
  std::vector<ResourceKind> kinds;
  const auto rows = workflow_permissions();
  for (const auto& p : rows) {
    if (std::find(kinds.begin(), kinds.end(), p.resource) == kinds.end()) kinds.push_back(p.resource);
  }
  for (const ResourceKind kind : kinds) {
    ordered actions = ordered::array();
    for (const auto& p : rows) {
      if (p.resource == kind) actions.push_back(p.action);
    }
    statements.push_back({{"Sid", statement_id(kind)},
                          {"Effect", "Allow"},
                          {"Action", actions.size() == 1 ? actions[0] : actions},
                          {"Resource", resource_arn(kind, arns)}});
  }
  if (ecr_public == EcrPublicLogin::kInclude) {
    ordered actions = ordered::array();
    for (const auto& p : opt_in_permissions()) actions.push_back(p.action);
    statements.push_back({{"Sid", "LoginToEcrPublic"}, {"Effect", "Allow"}, {"Action", actions}, {"Resource", "*"}});
  }
  return ordered{{"Version", "2012-10-17"}, {"Statement", statements}}.dump(2);
}


std::string deploy_policy_document(std::string_view partition, std::string_view region, std::string_view account,
                                   std::string_view cluster, std::string_view service,
                                   std::string_view execution_role_arn, std::string_view infrastructure_role_arn) {
  const DeployTarget target{std::string(partition), std::string(region), std::string(account), std::string(cluster),
                            std::string(service), std::string(execution_role_arn), std::string(infrastructure_role_arn)};
  const ResourceArns arns = with_deploy_arns({}, target);
  // Actions needing the same resources share a statement, in table order.
  std::vector<std::pair<std::vector<ResourceKind>, ordered>> groups;
  for (const auto& [action, kinds] : deploy_action_kinds()) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == kinds; });
    if (it == groups.end()) {
      groups.emplace_back(kinds, ordered::array());
      it = groups.end() - 1;
    }
    it->second.push_back(action);
  }
  ordered statements = ordered::array();
  for (const auto& [kinds, actions] : groups) {
    ordered resources = ordered::array();
    for (const ResourceKind kind : kinds) resources.push_back(resource_arn(kind, arns));
    ordered st = {{"Sid", statement_id(kinds.back())},
                  {"Effect", "Allow"},
                  {"Action", actions.size() == 1 ? actions[0] : actions},
                  {"Resource", resources.size() == 1 ? resources[0] : resources}};
    if (kinds.back() == kExecutionRole || kinds.back() == kInfrastructureRole) st["Condition"] = pass_role_condition();
    statements.push_back(std::move(st));
  }
  return ordered{{"Version", "2012-10-17"}, {"Statement", statements}}.dump(2);
}

}  // namespace eem::aws
