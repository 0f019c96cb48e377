#pragma once
// What push, login and verify share about an Amazon ECR destination: the
// repository name as users type it (and the common mistake of typing the full
// image URI), the registry host of the caller's account, the registry
// credentials from GetAuthorizationToken, the "does the repository exist"
// check with an actionable message, and the seed's default tags.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/ecr.h"
#include "cli/aws_session.h"
#include "oci/auth.h"
#include "util/env.h"
#include "util/error.h"

namespace eem::cli {

// The region every ECR command defaults to, as in the seed.
inline constexpr std::string_view kDefaultEcrRegion = "ap-northeast-1";

// kInvalidInput unless `name` is an ECR repository name (lower case,
// components of [a-z0-9] joined by . _ - and /, 2 to 256 characters). A full
// image URI gets "--repository takes the repository name, not the image URI:
// pass --repository NAME".
util::Result<void> validate_repository_name(std::string_view name);

// "repository X does not exist in registry N (region R); create it with
// `shipctl bootstrap --apply` or `aws ecr create-repository --repository-name X --region R`".
std::string missing_repository_message(std::string_view repository, std::string_view registry_id,
                                       std::string_view region);

// The account of the session's credentials (STS GetCallerIdentity).
util::Result<std::string> caller_account(const AwsSession& session);

// An ECR client in the session's region.
util::Result<aws::EcrClient> ecr_client(const AwsSession& session);

// kNotFound with missing_repository_message() when DescribeRepositories says
// the repository does not exist; success when it exists, and also when the
// caller may not describe repositories (a least-privilege push role): the
// registry then reports NAME_UNKNOWN itself.
util::Result<void> check_repository_exists(aws::EcrClient& ecr, const std::string& repository,
                                           const std::string& registry_id, std::string_view region);

// Registry credentials ("AWS", the token) and host from GetAuthorizationToken.
struct EcrLogin {
  std::string registry;  // host, from proxyEndpoint
  aws::AuthorizationToken token;
};
util::Result<EcrLogin> ecr_login(aws::EcrClient& ecr, const std::string& registry_id);

// $GITHUB_SHA, else `git rev-parse HEAD` in the working directory; nullopt
// when neither is available.
std::optional<std::string> current_commit(const util::EnvLookup& env);

}  // namespace eem::cli
