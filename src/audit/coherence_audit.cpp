// The coherence check in `shipctl audit`: the role's trust policy (from the
// GetRole that the role checks made) against the workflow files.
#include "audit/internal.h"

namespace eem::audit {

namespace {

// OWNER/REPO (and ids) from the trust policy's first parsable sub value,
// when nothing else names the repository.
bool repository_from_policy(const Judgement& probe, SubjectSettings& settings) {
  for (const auto& a : probe.admitted) {
    auto sub = oidc::parse_subject(a.value);
    if (!sub || sub->owner.find_first_of("*?") != std::string::npos || sub->repo.find_first_of("*?") != std::string::npos) continue;
    settings.github_repo = sub->repository();
    settings.format = sub->format();
    settings.owner_id = sub->owner_id;
    settings.repo_id = sub->repo_id;
    return true;
  }
  return false;
}

void not_run(CheckResult& result, CheckStatus status, std::string message) {
  result.status = status;
  result.message = std::move(message);
}

std::string skipped_text(const std::vector<std::string>& skipped) {
  std::string out;
  for (const auto& s : skipped) out += (out.empty() ? "not predicted: " : "; ") + s;
  return out;
}

}  // namespace

CheckResult audit_coherence(const AuditOptions& options, const RoleChecks& role) {
  CheckResult result{CheckName::kCoherence};
  result.subject = "workflows in " + options.workflows_dir + " against role " + options.role_name;
  if (role.role_arn.empty()) {
    not_run(result, role.trust.status, role.trust.message);
    return result;
  }
  auto workflows = load_workflows(options.workflows_dir);
  if (!workflows) {
    const bool missing = workflows.error().kind == util::ErrorKind::kNotFound;
    not_run(result, missing ? CheckStatus::kNotFound : CheckStatus::kError,
            missing ? "no directory " + options.workflows_dir + " (run in the repository, or pass --workflows DIR)"
                    : workflows.error().message);
    return result;
  }
  SubjectSettings settings = options.subjects;
  const std::string provider = github_provider_arn(role.role_arn);
  if (settings.github_repo.empty()) {
    auto probe = judge_runs({}, role.trust_policy, provider);
    if (!probe || !repository_from_policy(*probe, settings)) {
      not_run(result, CheckStatus::kNotFound, "no GitHub repository: pass --github-repo OWNER/REPO (or run in a checkout with a github.com remote)");
      return result;
    }
    result.subject += " (repository " + settings.github_repo + " from the trust policy)";
  }
  auto predictions = predict_runs(*workflows, settings);
  if (!predictions) {
    not_run(result, CheckStatus::kError, predictions.error().message);
    return result;
  }
  auto judgement = judge_runs(predictions->runs, role.trust_policy, provider);
  if (!judgement) {
    not_run(result, CheckStatus::kError, judgement.error().message);
    return result;
  }
  result.findings = coherence_findings(*judgement, options.role_name);
  settle(result);
  result.message = skipped_text(predictions->skipped);
  for (const auto& line : judgement->dispatch) result.message += (result.message.empty() ? "" : "; ") + line;
  return result;
}

}  // namespace eem::audit
