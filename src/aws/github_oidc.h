#pragma once
// The GitHub Actions OIDC credential source, as
// aws-actions/configure-aws-credentials does it: request the job's ID token
// from ACTIONS_ID_TOKEN_REQUEST_URL (with `&audience=`), authenticated by the
// bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN, read {"value": "<JWT>"}, then call
// STS AssumeRoleWithWebIdentity (unsigned).

#include <memory>
#include <optional>
#include <string>

#include "aws/credentials.h"

namespace eem::aws {

// Fetches the job's ID token for `audience` ("sts.amazonaws.com"). Fails with
// kInvalidInput saying the workflow needs `permissions: id-token: write` when
// the request variables are missing (GitHub sets them only then); kDenied or
// kTransient on HTTP failures. The token is a secret: never logged.
util::Result<std::string> fetch_github_id_token(net::HttpClient& http, const Env& env, std::string_view audience);

struct GithubOidcOptions {
  std::string role_arn;
  std::string audience;      // empty: the partition's STS audience
  std::string session_name;  // empty: "GitHubActions" (configure-aws-credentials' default)
  std::optional<int> duration_seconds;
};

// A provider that refreshes by fetching a new ID token and assuming the role
// again. Validates the role ARN, session name and duration up front.
util::Result<std::shared_ptr<CredentialsProvider>> github_oidc_credentials(const CredentialContext& context,
                                                                           GithubOidcOptions options);

}  // namespace eem::aws
