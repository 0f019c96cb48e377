#pragma once
// Checks on the role's policies, without AWS calls (audit.cpp fetches the
// documents): least privilege of its permission policies (AUD001-AUD005)
// and its trust policy through the policy linter (AUD006, with the linter's
// rule ids in the evidence; the rules themselves live in iam/lint.cpp only).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/finding.h"
#include "iam/lint.h"
#include "util/error.h"

namespace eem::audit {

struct RoleContext {
  std::string role_name;       // "GitHubActionsECRRole"
  std::string repository_arn;  // the ECR repository the role pushes to, for fixes
  // The roles shipctl deploy passes (the execution and infrastructure role
  // ARNs): iam:PassRole on exactly these is no excess (AUD005).
  std::vector<std::string> deploy_roles{};
};

// AUD001/AUD002 for an attached AWS managed policy known to be broad
// (AdministratorAccess, PowerUserAccess, AmazonEC2ContainerRegistryPowerUser,
// AmazonEC2ContainerRegistryFullAccess), judged from `policy_arn` alone;
// nullopt for any other policy, whose document must then be checked.
std::optional<Finding> check_known_managed_policy(const RoleContext& role, const std::string& policy_arn);

// AUD001 (Allow "*" on "*"), AUD003 (linter IAM003/IAM004), AUD004
// (IAM005) and AUD005 (actions beyond the workflow's rows of the permission
// table, aws/permissions.h: one finding per severity, see excess_severity)
// for one permission policy `document`; `source` names it in the
// evidence ("inline policy ecr-push", "managed policy arn:..."). Fails
// (kInvalidInput) when the document does not parse.
util::Result<std::vector<Finding>> check_permission_policy(const RoleContext& role, std::string_view source,
                                                           std::string_view document);

// How much an allowed action the workflow does not need matters: high for
// deletions (DeleteRepository, BatchDeleteImage), Set*, Put*Policy and any iam:/sts:/organizations: action (they
// change or widen access), low for reads (Get*, Describe*, List*, BatchGet*),
// medium otherwise. Wildcard actions are AUD003's, not judged here.
Severity excess_severity(std::string_view action);

// AUD006, one per linter finding on the trust `document`: critical when any
// GitHub repository could assume the role (GHA001, GHA002, IAM002), high for
// other linter errors, medium for warnings. The subject-form rules get their
// own ids: GHA010 is AUD023, GHA012 is AUD024 (`options.immutable_subjects`).
util::Result<std::vector<Finding>> check_trust_policy(const RoleContext& role, std::string_view document,
                                                      const iam::LintOptions& options = {});

// The OWNER/REPO the first GitHub sub condition of `document` names (ids
// dropped: "repo:octo@1/app@2:..." -> "octo/app"); empty when none does.
std::string trust_repository(std::string_view document);

}  // namespace eem::audit
