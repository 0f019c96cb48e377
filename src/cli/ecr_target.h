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
// The caller's own registry (proxyEndpoint) and its token, which is valid as
// well for any other account's registry the principal may use (push to
// another account's repository, with that repository's policy allowing it).
util::Result<EcrLogin> ecr_login(aws::EcrClient& ecr);

// One GetAuthorizationToken for the private registries of `account_ids` in
// `region` (hosts from aws::ecr_registry_host, so aws-cn gets .com.cn).
// registryIds is not sent: the API deprecates it, since the token "can be
// used to access any Amazon ECR registry that the IAM principal has access
// to" (botocore's ecr model); what the role may do in each registry is
// decided there, at push time.
util::Result<std::vector<EcrLogin>> ecr_logins(aws::EcrClient& ecr, const std::vector<std::string>& account_ids,
                                               std::string_view region);

// The ECR Public token for public.ecr.aws, asked in us-east-1 whatever the
// session's region. Denied: the message names both permissions it needs
// (ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken).
util::Result<EcrLogin> ecr_public_login(const AwsSession& session);

// The account ids of `values` (--registries: comma-separated, repeatable,
// as amazon-ecr-login's `registries` input), blanks around each trimmed,
// duplicates dropped, order kept. kInvalidInput naming `flag` and the first
// entry that is not 12 digits.
util::Result<std::vector<std::string>> parse_registry_ids(const std::vector<std::string>& values,
                                                          std::string_view flag = "--registries");

// $GITHUB_SHA, else `git rev-parse HEAD` in the working directory; nullopt
// when neither is available.
std::optional<std::string> current_commit(const util::EnvLookup& env);

}  // namespace eem::cli
