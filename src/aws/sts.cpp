#include "aws/sts.h"

#include "iam/arn.h"

#include <nlohmann/json.hpp>

#include "aws/timestamp.h"
#include "crypto/base64.h"
#include "util/strings.h"

namespace eem::aws {

namespace {

ApiError invalid(std::string_view operation, const util::Error& error) {
  return from_error(error, "STS", operation);
}

AssumedRole parse_assumed(const XmlElement& result) {
  AssumedRole role;
  role.credentials.access_key_id = result.text_at("Credentials/AccessKeyId");
  role.credentials.secret_access_key = result.text_at("Credentials/SecretAccessKey");
  role.credentials.session_token = result.text_at("Credentials/SessionToken");
  role.credentials.expiration = parse_iso8601(result.text_at("Credentials/Expiration"));
  role.assumed_role_arn = result.text_at("AssumedRoleUser/Arn");
  role.assumed_role_id = result.text_at("AssumedRoleUser/AssumedRoleId");
  role.subject_from_token = result.text_at("SubjectFromWebIdentityToken");
  role.audience = result.text_at("Audience");
  role.provider = result.text_at("Provider");
  return role;
}

ApiResult<AssumedRole> assumed_from(const XmlElement& root, std::string_view operation) {
  const XmlElement* result = root.child(std::string(operation) + "Result");
  if (result == nullptr || result->text_at("Credentials/AccessKeyId").empty()) {
    return std::unexpected(invalid(operation, util::Error{util::ErrorKind::kInternal,
                                                          "response carries no credentials"}));
  }
  return parse_assumed(*result);
}

// Refetch a token that expires within this margin before another attempt.
constexpr std::chrono::seconds kTokenMargin{60};

// The token's `exp` claim, unverified (STS verifies it); nullopt when the
// token is not a JWT with one.
std::optional<std::chrono::sys_seconds> token_expiry(std::string_view token) {
  const auto first = token.find('.');
  const auto second = token.find('.', first == std::string_view::npos ? 0 : first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return std::nullopt;
  const auto payload = crypto::base64url_decode(token.substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  const auto claims = nlohmann::json::parse(*payload, nullptr, false);
  if (!claims.is_object() || !claims.contains("exp") || !claims["exp"].is_number()) return std::nullopt;
  const double exp = claims["exp"].get<double>();
  if (!(exp > 0 && exp < 1e11)) return std::nullopt;
  return std::chrono::sys_seconds(std::chrono::seconds(static_cast<std::int64_t>(exp)));
}

constexpr std::string_view kIntermittentAdvice =
    "; STS could not reach the identity provider or its keys, an intermittent failure on AWS's side, not the "
    "trust policy: run the job again";

}  // namespace

bool is_intermittent_idp_failure(const ApiError& error) {
  return error.code == "IDPCommunicationError" ||
         (error.code == "InvalidIdentityToken" &&
          error.message.find("Couldn't retrieve verification key from your identity provider") != std::string::npos);
}

net::RetryPolicy web_identity_retry_policy() {
  net::RetryPolicy policy;
  policy.max_attempts = 5;
  policy.base_delay = std::chrono::seconds(1);
  policy.throttled_base_delay = std::chrono::seconds(1);
  return policy;
}

util::Result<void> validate_role_session_name(std::string_view name) {
  // RoleSessionName: [\w+=,.@-]{2,64} (STS API reference, AssumeRole).
  const bool ok = name.size() >= 2 && name.size() <= 64 &&
                  name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789_+=,.@-") == std::string_view::npos;
  if (ok) return {};
  return util::fail(util::ErrorKind::kInvalidInput,
                    "invalid role session name '" + std::string(name) +
                        "': use 2 to 64 characters of letters, digits and _+=,.@-");
}

util::Result<void> validate_duration_seconds(int seconds) {
  if (seconds >= 900 && seconds <= 43200) return {};
  return util::fail(util::ErrorKind::kInvalidInput,
                    "invalid session duration " + std::to_string(seconds) +
                        " s: must be between 900 (15 minutes) and 43200 (12 hours)");
}

util::Result<void> validate_role_arn(std::string_view arn) {
  // A role ARN with a wrong account or a missing colon would otherwise reach
  // STS and come back as AccessDenied.
  if (iam::parse_role_arn(arn)) return {};
  return util::fail(util::ErrorKind::kInvalidInput,
                    "invalid role ARN '" + std::string(arn) +
                        "' (expected arn:aws:iam::<account-id>:role/<name>)");
}

ApiResult<CallerIdentity> StsClient::get_caller_identity() {
  auto root = client_.query("GetCallerIdentity", {});
  if (!root) return std::unexpected(root.error());
  CallerIdentity identity;
  identity.account = root->text_at("GetCallerIdentityResult/Account");
  identity.arn = root->text_at("GetCallerIdentityResult/Arn");
  identity.user_id = root->text_at("GetCallerIdentityResult/UserId");
  return identity;
}

ApiResult<AssumedRole> StsClient::assume_role_with_web_identity(const WebIdentityRequest& request) {
  constexpr std::string_view kOperation = "AssumeRoleWithWebIdentity";
  if (auto ok = validate_role_arn(request.role_arn); !ok) return std::unexpected(invalid(kOperation, ok.error()));
  if (auto ok = validate_role_session_name(request.role_session_name); !ok) {
    return std::unexpected(invalid(kOperation, ok.error()));
  }
  if (request.duration_seconds) {
    if (auto ok = validate_duration_seconds(*request.duration_seconds); !ok) {
      return std::unexpected(invalid(kOperation, ok.error()));
    }
  }
  if (request.web_identity_token.empty()) {
    return std::unexpected(invalid(kOperation, util::Error{util::ErrorKind::kInvalidInput,
                                                           "the web identity token is empty"}));
  }
  // Parameter order of the service model (botocore serialises in this order).
  QueryParams params{{"RoleArn", request.role_arn},
                     {"RoleSessionName", request.role_session_name},
                     {"WebIdentityToken", request.web_identity_token}};
  if (request.duration_seconds) params.emplace_back("DurationSeconds", std::to_string(*request.duration_seconds));
  auto root = client_.query(kOperation, params, Auth::kNone);
  if (!root) {
    ApiError error = root.error();
    if (is_intermittent_idp_failure(error)) error.kind = util::ErrorKind::kTransient;
    return std::unexpected(std::move(error));
  }
  return assumed_from(*root, kOperation);
}

util::Result<AssumedRole> StsClient::assume_role_with_web_identity(WebIdentityRequest request,
                                                                   const TokenSource& tokens,
                                                                   const net::RetryPolicy& policy, const Clock& now) {
  // This loop is the only one around the call: it also retries throttling,
  // 5xx and a flaky token endpoint, so the call itself makes one attempt.
  const int saved = client_.max_attempts();
  client_.set_max_attempts(1);
  bool intermittent = false;
  auto result = net::with_retries(policy, [&](net::Attempt& attempt) -> util::Result<AssumedRole> {
    const auto expiry = token_expiry(request.web_identity_token);
    if (attempt.number == 1 || !expiry || *expiry - kTokenMargin <= now()) {
      auto token = tokens();
      if (!token) return std::unexpected(token.error());
      request.web_identity_token = std::move(*token);
    }
    auto role = assume_role_with_web_identity(request);
    if (role) return std::move(*role);
    intermittent = is_intermittent_idp_failure(role.error());
    return std::unexpected(role.error().to_error());
  });
  client_.set_max_attempts(saved);
  if (!result && intermittent) result.error().message += kIntermittentAdvice;
  return result;
}

ApiResult<AssumedRole> StsClient::assume_role(const AssumeRoleRequest& request) {
  constexpr std::string_view kOperation = "AssumeRole";
  if (auto ok = validate_role_arn(request.role_arn); !ok) return std::unexpected(invalid(kOperation, ok.error()));
  if (auto ok = validate_role_session_name(request.role_session_name); !ok) {
    return std::unexpected(invalid(kOperation, ok.error()));
  }
  if (request.duration_seconds) {
    if (auto ok = validate_duration_seconds(*request.duration_seconds); !ok) {
      return std::unexpected(invalid(kOperation, ok.error()));
    }
  }
  QueryParams params{{"RoleArn", request.role_arn}, {"RoleSessionName", request.role_session_name}};
  if (request.duration_seconds) params.emplace_back("DurationSeconds", std::to_string(*request.duration_seconds));
  auto root = client_.query(kOperation, params);
  if (!root) return std::unexpected(root.error());
  return assumed_from(*root, kOperation);
}

}  // namespace eem::aws
