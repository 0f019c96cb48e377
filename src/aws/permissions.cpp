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
    Permission{"bootstrap", "ecr:PutImageScanningConfiguration", kRepository, kIdentityPolicy, kAdmin, kRequired,
               "ECR PutImageScanningConfiguration (drift)"},
    Permission{"bootstrap", "ecr:PutImageTagMutability", kRepository, kIdentityPolicy, kAdmin, kRequired,
               "ECR PutImageTagMutability (drift)"},
    Permission{"bootstrap", "ecr:GetLifecyclePolicy", kRepository, kIdentityPolicy, kAdmin, kRequired,
               "ECR GetLifecyclePolicy"},
    Permission{"bootstrap", "ecr:PutLifecyclePolicy", kRepository, kIdentityPolicy, kAdmin, kRequired,
               "ECR PutLifecyclePolicy"},
};

bool in_workflow_policy(const Permission& p) { return p.caller == kWorkflow && p.grant == kIdentityPolicy; }

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
  }
  return "AdminOnly";
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
    case kAny:
    case kPolicy:
    case kTrail: break;
  }
  return "*";
}

std::string_view resource_kind_name(ResourceKind kind) {
  constexpr std::array<std::string_view, 6> kNames{"*", "repository", "role", "oidc-provider", "policy", "trail"};
  return kNames[static_cast<std::size_t>(kind)];
}

std::vector<Permission> workflow_permissions() {
  std::vector<Permission> out;
  for (const auto& p : kTable) {
    const bool seen = std::any_of(out.begin(), out.end(), [&](const Permission& q) {
      return q.action == p.action && q.resource == p.resource;
    });
    if (in_workflow_policy(p) && !seen) out.push_back(p);
  }
  return out;
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

std::string workflow_policy(const ResourceArns& arns) {
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
  return ordered{{"Version", "2012-10-17"}, {"Statement", statements}}.dump(2);
}

}  // namespace eem::aws
