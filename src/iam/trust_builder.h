#pragma once
// Builds the minimal GitHub Actions OIDC trust policy: StringEquals on aud
// and the narrowest sub condition that admits exactly the refs, tags,
// environments (and pull requests) asked for. Reference: GitHub docs
// "Configuring OpenID Connect in Amazon Web Services"; AWS "Creating a role
// for web identity or OIDC federation".

#include <string>
#include <vector>

#include "util/error.h"

namespace eem::iam {

enum class PullRequests { kDeny, kAllow };
// kBoth admits the name and the immutable form side by side, for the
// migration of a repository to immutable subjects.
enum class SubjectStyle { kName, kImmutable, kBoth };

struct TrustRequest {
  std::string account_id;        // 12 digits
  std::string partition = "aws";  // aws, aws-cn, aws-us-gov
  std::string repository;        // OWNER/REPO
  std::string owner_id;          // SubjectStyle::kImmutable only
  std::string repo_id;
  SubjectStyle style = SubjectStyle::kName;
  std::vector<std::string> branches;      // "main", "release/*"
  std::vector<std::string> tags;          // "v*"
  std::vector<std::string> environments;  // "production"
  PullRequests pull_requests = PullRequests::kDeny;
  std::string audience;  // default: sts.amazonaws.com (sts.amazonaws.com.cn in aws-cn)
  // The repository's customised subject template (include_claim_keys, e.g.
  // {"repo", "context", "job_workflow_ref"}); empty: GitHub's default.
  std::vector<std::string> claim_keys;
  // ".github/workflows/deploy.yml": admit only jobs of this workflow, with a
  // condition on the job_workflow_ref claim STS exposes since January 2026.
  std::string workflow;
  // GitHub's own spelling of the repository in its subjects (its
  // sub_claim_prefix, "repo:octo@1/app@2"); when set it replaces the one
  // built from `repository` and the ids for the style it denotes.
  std::string sub_claim_prefix;
};

// One run as GitHub's default subject sees it: `text`, the part after the
// repository ("ref:refs/heads/main", "environment:prod", "pull_request",
// values encoded as in the sub), and the run's `ref` ("refs/heads/main"; a
// pattern, "refs/pull/*/merge" or "*", when it stands for several runs;
// empty when not known).
struct RunContext {
  std::string text;
  std::string ref;
};

// The sub GitHub issues to a run in `context` under `request`'s subject
// template (claim_keys, else GitHub's default) and style: one, or the name
// form then the immutable one for SubjectStyle::kBoth (once when the
// template leaves the repository out). GitHub docs, "Customizing the subject
// claims": a customised sub is the template's claims as "key:value" in its
// order, "context" standing for `context.text`. kInvalidInput when the
// repository is malformed, ids are missing, or a key needs a value not given
// (the message names the key and the flag to pass); kUnsupported for a key
// whose value cannot be known in advance (actor, run ids, ...).
util::Result<std::vector<std::string>> subjects_of_run(const TrustRequest& request, const RunContext& context);

// Admits main when the request names no branch, tag or environment
// (bootstrap's and policy trust's default; pull requests come on top).
void admit_main_by_default(TrustRequest& request);

// "deploy.yml" or ".github/workflows/deploy.yml" -> ".github/workflows/deploy.yml";
// kInvalidInput for anything else (other directories, wildcards, ':').
util::Result<std::string> workflow_path(const std::string& path);

// The job_workflow_ref values a job of `request.workflow` presents for the
// refs, tags, pull requests and environments `request` admits:
// "OWNER/REPO/.github/workflows/deploy.yml@refs/heads/main" (GitHub docs,
// "OpenID Connect reference": job_workflow_ref). Empty without a workflow.
std::vector<std::string> job_workflow_refs(const TrustRequest& request);

// The policy as pretty-printed JSON. kInvalidInput when the account id or
// repository is malformed, ids are missing for the immutable style, or
// nothing at all would be admitted.
util::Result<std::string> build_trust_policy(const TrustRequest& request);

}  // namespace eem::iam
