// The role checks: GetRole (trust policy), ListAttachedRolePolicies (+
// GetPolicy/GetPolicyVersion for policies not known by name), ListRolePolicies
// (+ GetRolePolicy).
#include "audit/deploy_checks.h"
#include "audit/internal.h"
#include "audit/policy_checks.h"
#include "iam/arn.h"
#include "iam/policy_parser.h"
#include "util/strings.h"

namespace eem::audit {

namespace {

// arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME from the role's ARN.
std::string repository_arn(const std::string& role_arn, const AuditOptions& options) {
  const auto role = iam::Arn::parse(role_arn);
  if (!role) return {};
  return iam::Arn{role->partition, "ecr", options.region, role->account, "repository/" + options.repository}.str();
}

// arn:PARTITION:iam::ACCOUNT:role/NAME in the account of `role_arn`.
std::string role_arn_beside(const std::string& role_arn, const std::string& name) {
  const auto role = iam::parse_role_arn(role_arn);
  if (!role) return {};
  return iam::Arn{role->partition, "iam", "", role->account, "role/" + name}.str();
}

void add_all(CheckResult& result, std::vector<Finding> findings) {
  for (auto& f : findings) result.findings.push_back(std::move(f));
}

// The role being audited, and whether it deploys to ECS Express Mode.
struct RoleScan {
  RoleContext role;
  DeployRoles deploy;
  bool deploys = false;  // --deploy, an ecs: grant, or ShipctlExpressDeploy
};

// Checks one permission policy document; a parse failure is a check error.
bool check_document(CheckResult& result, RoleScan& scan, const std::string& source, const std::string& doc) {
  auto findings = check_permission_policy(scan.role, source, doc);
  if (!findings) {
    result.status = CheckStatus::kError;
    result.message = findings.error().message;
    return false;
  }
  add_all(result, std::move(*findings));
  auto policy = iam::parse_policy(doc);  // parsed above already, so it parses
  if (policy) {
    add_all(result, check_deploy_grants(scan.deploy, scan.role.role_name, source, *policy));
    scan.deploys = scan.deploys || grants_ecs(*policy);
  }
  return true;
}

bool check_attached(CheckResult& result, RoleScan& scan, aws::IamClient& iam) {
  const RoleContext& role = scan.role;
  auto attached = iam.list_attached_role_policies(role.role_name);
  if (!attached) return fail_check(result, attached.error());
  for (const auto& policy : *attached) {
    if (auto known = check_known_managed_policy(role, policy.arn)) {
      result.findings.push_back(std::move(*known));
      continue;
    }
    auto version = iam.get_policy_default_version(policy.arn);
    if (!version) return fail_check(result, version.error());
    auto document = iam.get_policy_version(policy.arn, *version);
    if (!document) return fail_check(result, document.error());
    if (!check_document(result, scan, "managed policy " + policy.arn, *document)) return false;
  }
  return true;
}

bool check_inline(CheckResult& result, RoleScan& scan, aws::IamClient& iam) {
  auto names = iam.list_role_policies(scan.role.role_name);
  if (!names) return fail_check(result, names.error());
  for (const auto& name : *names) {
    auto document = iam.get_role_policy(scan.role.role_name, name);
    if (!document) return fail_check(result, document.error());
    scan.deploys = scan.deploys || name == aws::kDeployPolicyName;
    if (!check_document(result, scan, "inline policy " + name, *document)) return false;
  }
  return true;
}

// AUD060/AUD061 for one ECS Express role; false (and `result` failed) when
// IAM refuses to say.
bool check_service_role_of(CheckResult& result, const DeployRoles& roles, const std::string& name,
                           std::string_view principal, aws::IamClient& iam) {
  auto role = iam.get_role(name);
  std::optional<std::string> trust;
  if (role) trust = role->trust_policy;
  else if (role.error().kind != util::ErrorKind::kNotFound) return fail_check(result, role.error());
  add_all(result, check_service_role(roles, name, principal, trust));
  return true;
}

void check_deploy_roles(CheckResult& result, const DeployRoles& roles, aws::IamClient& iam) {
  if (check_service_role_of(result, roles, roles.execution_role_name, aws::kExecutionRolePrincipal, iam)) {
    check_service_role_of(result, roles, roles.infrastructure_role_name, aws::kInfrastructureRolePrincipal, iam);
  }
}

}  // namespace

RoleChecks audit_role(const AuditOptions& options, aws::IamClient& iam) {
  RoleChecks out;
  out.permissions.subject = out.trust.subject = "role " + options.role_name;
  auto fetched = iam.get_role(options.role_name);
  if (!fetched) {
    fail_check(out.permissions, fetched.error());
    fail_check(out.trust, fetched.error());
    return out;
  }
  out.role_arn = fetched->arn;
  out.trust_policy = fetched->trust_policy;
  RoleScan scan{{options.role_name, repository_arn(fetched->arn, options),
                 {role_arn_beside(fetched->arn, options.execution_role_name),
                  role_arn_beside(fetched->arn, options.infrastructure_role_name)}},
                {options.deploy_service, options.cluster, options.execution_role_name, options.infrastructure_role_name},
                !options.deploy_service.empty()};
  if (check_attached(out.permissions, scan, iam) && check_inline(out.permissions, scan, iam)) settle(out.permissions);
  iam::LintOptions lint;
  if (options.subject_form) {
    const std::string repo = trust_repository(fetched->trust_policy);
    if (!repo.empty()) lint.immutable_subjects = options.subject_form(repo);
  }
  auto trust = check_trust_policy(scan.role, fetched->trust_policy, lint);
  if (!trust) {
    out.trust.status = CheckStatus::kError;
    out.trust.message = trust.error().message;
    return out;
  }
  out.trust.findings = std::move(*trust);
  if (scan.deploys) {
    out.trust.subject += ", " + options.execution_role_name + ", " + options.infrastructure_role_name;
    check_deploy_roles(out.trust, scan.deploy, iam);
    if (out.trust.status != CheckStatus::kPassed) return out;  // IAM refused: keep that status
  }
  settle(out.trust);
  return out;
}

}  // namespace eem::audit
