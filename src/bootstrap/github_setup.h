#pragma once
// What bootstrap asks GitHub (with GITHUB_TOKEN): which subject format the
// repository's tokens carry, its numeric ids, and storing the role ARN as
// the AWS_ROLE_ARN Actions secret.

#include <string>
#include <string_view>
#include <vector>

#include "github/client.h"
#include "iam/trust_builder.h"

namespace eem::bootstrap {

// Repositories created, renamed or transferred from this day get immutable
// subjects "repo:OWNER@ID/REPO@ID:..." (github/docs#45221, "enabled by default
// for repositories created or renamed on or after July 15, 2026"). Only the
// fallback when GitHub does not say (no sub_claim_prefix, no access): the
// creation date misses renamed, transferred and opted-in repositories.
inline constexpr std::string_view kImmutableSubjectsSince = "2026-07-15";

inline constexpr std::string_view kRoleSecretName = "AWS_ROLE_ARN";

struct SubjectDetection {
  iam::SubjectStyle style = iam::SubjectStyle::kName;
  std::string owner_id;
  std::string repo_id;
  std::vector<std::string> claim_keys;  // a customised template's keys; empty: GitHub's default
  std::string sub_claim_prefix;         // GitHub's own "repo:OWNER[@ID]/REPO[@ID]", when it sent one
  std::string reason;                   // one line for the user: why this format
  bool guessed = false;                 // not GitHub's word: the caller warns
};

// Asks GitHub: the repository's subject template (its own, else its
// organization's), and the form of the repository in its subjects
// (sub_claim_prefix, else use_immutable_subject, else the creation date,
// marked guessed). A template GitHub refuses to show (403) or does not
// have (404) falls back to the creation date, marked guessed.
util::Result<SubjectDetection> detect_subject(github::Client& client, std::string_view owner_repo);

// Looks up the owner and repository ids (for --subject-format immutable).
util::Result<SubjectDetection> repository_ids(github::Client& client, std::string_view owner_repo);

// `gh api repos/OWNER/REPO/actions/oidc/customization/sub`: how a user checks
// the format by hand.
std::string subject_check_command(std::string_view owner_repo);

// Seals and stores `role_arn` as the AWS_ROLE_ARN secret of `owner_repo`.
util::Result<void> store_role_secret(github::Client& client, std::string_view owner_repo, std::string_view role_arn);

// `gh secret set AWS_ROLE_ARN --repo OWNER/REPO --body ARN`.
std::string gh_secret_command(std::string_view owner_repo, std::string_view role_arn);

}  // namespace eem::bootstrap
