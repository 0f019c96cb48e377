#include "issuer/claims.h"

#include <nlohmann/json.hpp>

namespace eem::issuer {

namespace {

using util::ErrorKind;

// GitHub's real tokens carry nbf = iat - 300 (see the github/actions-oidc-
// debugger README's sample); verifiers need leeway for it anyway.
constexpr std::int64_t kNotBeforeSkew = 300;

bool decimal(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

std::string owner_of(const std::string& repository) { return repository.substr(0, repository.find('/')); }

// "branch" for refs/heads/ and refs/pull/ (GitHub reports PR merge refs as
// branches), "tag" for refs/tags/.
std::string ref_type(const std::string& ref) { return ref.starts_with("refs/tags/") ? "tag" : "branch"; }

}  // namespace

util::Result<void> validate_run(const RunConfig& config) {
  const auto& f = config.facts;
  const auto slash = f.repository.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == f.repository.size() ||
      f.repository.find('/', slash + 1) != std::string::npos) {
    return util::fail(ErrorKind::kInvalidInput, "--repository must be OWNER/REPO, not '" + f.repository + "'");
  }
  if (!f.ref.starts_with("refs/")) {
    return util::fail(ErrorKind::kInvalidInput, "--ref must be a full ref such as refs/heads/main, not '" + f.ref + "'");
  }
  if (!decimal(f.owner_id) || !decimal(f.repo_id) || !decimal(config.actor_id)) {
    return util::fail(ErrorKind::kInvalidInput, "--owner-id, --repo-id and --actor-id must be decimal numbers");
  }
  if (config.lifetime.count() <= 0) return util::fail(ErrorKind::kInvalidInput, "--lifetime must be positive");
  auto sub = oidc::build_subject(f);
  if (!sub) return std::unexpected(sub.error());
  return {};
}

std::string default_audience(const RunConfig& config) { return "https://github.com/" + owner_of(config.facts.repository); }

util::Result<std::string> build_claims(const RunConfig& config, const std::string& issuer,
                                       const std::string& audience, std::int64_t now_seconds,
                                       const std::string& jti) {
  const auto& f = config.facts;
  auto sub = oidc::build_subject(f);
  if (!sub) return std::unexpected(sub.error());
  const std::string workflow_ref = f.repository + "/.github/workflows/" + config.workflow_file + "@" + f.ref;
  nlohmann::ordered_json claims{{"jti", jti}, {"sub", *sub}};
  if (!f.environment.empty()) claims["environment"] = f.environment;
  claims.update(nlohmann::ordered_json{
      {"aud", audience}, {"ref", f.ref}, {"sha", config.sha}, {"repository", f.repository},
      {"repository_owner", owner_of(f.repository)}, {"actor_id", config.actor_id},
      {"repository_visibility", config.repository_visibility}, {"repository_id", f.repo_id},
      {"repository_owner_id", f.owner_id}, {"run_id", config.run_id}, {"run_number", config.run_number},
      {"run_attempt", config.run_attempt}, {"runner_environment", config.runner_environment},
      {"actor", config.actor}, {"workflow", config.workflow}, {"head_ref", config.head_ref},
      {"base_ref", config.base_ref}, {"event_name", f.event_name}, {"ref_protected", "false"},
      {"ref_type", ref_type(f.ref)}, {"workflow_ref", workflow_ref}, {"workflow_sha", config.sha},
      {"job_workflow_ref", workflow_ref}, {"job_workflow_sha", config.sha}, {"iss", issuer},
      {"nbf", now_seconds - kNotBeforeSkew}, {"exp", now_seconds + config.lifetime.count()},
      {"iat", now_seconds}});
  return claims.dump();
}

}  // namespace eem::issuer
