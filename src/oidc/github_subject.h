#pragma once
// GitHub Actions OIDC `sub` claims (GitHub docs "OpenID Connect reference",
// "Example subject claims"; DESIGN.md section 3), built and parsed back:
//   repo:OWNER/REPO:environment:NAME       any job with an environment
//   repo:OWNER/REPO:pull_request           pull_request events
//   repo:OWNER/REPO:ref:refs/heads/BRANCH  branch pushes
//   repo:OWNER/REPO:ref:refs/tags/TAG      tag pushes
// with the immutable form repo:OWNER@OWNER_ID/REPO@REPO_ID:... for
// repositories created or renamed from 2026-07-15, customised subjects
// (include_claim_keys: "key:value" pairs), and ':' in values encoded "%3A".

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/error.h"

namespace eem::oidc {

enum class SubjectFormat { kName, kImmutable };
enum class SubjectContext { kEnvironment, kPullRequest, kBranch, kTag, kOtherRef, kCustom };

struct GithubSubject {
  std::string owner;
  std::string repo;
  std::string owner_id;  // immutable form only
  std::string repo_id;
  SubjectContext context = SubjectContext::kBranch;
  std::string value;  // environment name, branch, tag, or the full ref for kOtherRef
  // For customised subjects: every key:value pair after repo, in order,
  // values decoded.
  std::vector<std::pair<std::string, std::string>> pairs;

  SubjectFormat format() const noexcept { return owner_id.empty() ? SubjectFormat::kName : SubjectFormat::kImmutable; }
  std::string repository() const { return owner + "/" + repo; }
};

// What a workflow run looks like to the token service.
struct RunFacts {
  std::string repository;  // "OWNER/REPO"
  std::string owner_id;    // required for SubjectFormat::kImmutable
  std::string repo_id;
  std::string event_name;   // "push", "pull_request", "workflow_dispatch", ...
  std::string ref;          // "refs/heads/main", "refs/tags/v1"
  std::string environment;  // empty when the job has none
  SubjectFormat format = SubjectFormat::kName;
};

// The `sub` GitHub issues for `facts`, in the precedence of DESIGN.md
// section 3 (environment, then pull_request, then ref). kInvalidInput when
// the repository is not OWNER/REPO, ids are missing for the immutable form,
// or a non-PR run has no ref.
util::Result<std::string> build_subject(const RunFacts& facts);

// The part of the default `sub` after the repository for `facts`, in the
// same precedence: "environment:NAME", "pull_request" or "ref:REF" (values
// encoded). kInvalidInput when a non-PR run has no ref.
util::Result<std::string> subject_context(const RunFacts& facts);

// Parses any form above. kInvalidInput names what is wrong.
util::Result<GithubSubject> parse_subject(std::string_view sub);

// ':' -> "%3A" (GitHub's encoding inside claim values), and back.
std::string encode_subject_value(std::string_view value);
std::string decode_subject_value(std::string_view value);

// The IAM condition keys STS derives from a GitHub Actions token, as
// (key, value) pairs: "<host>:sub", "<host>:aud" (one pair per audience),
// and the claims STS exposes since 2026 (repository, repository_id,
// job_workflow_ref, workflow, ref, environment, actor, actor_id,
// enterprise_id) when present. `issuer` is the token's iss, e.g.
// "https://token.actions.githubusercontent.com" (host used as key prefix).
std::vector<std::pair<std::string, std::string>> condition_keys(std::string_view issuer, const std::string& sub,
                                                                 const std::vector<std::string>& aud,
                                                                 const std::vector<std::pair<std::string, std::string>>& claims);

}  // namespace eem::oidc
