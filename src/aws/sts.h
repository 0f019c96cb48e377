#pragma once
// AWS STS (Query protocol, API version 2011-06-15).

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

class StsClient {
 public:
  explicit StsClient(ServiceClient client) : client_(std::move(client)) {}

  ApiResult<CallerIdentity> get_caller_identity();
  // Unsigned, like the SDKs: the token is the credential.
  ApiResult<AssumedRole> assume_role_with_web_identity(const WebIdentityRequest& request);
  ApiResult<AssumedRole> assume_role(const AssumeRoleRequest& request);

  ServiceClient& service_client() { return client_; }

 private:
  ServiceClient client_;
};

}  // namespace eem::aws
