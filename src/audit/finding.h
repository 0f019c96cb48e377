#pragma once
// `shipctl audit`: the seed's four security practices (least privilege,
// branch restriction, the role ARN as a secret, CloudTrail auditing) plus
// GitHub's Actions hardening guide, as checks. A check yields findings with
// stable ids (never renumbered; the table is in finding.cpp), or says why it
// could not run. Library code here never prints: rendering is report.h's.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eem::audit {

enum class Severity { kLow, kMedium, kHigh, kCritical };

// "low", "medium", "high", "critical".
std::string_view severity_name(Severity severity) noexcept;
// Parses a severity name (lower case); nullopt when unknown.
std::optional<Severity> parse_severity(std::string_view name) noexcept;

// One problem found. `id` is stable ("AUD002"); `evidence` lines quote what
// was seen (a policy ARN, "deploy.yml:23: uses: docker/setup-buildx-action@v3",
// a linter rule id); never a secret value.
struct Finding {
  std::string id;
  Severity severity = Severity::kMedium;
  std::string check;     // "role-permissions", "workflows", ... (CheckName)
  std::string resource;  // what it is about: a role name, a file, a repository
  std::string title;     // one line: what is wrong
  std::vector<std::string> evidence;
  std::string fix;  // one line: what to do
};

// The checks `shipctl audit` runs, in order.
enum class CheckName { kRolePermissions, kTrustPolicy, kWorkflows, kRepository, kCloudTrail, kCoherence };
std::string_view check_name(CheckName check) noexcept;  // "role-permissions", ...
std::optional<CheckName> parse_check_name(std::string_view name) noexcept;
inline constexpr CheckName kAllChecks[] = {CheckName::kRolePermissions, CheckName::kTrustPolicy, CheckName::kWorkflows,
                                           CheckName::kRepository, CheckName::kCloudTrail, CheckName::kCoherence};

// How a check ended. kDenied and kNotFound do not stop the audit.
enum class CheckStatus {
  kPassed,    // ran; no finding
  kFindings,  // ran; findings below
  kDenied,    // could not run: the caller lacks a permission (AccessDenied)
  kNotFound,  // could not run: the thing to audit does not exist
  kError,     // could not run: another failure (network, malformed input)
};
std::string_view status_name(CheckStatus status) noexcept;  // "passed", "findings", "denied", ...

struct CheckResult {
  explicit CheckResult(CheckName which) : check(which) {}

  CheckName check;
  CheckStatus status = CheckStatus::kPassed;
  std::string subject;  // what was audited ("role GitHubActionsECRRole")
  std::string message;  // why it could not run; empty otherwise
  std::vector<Finding> findings;
};

// Catalogue entry of one finding id: its default severity and title.
struct FindingKind {
  std::string_view id;
  Severity severity;
  std::string_view title;
};
// Every finding id, in id order (for `--help` and docs).
const std::vector<FindingKind>& finding_catalogue();
// The catalogue entry of `id`; throws std::out_of_range for an unknown id (a bug).
const FindingKind& finding_kind(std::string_view id);

// A finding of kind `id` (severity and title from the catalogue).
Finding make_finding(std::string_view id, CheckName check, std::string resource, std::vector<std::string> evidence,
                     std::string fix);

// Sets `result.status` from its findings (kPassed or kFindings).
void settle(CheckResult& result);

}  // namespace eem::audit
