#pragma once
// A small GitHub REST API client (https://docs.github.com/en/rest): the calls
// shipctl needs to set up keyless deploys (bootstrap: repository ids, the OIDC
// subject customization, Actions secrets). All calls go through
// net::HttpClient; the token is a secret and never appears in messages.
//
// Contract:
//  - base URL: GITHUB_API_URL (as set inside Actions, also for GitHub
//    Enterprise Server), else https://api.github.com; trailing '/' removed.
//  - headers: Authorization: Bearer <token>, Accept: application/vnd.github+json,
//    X-GitHub-Api-Version: 2022-11-28, User-Agent (GitHub requires one).
//  - errors: "GitHub API GET /repos/o/r: HTTP 404: Not Found" with kinds
//    401/403 -> kDenied, 404 -> kNotFound, 422 -> kInvalidInput,
//    429 or 403 with x-ratelimit-remaining: 0 -> kThrottled, 5xx and
//    transport failures -> kTransient. Not retried here.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/http_client.h"
#include "util/env.h"
#include "util/error.h"

namespace eem::github {

inline constexpr std::string_view kDefaultApiUrl = "https://api.github.com";

// GITHUB_API_URL from `env`, else kDefaultApiUrl.
std::string api_url(const util::EnvLookup& env);

// GET /repos/{owner}/{repo}.
struct RepositoryInfo {
  std::string full_name;   // "octo-org/octo-repo", as GitHub spells it
  std::string owner_id;    // owner.id, decimal
  std::string repo_id;     // id, decimal
  std::string created_at;  // ISO 8601, "2026-07-20T09:00:00Z"
};

// GET /repos/{owner}/{repo}/actions/secrets/public-key.
struct PublicKey {
  std::string key_id;
  std::string key;  // base64 of the 32-byte X25519 public key
};

// GET /repos/{owner}/{repo}/actions/oidc/customization/sub
// (docs.github.com/en/rest/actions/oidc, "Get the customization template for
// an OIDC subject claim for a repository"). Since the immutable-subject
// rollout (github.blog/changelog/2026-04-23-immutable-subject-claims-for-
// github-actions-oidc-tokens) the answer also carries use_immutable_subject
// and sub_claim_prefix (go-github v89 OIDCSubjectClaimCustomTemplate;
// integrations/terraform-provider-github#3548). The prefix is GitHub's own
// spelling of the repository in its subjects ("repo:octo@1/app@2"); it can
// be immutable while use_immutable_subject is false (a repository immutable
// by creation date rather than by opting in), so the prefix decides.
struct SubjectCustomization {
  bool use_default = true;
  std::vector<std::string> include_claim_keys;  // when !use_default, e.g. {"repo", "context"}
  std::optional<bool> use_immutable_subject;    // absent from older answers (and GHES)
  std::string sub_claim_prefix;                 // empty when GitHub sent none
};

// GET /orgs/{org}/actions/oidc/customization/sub: the organization's
// template, used by repositories with use_default false and no keys of their
// own (the Pulumi/Terraform provider's documented use_default table).
struct OrgSubjectCustomization {
  std::vector<std::string> include_claim_keys;
  std::optional<bool> use_immutable_subject;
};

class Client {
 public:
  // `http` is not owned. `token` (GITHUB_TOKEN) is sent as a bearer token.
  Client(net::HttpClient& http, std::string base_url, std::string token);

  util::Result<RepositoryInfo> repository(std::string_view owner_repo);
  util::Result<SubjectCustomization> oidc_subject_customization(std::string_view owner_repo);
  util::Result<OrgSubjectCustomization> org_oidc_subject_customization(std::string_view org);
  util::Result<PublicKey> actions_public_key(std::string_view owner_repo);
  // Seals `value` for `key` (libsodium sealed box, via crypto::seal) and
  // PUTs it as the Actions secret `name` (created or updated).
  util::Result<void> put_actions_secret(std::string_view owner_repo, std::string_view name, const PublicKey& key,
                                        std::string_view value);

 private:
  util::Result<std::string> call(std::string_view method, const std::string& path, std::string body = {});

  net::HttpClient* http_;
  std::string base_url_;
  std::string token_;
};

}  // namespace eem::github
