#include "bootstrap/apply.h"

namespace eem::bootstrap {

namespace {

template <class T>
aws::ApiResult<void> discard(aws::ApiResult<T> result) {
  if (!result) return std::unexpected(result.error());
  return {};
}

aws::ApiResult<void> create_repository(aws::EcrClient& ecr, const DesiredState& d) {
  aws::CreateRepositoryRequest request;
  request.name = d.repository;
  request.image_tag_mutability = d.tag_mutability;
  for (const auto& filter : d.mutability_exclusions) request.exclusions.push_back({filter});
  request.scan_on_push = d.scan_on_push;
  return discard(ecr.create_repository(request));
}

std::vector<aws::TagMutabilityExclusion> exclusions(const DesiredState& d) {
  std::vector<aws::TagMutabilityExclusion> out;
  for (const auto& filter : d.mutability_exclusions) out.push_back({filter});
  return out;
}

const DesiredServiceRole& service_role(const DesiredState& d, const Action& action) {
  return action.role_name == d.deploy->execution_role.name ? d.deploy->execution_role : d.deploy->infrastructure_role;
}

// The --deploy actions (plan_deploy makes them only when d.deploy is set).
aws::ApiResult<void> run_deploy(aws::IamClient& iam, const DesiredState& d, const Action& action) {
  switch (action.kind) {
    case ActionKind::kCreateServiceRole: {
      const DesiredServiceRole& role = service_role(d, action);
      return discard(iam.create_role({role.name, role.trust_policy, role.description, std::nullopt, {}}));
    }
    case ActionKind::kUpdateServiceRoleTrust:
      return iam.update_trust_policy(action.role_name, service_role(d, action).trust_policy);
    case ActionKind::kAttachServiceRolePolicy:
      return iam.attach_role_policy(action.role_name, service_role(d, action).managed_policy_arn);
    case ActionKind::kPutDeployPolicy: return iam.put_role_policy(d.role_name, d.deploy->policy_name, d.deploy->policy);
    default: return {};
  }
}

aws::ApiResult<void> run_iam(aws::IamClient& iam, const DesiredState& d, const Action& action) {
  switch (action.kind) {
    case ActionKind::kCreateProvider:
      // No thumbprint: AWS ignores it for token.actions.githubusercontent.com
      // since July 2023 and accepts an empty list (DESIGN.md section 3).
      return discard(iam.create_oidc_provider(d.provider_url, {d.client_id}, {}));
    case ActionKind::kAddClientId: return iam.add_client_id_to_oidc_provider(d.provider_arn, d.client_id);
    case ActionKind::kCreateRole:
      return discard(iam.create_role({d.role_name, d.trust_policy,
                                      "GitHub Actions deploys to ECR (managed by shipctl bootstrap)", std::nullopt, {}}));
    case ActionKind::kUpdateTrustPolicy: return iam.update_trust_policy(d.role_name, d.trust_policy);
    case ActionKind::kPutInlinePolicy: return iam.put_role_policy(d.role_name, d.inline_policy_name, d.inline_policy);
    case ActionKind::kDeleteInlinePolicy: return iam.delete_role_policy(d.role_name, d.inline_policy_name);
    case ActionKind::kAttachManagedPolicy: return iam.attach_role_policy(d.role_name, d.managed_policy_arn);
    case ActionKind::kDetachManagedPolicy: return iam.detach_role_policy(d.role_name, d.managed_policy_arn);
    default: return d.deploy ? run_deploy(iam, d, action) : aws::ApiResult<void>{};
  }
}

// PutRegistryScanningConfiguration replaces every rule of the account's
// registry: the configuration is read again first, and a change made since
// the plan (by someone else) stops the step rather than be overwritten.
aws::ApiResult<void> put_registry_scanning(aws::EcrClient& ecr, const ScanningChange& change) {
  auto now = ecr.get_registry_scanning_configuration();
  if (!now) return std::unexpected(now.error());
  if (*now != change.before) {
    return std::unexpected(aws::from_error(
        {util::ErrorKind::kConflict,
         "the registry's scanning configuration changed since the plan was made; nothing was written: run shipctl "
         "bootstrap again to see the new plan"},
        "ECR", "PutRegistryScanningConfiguration"));
  }
  return ecr.put_registry_scanning_configuration(change.after);
}

aws::ApiResult<void> run_ecr(aws::EcrClient& ecr, const DesiredState& d, const Action& action) {
  switch (action.kind) {
    case ActionKind::kCreateRepository: return create_repository(ecr, d);
    case ActionKind::kPutRegistryScanning: return put_registry_scanning(ecr, *action.scanning);
    case ActionKind::kPutTagMutability: return ecr.put_image_tag_mutability(d.repository, d.tag_mutability, exclusions(d));
    case ActionKind::kPutLifecyclePolicy: return ecr.put_lifecycle_policy(d.repository, d.lifecycle_policy);
    default: return {};
  }
}

bool is_ecr(ActionKind kind) {
  return kind == ActionKind::kCreateRepository || kind == ActionKind::kPutTagMutability ||
         kind == ActionKind::kPutLifecyclePolicy || kind == ActionKind::kPutRegistryScanning;
}

}  // namespace

util::Result<void> apply_plan(aws::IamClient& iam, aws::EcrClient& ecr, const DesiredState& desired,
                              const std::vector<Action>& actions, const ApplyProgress& progress) {
  for (std::size_t i = 0; i < actions.size(); ++i) {
    const Action& action = actions[i];
    if (progress) progress(action, i + 1, actions.size());
    auto done = is_ecr(action.kind) ? run_ecr(ecr, desired, action) : run_iam(iam, desired, action);
    if (!done) {
      const std::string step = "step " + std::to_string(i + 1) + "/" + std::to_string(actions.size()) + " (" +
                               action.summary + ")";
      util::Error error = done.error().to_error().with_context(step);
      if (i > 0) error.message += "; the steps before it are done: run shipctl bootstrap again to finish";
      return std::unexpected(std::move(error));
    }
  }
  return {};
}

}  // namespace eem::bootstrap
