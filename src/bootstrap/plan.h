#pragma once
// The plan: the actions that turn the observed state into the desired one,
// in an order where nothing dangles (the provider before the role that
// trusts it, the role before its policies, the repository before its
// lifecycle policy), so a run that fails mid-way leaves a state that the
// next run completes. An empty plan means "no changes". The registry's
// scanning configuration comes after the repository: it is account-wide, so
// its action carries the whole configuration before and after.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bootstrap/desired.h"
#include "bootstrap/observed.h"

namespace eem::bootstrap {

enum class ActionKind {
  kCreateProvider,
  kAddClientId,
  kCreateRole,
  kUpdateTrustPolicy,
  kPutInlinePolicy,
  kDeleteInlinePolicy,
  kAttachManagedPolicy,
  kDetachManagedPolicy,
  kCreateRepository,
  kPutTagMutability,
  kPutLifecyclePolicy,
  kPutRegistryScanning,  // account-wide: the registry's scanning configuration
  // --deploy (issue 14): the ECS Express roles and ShipctlExpressDeploy.
  kCreateServiceRole,
  kUpdateServiceRoleTrust,
  kAttachServiceRolePolicy,
  kPutDeployPolicy,
};

enum class Change { kCreate, kUpdate, kDelete };

// The registry's scanning configuration as read and as it is to be written.
struct ScanningChange {
  aws::RegistryScanningConfiguration before;
  aws::RegistryScanningConfiguration after;
};

struct Action {
  ActionKind kind;
  Change change;
  std::string resource;  // the ARN, or the name when the ARN is not known yet
  std::string summary;   // one line: "create role GitHubActionsECRRole"
  std::string document;  // the full policy (normalised JSON) the action writes; may be empty
  std::string diff;      // for updates of documents: line diff observed -> desired
  std::string role_name{};  // the ECS Express role a service-role action is about
  // kPutRegistryScanning only: what it changes, and the plain words that say
  // the change is account-wide (shown above the diff).
  std::optional<ScanningChange> scanning{};
  std::string note{};
};

// The actions, in apply order; with `desired.deploy`, the execution role,
// the infrastructure role (each: create, trust, managed policy) and then
// ShipctlExpressDeploy come last. kConflict (bootstrap/registry_scanning.h)
// when the repository cannot be added to the registry's scanning rules
// within ECR's limits.
util::Result<std::vector<Action>> make_plan(const DesiredState& desired, const ObservedState& observed);

// Before make_plan: without --public, a role whose inline policy already
// allows login --public keeps that statement (include_ecr_public_login), as a
// run without --deploy keeps ShipctlExpressDeploy: an opt-in is added by its
// flag and never taken back by a run that omits it.
void keep_opt_ins(DesiredState& desired, const ObservedState& observed);

// Stable id of `kind` for --json output ("create-role").
std::string_view action_id(ActionKind kind);

}  // namespace eem::bootstrap
