#pragma once
// AWS STS (Query protocol, API version 2011-06-15).

#include <functional>
#include <optional>
#include <string>

#include "aws/service_client.h"

namespace eem::aws {

struct CallerIdentity {
  std::string account;  // "123456789012"
  std::string arn;      // "arn:aws:sts::123456789012:assumed-role/deploy/ci"
  std::string user_id;
};

struct WebIdentityRequest {
  std::string role_arn;
  std::string role_session_name;   // 2-64 chars of [\w+=,.@-]
  std::string web_identity_token;  // a secret: never logged
  std::optional<int> duration_seconds;  // 900..43200; empty: the role's default (1 h)
};

struct AssumeRoleRequest {
  std::string role_arn;
  std::string role_session_name;
  std::optional<int> duration_seconds;
};

struct AssumedRole {
  Credentials credentials;
  std::string assumed_role_arn;  // "arn:aws:sts::123:assumed-role/deploy/ci"
  std::string assumed_role_id;
  std::string subject_from_token;  // web identity only: the token's sub
  std::string audience;            // web identity only
  std::string provider;            // web identity only: the issuer
};

// Fail with kInvalidInput naming the rule, before any call is made.
util::Result<void> validate_role_session_name(std::string_view name);
util::Result<void> validate_duration_seconds(int seconds);
// A role ARN: arn:PARTITION:iam::<12-digit account>:role/[PATH/]NAME.
util::Result<void> validate_role_arn(std::string_view arn);

// Fetches a web identity token: the Actions token endpoint, or a file read
// again (its writer may have renewed it).
using TokenSource = std::function<util::Result<std::string>()>;

// Two AssumeRoleWithWebIdentity failures are intermittent on AWS's side, not
// a denial: InvalidIdentityToken "Couldn't retrieve verification key from
// your identity provider" and IDPCommunicationError (STS API reference:
// "often a transient error ... retry the request a limited number of times").
bool is_intermittent_idp_failure(const ApiError& error);

// How often those two are retried: 5 attempts, full-jitter backoff from 1 s
// (ceilings 1, 2, 4, 8 s). configure-aws-credentials retries the call for the
// same reason, 12 attempts from 50 ms, but every error, AccessDenied included.
net::RetryPolicy web_identity_retry_policy();

class StsClient {
 public:
  explicit StsClient(ServiceClient client) : client_(std::move(client)) {}

  ApiResult<CallerIdentity> get_caller_identity();
  // Unsigned, like the SDKs: the token is the credential. The two
  // intermittent identity-provider failures come back as kTransient.
  ApiResult<AssumedRole> assume_role_with_web_identity(const WebIdentityRequest& request);
  // The same with a token from `tokens`, retrying only the intermittent
  // identity-provider failures (never AccessDenied or a rejected claim)
  // under `policy`; before a retry a new token is fetched when the current
  // one expires within a minute (Actions tokens live about 5 minutes).
  // `request.web_identity_token` is ignored.
  // Errors of `tokens` come back as they are.
  util::Result<AssumedRole> assume_role_with_web_identity(WebIdentityRequest request, const TokenSource& tokens,
                                                          const net::RetryPolicy& policy, const Clock& now);
  ApiResult<AssumedRole> assume_role(const AssumeRoleRequest& request);

  ServiceClient& service_client() { return client_; }

 private:
  ServiceClient client_;
};

}  // namespace eem::aws
