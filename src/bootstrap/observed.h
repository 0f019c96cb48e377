#pragma once
// What exists in the account now, read through the IAM and ECR clients.
// Only the resources bootstrap manages are read; absent ones are nullopt.

#include <optional>
#include <string>
#include <vector>

#include "aws/ecr.h"
#include "aws/iam.h"
#include "bootstrap/desired.h"

namespace eem::bootstrap {

struct ObservedProvider {
  std::string arn;
  std::vector<std::string> client_ids;
};

struct ObservedRole {
  std::string arn;
  std::string trust_policy;                  // decoded JSON as IAM returns it
  std::optional<std::string> inline_policy;  // our inline policy, when present
  std::vector<std::string> attached_policy_arns;
  std::optional<std::string> deploy_policy{};  // ShipctlExpressDeploy; read only with --deploy
};

// The execution or infrastructure role (--deploy).
struct ObservedServiceRole {
  std::string arn;
  std::string trust_policy;  // decoded JSON
  std::vector<std::string> attached_policy_arns;
};

struct ObservedRepository {
  std::string arn;
  std::string uri;
  std::string tag_mutability;
  std::vector<std::string> mutability_exclusions;
  std::optional<std::string> lifecycle_policy;
};

struct ObservedState {
  std::optional<ObservedProvider> provider;
  std::optional<ObservedRole> role;
  std::optional<ObservedRepository> repository;
  std::optional<ObservedServiceRole> execution_role;       // --deploy only
  std::optional<ObservedServiceRole> infrastructure_role;  // --deploy only
  // The registry's scanning configuration; nullopt when not read
  // (desired.registry_scanning false: --skip-registry-scanning).
  std::optional<aws::RegistryScanningConfiguration> registry_scanning{};
};

// Reads the provider (by its ARN), the role (trust policy, our inline
// policy, attached policies) and the repository (settings, lifecycle
// policy) that `desired` names, and with `desired.deploy` the two ECS
// Express roles and ShipctlExpressDeploy, and unless skipped the registry's
// scanning configuration. "Not found" answers become nullopt; any other
// failure is returned with the resource in its context (a refused registry
// read also names the permission and --skip-registry-scanning).
util::Result<ObservedState> observe(aws::IamClient& iam, aws::EcrClient& ecr, const DesiredState& desired);

}  // namespace eem::bootstrap
