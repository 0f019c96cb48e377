#pragma once
// Shared by the audit's AWS-backed checks (audit.cpp, role_audit.cpp).

#include "audit/audit.h"
#include "aws/api_error.h"

namespace eem::audit {

// Ends `result` as the failed call `error` says: kDenied, kNotFound or kError,
// with the error's text as the message; findings so far are kept. Returns
// false, so callers can `return fail_check(...)`.
bool fail_check(CheckResult& result, const aws::ApiError& error);

// Both role checks (role-permissions, trust-policy) from one GetRole.
struct RoleChecks {
  CheckResult permissions{CheckName::kRolePermissions};
  CheckResult trust{CheckName::kTrustPolicy};
  std::string role_arn;      // empty when GetRole failed
  std::string trust_policy;  // the role's trust policy document
};

// The coherence check from the role's trust policy (or GetRole's failure,
// in `role.trust`) and the workflow files.
CheckResult audit_coherence(const AuditOptions& options, const RoleChecks& role);
RoleChecks audit_role(const AuditOptions& options, aws::IamClient& iam);

}  // namespace eem::audit
