#pragma once
// The claims of a GitHub Actions OIDC ID token, as GitHub mints them (GitHub
// docs "OpenID Connect reference", "OIDC token claims" and its example
// token). Numeric ids are JSON strings there (actor_id, repository_id, ...)
// and stay strings here.

#include <chrono>
#include <cstdint>
#include <string>

#include "oidc/github_subject.h"
#include "util/error.h"

namespace eem::issuer {

// One simulated workflow run: what the job's token describes.
struct RunConfig {
  oidc::RunFacts facts;  // repository, ids, event, ref, environment, subject format
  std::string sha = std::string(40, '0');
  std::string actor = "octocat";
  std::string actor_id = "583231";  // octocat's user id on github.com
  std::string workflow = "Build and Push to ECR";  // the seed's workflow name
  std::string workflow_file = "deploy.yml";        // under .github/workflows/
  std::string run_id = "1";
  std::string run_number = "1";
  std::string run_attempt = "1";
  std::string head_ref, base_ref;  // pull_request events only
  std::string repository_visibility = "private";
  std::string runner_environment = "github-hosted";
  // GitHub's tokens live 5 minutes after iat (DESIGN.md section 3).
  std::chrono::seconds lifetime{300};
};

// Checks `config` before serving: the repository is OWNER/REPO, the ref is
// set (refs/...), ids are decimal, the subject can be built. kInvalidInput
// names the flag to fix.
util::Result<void> validate_run(const RunConfig& config);

// The default audience when the job asks for none: "the URL of the
// repository owner" (GitHub docs), https://github.com/OWNER.
std::string default_audience(const RunConfig& config);

// The token's payload as compact JSON, claims in GitHub's order: jti, sub,
// environment (only with one), aud, ref, sha, repository, ... iss, nbf, exp,
// iat. nbf is 5 minutes before iat, as in GitHub's tokens.
util::Result<std::string> build_claims(const RunConfig& config, const std::string& issuer,
                                       const std::string& audience, std::int64_t now_seconds,
                                       const std::string& jti);

}  // namespace eem::issuer
