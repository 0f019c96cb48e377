// The role checks: GetRole (trust policy), ListAttachedRolePolicies (+
// GetPolicy/GetPolicyVersion for policies not known by name), ListRolePolicies
// (+ GetRolePolicy).
#include "audit/internal.h"
#include "audit/policy_checks.h"
#include "iam/arn.h"
#include "util/strings.h"

namespace eem::audit {

namespace {

// arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME from the role's ARN.
std::string repository_arn(const std::string& role_arn, const AuditOptions& options) {
  const auto role = iam::Arn::parse(role_arn);
  if (!role) return {};
  return iam::Arn{role->partition, "ecr", options.region, role->account, "repository/" + options.repository}.str();
}

void add_all(CheckResult& result, std::vector<Finding> findings) {
  for (auto& f : findings) result.findings.push_back(std::move(f));
}

// Checks one permission policy document; a parse failure is a check error.
bool check_document(CheckResult& result, const RoleContext& role, const std::string& source, const std::string& doc) {
  auto findings = check_permission_policy(role, source, doc);
  if (!findings) {
    result.status = CheckStatus::kError;
    result.message = findings.error().message;
    return false;
  }
  add_all(result, std::move(*findings));
  return true;
}

bool check_attached(CheckResult& result, const RoleContext& role, aws::IamClient& iam) {
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
    if (!check_document(result, role, "managed policy " + policy.arn, *document)) return false;
  }
  return true;
}

bool check_inline(CheckResult& result, const RoleContext& role, aws::IamClient& iam) {
  auto names = iam.list_role_policies(role.role_name);
  if (!names) return fail_check(result, names.error());
  for (const auto& name : *names) {
    auto document = iam.get_role_policy(role.role_name, name);
    if (!document) return fail_check(result, document.error());
    if (!check_document(result, role, "inline policy " + name, *document)) return false;
  }
  return true;
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
  const RoleContext role{options.role_name, repository_arn(fetched->arn, options)};
  if (check_attached(out.permissions, role, iam) && check_inline(out.permissions, role, iam)) settle(out.permissions);
  iam::LintOptions lint;
  if (options.subject_form) {
    const std::string repo = trust_repository(fetched->trust_policy);
    if (!repo.empty()) lint.immutable_subjects = options.subject_form(repo);
  }
  auto trust = check_trust_policy(role, fetched->trust_policy, lint);
  if (trust) {
    out.trust.findings = std::move(*trust);
    settle(out.trust);
  } else {
    out.trust.status = CheckStatus::kError;
    out.trust.message = trust.error().message;
  }
  return out;
}

}  // namespace eem::audit
