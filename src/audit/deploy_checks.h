#pragma once
// The audit of `shipctl deploy`'s side of the account (issue 14), without
// AWS calls (role_audit.cpp fetches the documents): the workflow role's ECS
// and iam:PassRole grants against the deploy rows of the permission table
// (AUD007, AUD008), and the trust of the ECS Express execution and
// infrastructure roles (AUD060, AUD061).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/finding.h"
#include "iam/policy.h"

namespace eem::audit {

// The ECS Express roles the audit looks at (audit --deploy SERVICE; the
// names bootstrap --deploy creates by default).
struct DeployRoles {
  std::string service;  // empty: audited only when the role grants ECS actions
  std::string cluster;
  std::string execution_role_name;
  std::string infrastructure_role_name;
};

// True when `policy` allows any ecs: action: the role deploys, so its ECS
// roles are audited too.
bool grants_ecs(const iam::Policy& policy);

// AUD007 (ecs: wildcard actions, or deploy actions on Resource "*" where
// the Service Authorization Reference allows an ARN: high for wildcards and
// writes, medium for reads) and AUD008 (iam:PassRole on "*" or on a role
// pattern) for one permission policy of role `role_name`; `source` names it
// in the evidence ("inline policy ShipctlExpressDeploy"), `roles` the fix.
std::vector<Finding> check_deploy_grants(const DeployRoles& roles, const std::string& role_name,
                                         std::string_view source, const iam::Policy& policy);

// AUD061 when `trust_policy` (the role `role_name`'s, decoded JSON) admits
// any principal but the service `principal` or does not admit it; AUD060
// when the role does not exist (`trust_policy` nullopt). `roles` gives the
// fix's bootstrap command.
std::vector<Finding> check_service_role(const DeployRoles& roles, const std::string& role_name,
                                        std::string_view principal, const std::optional<std::string>& trust_policy);

}  // namespace eem::audit
