#include "bootstrap/desired.h"

#include <nlohmann/json.hpp>

#include "aws/endpoints.h"
#include "aws/permissions.h"

namespace eem::bootstrap {

namespace {

using ordered = nlohmann::ordered_json;

std::string iam_arn(std::string_view partition, std::string_view account, std::string_view resource) {
  return "arn:" + std::string(partition) + ":iam::" + std::string(account) + ":" + std::string(resource);
}

iam::TrustRequest trust_request(const Settings& settings, std::string_view partition) {
  iam::TrustRequest request;
  request.account_id = settings.account_id;
  request.partition = std::string(partition);
  request.repository = settings.github_repo;
  request.owner_id = settings.owner_id;
  request.repo_id = settings.repo_id;
  request.style = settings.subject_style;
  request.claim_keys = settings.claim_keys;
  request.sub_claim_prefix = settings.sub_claim_prefix;
  request.workflow = settings.workflow;
  request.branches = settings.branches;
  request.tags = settings.tags;
  request.environments = settings.environments;
  iam::admit_main_by_default(request);
  return request;
}

DesiredServiceRole service_role(std::string_view partition, const std::string& account, const std::string& name,
                                std::string_view principal, std::string_view policy, std::string description) {
  return {name, iam_arn(partition, account, "role/" + name), service_trust_policy(principal),
          "arn:" + std::string(partition) + ":iam::aws:policy/" + std::string(policy), std::move(description)};
}

DesiredDeploy desired_deploy(const Settings& s, std::string_view partition) {
  DesiredDeploy d;
  d.service = s.deploy_service;
  d.cluster = s.cluster;
  d.execution_role = service_role(partition, s.account_id, s.execution_role_name, aws::kExecutionRolePrincipal,
                                  aws::kExecutionRolePolicy,
                                  "ECS Express Mode task execution role (managed by shipctl bootstrap)");
  d.infrastructure_role = service_role(partition, s.account_id, s.infrastructure_role_name,
                                       aws::kInfrastructureRolePrincipal, aws::kInfrastructureRolePolicy,
                                       "ECS Express Mode infrastructure role (managed by shipctl bootstrap)");
  d.policy_name = std::string(aws::kDeployPolicyName);
  d.policy = aws::deploy_policy_document(partition, s.region, s.account_id, s.cluster, s.deploy_service,
                                         d.execution_role.arn, d.infrastructure_role.arn);
  return d;
}

}  // namespace

std::string service_trust_policy(std::string_view principal) {
  const ordered statement = {{"Effect", "Allow"}, {"Principal", {{"Service", principal}}}, {"Action", "sts:AssumeRole"}};
  return ordered{{"Version", "2012-10-17"}, {"Statement", {statement}}}.dump(2);
}

std::string lifecycle_policy() {
  // One rule, so the ECR ordering rule (a tagStatus "any" rule must have the
  // highest rulePriority) holds trivially; tagged images are never touched.
  const ordered rule = {{"rulePriority", 1},
                        {"description", "Expire untagged images after " + std::to_string(kUntaggedExpiryDays) + " days"},
                        {"selection",
                         {{"tagStatus", "untagged"},
                          {"countType", "sinceImagePushed"},
                          {"countUnit", "days"},
                          {"countNumber", kUntaggedExpiryDays}}},
                        {"action", {{"type", "expire"}}}};
  return ordered{{"rules", {rule}}}.dump(2);
}

util::Result<DesiredState> desired_state(const Settings& settings) {
  const aws::Partition& partition = aws::partition_of(settings.region);
  auto trust = iam::build_trust_policy(trust_request(settings, partition.id));
  if (!trust) return std::unexpected(trust.error());
  DesiredState state;
  state.partition = std::string(partition.id);
  state.provider_url = "https://" + std::string(kProviderHost);
  state.provider_arn = iam_arn(partition.id, settings.account_id, "oidc-provider/" + std::string(kProviderHost));
  state.client_id = std::string(partition.oidc_audience);
  state.role_name = settings.role_name;
  state.role_arn = iam_arn(partition.id, settings.account_id, "role/" + settings.role_name);
  state.trust_policy = *trust;
  state.policy_mode = settings.policy_mode;
  state.inline_policy_name = std::string(kInlinePolicyName);
  state.repository = settings.repository;
  state.repository_arn = aws::repository_arn(settings.region, settings.account_id, settings.repository);
  state.account_id = settings.account_id;
  state.region = settings.region;
  state.registry = aws::ecr_registry_host(settings.account_id, settings.region);
  state.repository_uri = state.registry + "/" + settings.repository;
  state.registry_scanning = settings.registry_scanning;
  // What deploy.yml's steps call, from the one table (src/aws/permissions.h).
  state.ecr_public = settings.ecr_public;
  state.inline_policy = aws::workflow_policy({state.repository_arn, state.role_arn, state.provider_arn}, state.ecr_public);
  state.managed_policy_arn = "arn:" + state.partition + ":iam::aws:policy/" + std::string(kPowerUserPolicy);
  state.mutability_exclusions = {std::string(kMutableTag)};
  state.lifecycle_policy = lifecycle_policy();
  if (!settings.deploy_service.empty()) state.deploy = desired_deploy(settings, partition.id);
  return state;
}

void include_ecr_public_login(DesiredState& desired) {
  desired.ecr_public = aws::EcrPublicLogin::kInclude;
  desired.inline_policy = aws::workflow_policy({desired.repository_arn, desired.role_arn, desired.provider_arn},
                                               desired.ecr_public);
}

}  // namespace eem::bootstrap
