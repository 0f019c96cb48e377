#pragma once
// The plan: the actions that turn the observed state into the desired one,
// in an order where nothing dangles (the provider before the role that
// trusts it, the role before its policies, the repository before its
// lifecycle policy), so a run that fails mid-way leaves a state that the
// next run completes. An empty plan means "no changes".

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
  kPutImageScanning,
  kPutTagMutability,
  kPutLifecyclePolicy,
  // --deploy (issue 14): the ECS Express roles and ShipctlExpressDeploy.
  kCreateServiceRole,
  kUpdateServiceRoleTrust,
  kAttachServiceRolePolicy,
  kPutDeployPolicy,
};

enum class Change { kCreate, kUpdate, kDelete };

struct Action {
  ActionKind kind;
  Change change;
  std::string resource;  // the ARN, or the name when the ARN is not known yet
  std::string summary;   // one line: "create role GitHubActionsECRRole"
  std::string document;  // the full policy (normalised JSON) the action writes; may be empty
  std::string diff;      // for updates of documents: line diff observed -> desired
  std::string role_name{};  // the ECS Express role a service-role action is about
};

// The actions, in apply order; with `desired.deploy`, the execution role,
// the infrastructure role (each: create, trust, managed policy) and then
// ShipctlExpressDeploy come last.
std::vector<Action> make_plan(const DesiredState& desired, const ObservedState& observed);

// Stable id of `kind` for --json output ("create-role").
std::string_view action_id(ActionKind kind);

}  // namespace eem::bootstrap
