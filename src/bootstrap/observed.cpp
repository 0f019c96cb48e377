#include "bootstrap/observed.h"

namespace eem::bootstrap {

namespace {

using util::ErrorKind;

// nullopt for kNotFound, the value for success, the error otherwise.
template <class T>
util::Result<std::optional<T>> optional_of(aws::ApiResult<T> result, const std::string& context) {
  if (result) return std::optional<T>(std::move(*result));
  if (result.error().kind == ErrorKind::kNotFound) return std::optional<T>();
  return std::unexpected(result.error().to_error().with_context(context));
}

util::Result<std::optional<ObservedProvider>> read_provider(aws::IamClient& iam, const DesiredState& desired) {
  auto provider = optional_of(iam.get_oidc_provider(desired.provider_arn), "reading OIDC provider " + desired.provider_arn);
  if (!provider) return std::unexpected(provider.error());
  if (!*provider) return std::optional<ObservedProvider>();
  return ObservedProvider{(*provider)->arn, (*provider)->client_ids};
}

util::Result<std::optional<ObservedRole>> read_role(aws::IamClient& iam, const DesiredState& desired) {
  const std::string context = "reading role " + desired.role_name;
  auto role = optional_of(iam.get_role(desired.role_name), context);
  if (!role) return std::unexpected(role.error());
  if (!*role) return std::optional<ObservedRole>();
  ObservedRole observed{(*role)->arn, (*role)->trust_policy, std::nullopt, {}};
  auto inline_policy = optional_of(iam.get_role_policy(desired.role_name, desired.inline_policy_name), context);
  if (!inline_policy) return std::unexpected(inline_policy.error());
  observed.inline_policy = std::move(*inline_policy);
  auto attached = iam.list_attached_role_policies(desired.role_name);
  if (!attached) return std::unexpected(attached.error().to_error().with_context(context));
  for (const auto& policy : *attached) observed.attached_policy_arns.push_back(policy.arn);
  if (desired.deploy) {
    auto deploy_policy = optional_of(iam.get_role_policy(desired.role_name, desired.deploy->policy_name), context);
    if (!deploy_policy) return std::unexpected(deploy_policy.error());
    observed.deploy_policy = std::move(*deploy_policy);
  }
  return observed;
}

util::Result<std::optional<ObservedServiceRole>> read_service_role(aws::IamClient& iam, const DesiredServiceRole& desired) {
  const std::string context = "reading role " + desired.name;
  auto role = optional_of(iam.get_role(desired.name), context);
  if (!role) return std::unexpected(role.error());
  if (!*role) return std::optional<ObservedServiceRole>();
  ObservedServiceRole observed{(*role)->arn, (*role)->trust_policy, {}};
  auto attached = iam.list_attached_role_policies(desired.name);
  if (!attached) return std::unexpected(attached.error().to_error().with_context(context));
  for (const auto& policy : *attached) observed.attached_policy_arns.push_back(policy.arn);
  return observed;
}

util::Result<void> read_deploy_roles(aws::IamClient& iam, const DesiredDeploy& desired, ObservedState& state) {
  auto execution = read_service_role(iam, desired.execution_role);
  if (!execution) return std::unexpected(execution.error());
  state.execution_role = std::move(*execution);
  auto infrastructure = read_service_role(iam, desired.infrastructure_role);
  if (!infrastructure) return std::unexpected(infrastructure.error());
  state.infrastructure_role = std::move(*infrastructure);
  return {};
}

util::Result<std::optional<ObservedRepository>> read_repository(aws::EcrClient& ecr, const DesiredState& desired) {
  const std::string context = "reading ECR repository " + desired.repository;
  auto found = optional_of(ecr.describe_repositories({desired.repository}), context);
  if (!found) return std::unexpected(found.error());
  if (!*found || (*found)->empty()) return std::optional<ObservedRepository>();
  const aws::Repository& repository = (*found)->front();
  ObservedRepository observed{repository.arn, repository.uri, repository.image_tag_mutability,
                              repository.mutability_exclusions, std::nullopt};
  auto lifecycle = optional_of(ecr.get_lifecycle_policy(desired.repository), context);
  if (!lifecycle) return std::unexpected(lifecycle.error());
  observed.lifecycle_policy = std::move(*lifecycle);
  return observed;
}

// ECR answers BASIC without rules for a registry nobody configured, so any
// failure here is one (commonly: an administrator policy written before
// bootstrap read the registry).
util::Result<aws::RegistryScanningConfiguration> read_registry_scanning(aws::EcrClient& ecr, const DesiredState& d) {
  auto configuration = ecr.get_registry_scanning_configuration();
  if (configuration) return std::move(*configuration);
  util::Error error = configuration.error().to_error().with_context("reading the registry scanning configuration of " +
                                                                     d.registry);
  if (error.kind == ErrorKind::kDenied) {
    error.message += "; bootstrap needs ecr:GetRegistryScanningConfiguration (and ecr:PutRegistryScanningConfiguration "
                     "to add the repository to the registry's scan-on-push rule), or pass --skip-registry-scanning to "
                     "leave the registry's scanning configuration as it is";
  }
  return std::unexpected(std::move(error));
}

}  // namespace

util::Result<ObservedState> observe(aws::IamClient& iam, aws::EcrClient& ecr, const DesiredState& desired) {
  ObservedState state;
  auto provider = read_provider(iam, desired);
  if (!provider) return std::unexpected(provider.error());
  state.provider = std::move(*provider);
  auto role = read_role(iam, desired);
  if (!role) return std::unexpected(role.error());
  state.role = std::move(*role);
  auto repository = read_repository(ecr, desired);
  if (!repository) return std::unexpected(repository.error());
  state.repository = std::move(*repository);
  if (desired.registry_scanning) {
    auto scanning = read_registry_scanning(ecr, desired);
    if (!scanning) return std::unexpected(scanning.error());
    state.registry_scanning = std::move(*scanning);
  }
  if (desired.deploy) {
    if (auto ok = read_deploy_roles(iam, *desired.deploy, state); !ok) return std::unexpected(ok.error());
  }
  return state;
}

}  // namespace eem::bootstrap
