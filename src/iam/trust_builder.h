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
enum class SubjectStyle { kName, kImmutable };

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
};

// The policy as pretty-printed JSON. kInvalidInput when the account id or
// repository is malformed, ids are missing for the immutable style, or
// nothing at all would be admitted.
util::Result<std::string> build_trust_policy(const TrustRequest& request);

}  // namespace eem::iam
