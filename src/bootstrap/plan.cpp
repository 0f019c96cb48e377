#include "bootstrap/plan.h"

#include <algorithm>

#include "bootstrap/json_diff.h"
#include "bootstrap/policy_change.h"
#include "bootstrap/registry_scanning.h"

namespace eem::bootstrap {

namespace {

using Actions = std::vector<Action>;

bool contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

Action document_update(ActionKind kind, std::string resource, std::string summary, std::string_view observed,
                       std::string_view desired) {
  const std::string normal = normalize_json(desired);
  return {kind, Change::kUpdate, std::move(resource), std::move(summary), normal,
          line_diff(normalize_json(observed), normal)};
}

void plan_provider(const DesiredState& d, const ObservedState& o, Actions& out) {
  if (!o.provider) {
    out.push_back({ActionKind::kCreateProvider, Change::kCreate, d.provider_arn,
                   "create OIDC provider " + d.provider_url + " (client id " + d.client_id + ")", "", ""});
  } else if (!contains(o.provider->client_ids, d.client_id)) {
    out.push_back({ActionKind::kAddClientId, Change::kUpdate, d.provider_arn,
                   "add client id " + d.client_id + " to OIDC provider " + d.provider_url, "", ""});
  }
}

void plan_role(const DesiredState& d, const ObservedState& o, Actions& out) {
  if (!o.role) {
    out.push_back({ActionKind::kCreateRole, Change::kCreate, d.role_arn, "create role " + d.role_name + " with trust policy",
                   normalize_json(d.trust_policy), ""});
  } else if (!same_json(o.role->trust_policy, d.trust_policy)) {
    out.push_back(document_update(ActionKind::kUpdateTrustPolicy, d.role_arn, "update trust policy of role " + d.role_name,
                                  o.role->trust_policy, d.trust_policy));
  }
}

void plan_inline_permissions(const DesiredState& d, const ObservedState& o, Actions& out) {
  const std::optional<std::string> current = o.role ? o.role->inline_policy : std::nullopt;
  const std::string summary = "put inline policy " + d.inline_policy_name + " on role " + d.role_name;
  if (!current) {
    out.push_back({ActionKind::kPutInlinePolicy, Change::kCreate, d.role_arn, summary, normalize_json(d.inline_policy), ""});
  } else if (!same_json(*current, d.inline_policy)) {
    // Names the actions an older version's policy lacks (or no longer needs)
    // above the line diff.
    const std::string change = policy_change_text(policy_change(*current, d.inline_policy));
    out.push_back(document_update(ActionKind::kPutInlinePolicy, d.role_arn, summary + change, *current, d.inline_policy));
  }
  if (o.role && contains(o.role->attached_policy_arns, d.managed_policy_arn)) {
    out.push_back({ActionKind::kDetachManagedPolicy, Change::kDelete, d.managed_policy_arn,
                   "detach " + std::string(kPowerUserPolicy) + " from role " + d.role_name +
                       " (broader than pushing needs; --managed-policy keeps it)",
                   "", ""});
  }
}

void plan_managed_permissions(const DesiredState& d, const ObservedState& o, Actions& out) {
  if (!o.role || !contains(o.role->attached_policy_arns, d.managed_policy_arn)) {
    out.push_back({ActionKind::kAttachManagedPolicy, Change::kCreate, d.managed_policy_arn,
                   "attach " + d.managed_policy_arn + " to role " + d.role_name, "", ""});
  }
  if (o.role && o.role->inline_policy) {
    out.push_back({ActionKind::kDeleteInlinePolicy, Change::kDelete, d.role_arn,
                   "delete inline policy " + d.inline_policy_name + " from role " + d.role_name, "", ""});
  }
}

std::string mutability_text(const std::string& mutability, const std::vector<std::string>& exclusions) {
  std::string text = mutability;
  for (std::size_t i = 0; i < exclusions.size(); ++i) text += (i == 0 ? " except " : ", ") + exclusions[i];
  return text;
}

void plan_repository_settings(const DesiredState& d, const ObservedRepository& r, Actions& out) {
  if (r.tag_mutability != d.tag_mutability || r.mutability_exclusions != d.mutability_exclusions) {
    out.push_back({ActionKind::kPutTagMutability, Change::kUpdate, r.arn,
                   "set tag mutability of ECR repository " + d.repository + ": " +
                       mutability_text(r.tag_mutability, r.mutability_exclusions) + " -> " +
                       mutability_text(d.tag_mutability, d.mutability_exclusions),
                   "", ""});
  }
}

void plan_repository(const DesiredState& d, const ObservedState& o, Actions& out) {
  if (!o.repository) {
    out.push_back({ActionKind::kCreateRepository, Change::kCreate, d.repository_arn,
                   "create ECR repository " + d.repository + " (scan on push, tags " +
                       mutability_text(d.tag_mutability, d.mutability_exclusions) + ")",
                   "", ""});
  } else {
    plan_repository_settings(d, *o.repository, out);
  }
  const std::string summary = "put lifecycle policy on ECR repository " + d.repository;
  const std::optional<std::string> current = o.repository ? o.repository->lifecycle_policy : std::nullopt;
  if (!current) {
    out.push_back({ActionKind::kPutLifecyclePolicy, Change::kCreate, d.repository_arn, summary,
                   normalize_json(d.lifecycle_policy), ""});
  } else if (!same_json(*current, d.lifecycle_policy)) {
    out.push_back(document_update(ActionKind::kPutLifecyclePolicy, d.repository_arn, summary, *current, d.lifecycle_policy));
  }
}

// What the merge adds, in words: a filter to the SCAN_ON_PUSH rule or a new rule.
std::string scanning_addition(const ScanningChange& change, const std::string& repository) {
  const std::string filter = "filter \"" + repository + "\"";
  if (change.after.rules.size() > change.before.rules.size()) return "a SCAN_ON_PUSH rule with " + filter;
  return filter + " in the existing SCAN_ON_PUSH rule";
}

std::string scanning_note(const DesiredState& d, const ScanningChange& change) {
  std::size_t filters = 0;
  for (const auto& rule : change.before.rules) filters += rule.filters.size();
  const std::string kept = change.before.rules.empty()
                               ? "scanType " + change.before.scan_type + " stays (there are no rules yet)"
                               : "scanType " + change.before.scan_type + " and the " +
                                     std::to_string(change.before.rules.size()) + " existing rule(s) with their " +
                                     std::to_string(filters) + " filter(s) stay as they are";
  return "ACCOUNT-WIDE: this is the scanning configuration of the whole registry, every repository of account " +
         d.account_id + " in " + d.region + ", not a setting of " + d.repository + ".\nIt adds " +
         scanning_addition(change, d.repository) + "; " + kept +
         ".\nA filter without '*' matches every repository whose name contains it." +
         (change.before.scan_type == "ENHANCED" ? "\nENHANCED scanning is Amazon Inspector's: it bills the images it scans."
                                                : "");
}

util::Result<void> plan_registry_scanning(const DesiredState& d, const ObservedState& o, Actions& out) {
  if (!d.registry_scanning || !o.registry_scanning) return {};
  auto merged = with_scan_on_push(*o.registry_scanning, d.repository);
  if (!merged) return std::unexpected(merged.error().with_context("scan on push for " + d.repository));
  if (!*merged) return {};
  ScanningChange change{*o.registry_scanning, std::move(**merged)};
  const std::string before = aws::registry_scanning_document(change.before);
  const std::string after = aws::registry_scanning_document(change.after);
  Action action = document_update(ActionKind::kPutRegistryScanning, d.registry,
                                  "scan on push for ECR repository " + d.repository +
                                      ", set in the registry's scanning configuration (account-wide)",
                                  before, after);
  action.note = scanning_note(d, change);
  action.scanning = std::move(change);
  out.push_back(std::move(action));
  return {};
}

void plan_service_role(const DesiredServiceRole& d, const std::optional<ObservedServiceRole>& o, Actions& out) {
  if (!o) {
    out.push_back({ActionKind::kCreateServiceRole, Change::kCreate, d.arn, "create role " + d.name + " with trust policy",
                   normalize_json(d.trust_policy), "", d.name});
  } else if (!same_json(o->trust_policy, d.trust_policy)) {
    Action update = document_update(ActionKind::kUpdateServiceRoleTrust, d.arn, "update trust policy of role " + d.name,
                                    o->trust_policy, d.trust_policy);
    update.role_name = d.name;
    out.push_back(std::move(update));
  }
  if (!o || !contains(o->attached_policy_arns, d.managed_policy_arn)) {
    out.push_back({ActionKind::kAttachServiceRolePolicy, Change::kCreate, d.managed_policy_arn,
                   "attach " + d.managed_policy_arn + " to role " + d.name, "", "", d.name});
  }
}

void plan_deploy(const DesiredState& d, const ObservedState& o, Actions& out) {
  const DesiredDeploy& deploy = *d.deploy;
  plan_service_role(deploy.execution_role, o.execution_role, out);
  plan_service_role(deploy.infrastructure_role, o.infrastructure_role, out);
  const std::optional<std::string> current = o.role ? o.role->deploy_policy : std::nullopt;
  const std::string summary = "put inline policy " + deploy.policy_name + " on role " + d.role_name +
                              " (shipctl deploy of service " + deploy.service + ")";
  if (!current) {
    out.push_back({ActionKind::kPutDeployPolicy, Change::kCreate, d.role_arn, summary, normalize_json(deploy.policy), ""});
  } else if (!same_json(*current, deploy.policy)) {
    const std::string change = policy_change_text(policy_change(*current, deploy.policy));
    out.push_back(document_update(ActionKind::kPutDeployPolicy, d.role_arn, summary + change, *current, deploy.policy));
  }
}

}  // namespace

void keep_opt_ins(DesiredState& desired, const ObservedState& observed) {
  if (desired.policy_mode != PolicyMode::kInline || desired.ecr_public == aws::EcrPublicLogin::kInclude) return;
  if (observed.role && observed.role->inline_policy && grants_ecr_public_login(*observed.role->inline_policy)) {
    include_ecr_public_login(desired);
  }
}

util::Result<std::vector<Action>> make_plan(const DesiredState& desired, const ObservedState& observed) {
  Actions actions;
  plan_provider(desired, observed, actions);
  plan_role(desired, observed, actions);
  if (desired.policy_mode == PolicyMode::kInline) {
    plan_inline_permissions(desired, observed, actions);
  } else {
    plan_managed_permissions(desired, observed, actions);
  }
  plan_repository(desired, observed, actions);
  if (auto ok = plan_registry_scanning(desired, observed, actions); !ok) return std::unexpected(ok.error());
  if (desired.deploy) plan_deploy(desired, observed, actions);
  return actions;
}

std::string_view action_id(ActionKind kind) {
  switch (kind) {
    case ActionKind::kCreateProvider: return "create-oidc-provider";
    case ActionKind::kAddClientId: return "add-client-id";
    case ActionKind::kCreateRole: return "create-role";
    case ActionKind::kUpdateTrustPolicy: return "update-trust-policy";
    case ActionKind::kPutInlinePolicy: return "put-inline-policy";
    case ActionKind::kDeleteInlinePolicy: return "delete-inline-policy";
    case ActionKind::kAttachManagedPolicy: return "attach-managed-policy";
    case ActionKind::kDetachManagedPolicy: return "detach-managed-policy";
    case ActionKind::kCreateRepository: return "create-repository";
    case ActionKind::kPutTagMutability: return "put-tag-mutability";
    case ActionKind::kPutLifecyclePolicy: return "put-lifecycle-policy";
    case ActionKind::kPutRegistryScanning: return "put-registry-scanning-configuration";
    case ActionKind::kCreateServiceRole: return "create-service-role";
    case ActionKind::kUpdateServiceRoleTrust: return "update-service-role-trust-policy";
    case ActionKind::kAttachServiceRolePolicy: return "attach-service-role-policy";
    case ActionKind::kPutDeployPolicy: return "put-deploy-policy";
  }
  return "unknown";
}

}  // namespace eem::bootstrap
