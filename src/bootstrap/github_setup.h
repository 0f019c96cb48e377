#pragma once
// What bootstrap asks GitHub (with GITHUB_TOKEN): which subject format the
// repository's tokens carry, its numeric ids, and storing the role ARN as
// the AWS_ROLE_ARN Actions secret.

#include <string>
#include <string_view>

#include "github/client.h"
#include "iam/trust_builder.h"

namespace eem::bootstrap {

// Repositories created (or renamed/transferred) from this day get immutable
// subjects "repo:OWNER@ID/REPO@ID:..." (DESIGN.md section 3). The API shows
// the creation date only, so renamed or transferred ones need the flag.
inline constexpr std::string_view kImmutableSubjectsSince = "2026-07-15";

inline constexpr std::string_view kRoleSecretName = "AWS_ROLE_ARN";

struct SubjectDetection {
  iam::SubjectStyle style = iam::SubjectStyle::kName;
  std::string owner_id;
  std::string repo_id;
  std::string reason;  // one line for the user: why this format
};

// Reads the OIDC subject customization and the repository. kUnsupported when
// the repository customises its subject beyond the default claim keys.
util::Result<SubjectDetection> detect_subject(github::Client& client, std::string_view owner_repo);

// Looks up the owner and repository ids (for --subject-format immutable).
util::Result<SubjectDetection> repository_ids(github::Client& client, std::string_view owner_repo);

// Seals and stores `role_arn` as the AWS_ROLE_ARN secret of `owner_repo`.
util::Result<void> store_role_secret(github::Client& client, std::string_view owner_repo, std::string_view role_arn);

// `gh secret set AWS_ROLE_ARN --repo OWNER/REPO --body ARN`.
std::string gh_secret_command(std::string_view owner_repo, std::string_view role_arn);

}  // namespace eem::bootstrap
