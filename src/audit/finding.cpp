// Finding ids are stable: never renumber or reuse one; add new ones at the end
// of their block. Sources: the seed's "security best practices" section;
// GitHub docs "Security hardening for GitHub Actions" (pinning, permissions,
// pull_request_target) and "Automatic token authentication"; AWS docs
// "Amazon ECR private repository policies", "Image scanning", "Lifecycle
// policies", and "Logging IAM and AWS STS API calls with AWS CloudTrail".
#include "audit/finding.h"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace eem::audit {

namespace {

constexpr std::array<std::string_view, 4> kSeverities{"low", "medium", "high", "critical"};

constexpr std::array<std::string_view, 6> kChecks{"role-permissions", "trust-policy", "workflows", "repository",
                                                  "cloudtrail", "coherence"};

constexpr std::array<std::string_view, 5> kStatuses{"passed", "findings", "denied", "not_found", "error"};

}  // namespace

std::string_view severity_name(Severity severity) noexcept { return kSeverities[static_cast<std::size_t>(severity)]; }

std::optional<Severity> parse_severity(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kSeverities.size(); ++i) {
    if (kSeverities[i] == name) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

std::string_view check_name(CheckName check) noexcept { return kChecks[static_cast<std::size_t>(check)]; }

std::optional<CheckName> parse_check_name(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kChecks.size(); ++i) {
    if (kChecks[i] == name) return static_cast<CheckName>(i);
  }
  return std::nullopt;
}

std::string_view status_name(CheckStatus status) noexcept { return kStatuses[static_cast<std::size_t>(status)]; }

const std::vector<FindingKind>& finding_catalogue() {
  static const std::vector<FindingKind> kKinds{
      // role-permissions: least privilege (seed practice 1)
      {"AUD001", Severity::kCritical, "the role has administrator access"},
      {"AUD002", Severity::kHigh, "a broad AWS managed policy is attached to the role"},
      {"AUD003", Severity::kHigh, "a role policy grants wildcard or NotAction actions"},
      {"AUD004", Severity::kMedium, "ECR push actions are granted on every repository"},
      {"AUD005", Severity::kMedium, "the role may call actions no workflow command needs"},
      // trust-policy: branch restriction (seed practice 2), via iam::lint_policy
      {"AUD006", Severity::kHigh, "the trust policy admits more workflows than intended, or none"},
      // role-permissions: shipctl deploy's grants (issue 14)
      {"AUD007", Severity::kHigh, "ECS deploy actions are granted beyond the one service"},
      {"AUD008", Severity::kHigh, "iam:PassRole is granted on every role"},
      // trust-policy: the subject form the repository really uses (issue 15; ids from AUD023 on)
      {"AUD023", Severity::kHigh, "the trust policy admits only name subjects, but the repository uses immutable subjects"},
      {"AUD024", Severity::kHigh, "the trust policy admits only immutable subjects, but the repository uses name subjects"},
      // workflows: the role ARN as a secret, no keys (seed practice 3); GitHub hardening guide
      {"AUD010", Severity::kHigh, "the role ARN is hard-coded in a workflow"},
      {"AUD011", Severity::kCritical, "AWS access key material is written in a workflow"},
      {"AUD012", Severity::kMedium, "long-lived AWS access keys are used instead of OIDC"},
      {"AUD013", Severity::kHigh, "a third-party action is not pinned to a full commit SHA"},
      {"AUD014", Severity::kLow, "a GitHub-owned action is not pinned to a full commit SHA"},
      {"AUD015", Severity::kMedium, "a job runs with the repository's default token permissions"},
      {"AUD016", Severity::kHigh, "permissions: write-all"},
      {"AUD017", Severity::kMedium, "id-token: write is granted to jobs that do not assume a role"},
      {"AUD018", Severity::kMedium, "a write permission beyond id-token is granted"},
      {"AUD019", Severity::kCritical, "pull_request_target checks out the pull request's code"},
      // repository: ECR settings
      {"AUD020", Severity::kMedium, "scan on push is off"},
      {"AUD021", Severity::kMedium, "image tags are mutable"},
      {"AUD022", Severity::kLow, "the repository has no lifecycle policy"},
      // cloudtrail: auditing AssumeRole use (seed practice 4)
      {"AUD030", Severity::kMedium, "no trail records management events in the region"},
      {"AUD032", Severity::kLow, "trails record only part of the management events"},
      // audit's own
      {"AUD040", Severity::kMedium, "a workflow file cannot be parsed"},
      // trust-policy: the ECS Express roles shipctl deploy passes (issue 14)
      {"AUD060", Severity::kMedium, "an ECS Express role shipctl deploy passes does not exist"},
      {"AUD061", Severity::kHigh, "an ECS Express role trusts another principal than its ECS service"},
      // coherence: the workflows' OIDC subjects against the trust policy (issue 15)
      {"AUD050", Severity::kHigh, "a workflow job's OIDC subject will be refused by the trust policy"},
      {"AUD051", Severity::kLow, "the trust policy admits a subject no workflow job presents"},
      {"AUD052", Severity::kMedium, "a wildcard in the trust policy admits more than the workflow jobs need"},
  };
  return kKinds;
}

const FindingKind& finding_kind(std::string_view id) {
  const auto& kinds = finding_catalogue();
  const auto it = std::find_if(kinds.begin(), kinds.end(), [&](const FindingKind& k) { return k.id == id; });
  if (it == kinds.end()) throw std::out_of_range("unknown audit finding id " + std::string(id));
  return *it;
}

Finding make_finding(std::string_view id, CheckName check, std::string resource, std::vector<std::string> evidence,
                     std::string fix) {
  const FindingKind& kind = finding_kind(id);
  return Finding{std::string(id),     kind.severity,       std::string(check_name(check)), std::move(resource),
                 std::string(kind.title), std::move(evidence), std::move(fix)};
}

void settle(CheckResult& result) {
  result.status = result.findings.empty() ? CheckStatus::kPassed : CheckStatus::kFindings;
}

}  // namespace eem::audit
