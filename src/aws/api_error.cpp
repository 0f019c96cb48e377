#include "aws/api_error.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

namespace eem::aws {

namespace {

using util::ErrorKind;

// botocore retryhandler / standard mode: throttling error codes
// (botocore/retries/standard.py, _THROTTLED_ERROR_CODES).
constexpr std::array<std::string_view, 14> kThrottled{
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
    "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException"};
// Standard mode's transient codes (_TRANSIENT_ERROR_CODES).
constexpr std::array<std::string_view, 2> kTransient{"RequestTimeout", "RequestTimeoutException"};
// Clock skew (_CLOCK_SKEW_ERROR_CODES in botocore's retry handlers).
constexpr std::array<std::string_view, 6> kSkew{"RequestTimeTooSkewed", "RequestExpired",
                                                "InvalidSignatureException", "SignatureDoesNotMatch",
                                                "AuthFailure", "RequestInTheFuture"};
constexpr std::array<std::string_view, 3> kExpired{"ExpiredToken", "ExpiredTokenException",
                                                   "TokenRefreshRequired"};
constexpr std::array<std::string_view, 10> kDenied{
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException",
    "InvalidClientTokenId", "InvalidIdentityToken", "IDPRejectedClaim", "NotAuthorized",
    "MissingAuthenticationToken", "IncompleteSignature"};
constexpr std::array<std::string_view, 11> kNotFound{
    "NoSuchEntity", "RepositoryNotFoundException", "ImageNotFoundException",
    "ResourceNotFoundException", "LifecyclePolicyNotFoundException", "ServiceNotFoundException",
    "ClusterNotFoundException", "NotFoundException", "RegistryPolicyNotFoundException",
    "RepositoryPolicyNotFoundException", "NoSuchEntityException"};
constexpr std::array<std::string_view, 5> kConflict{"EntityAlreadyExists", "RepositoryAlreadyExistsException",
                                                    "ImageAlreadyExistsException", "ResourceInUseException",
                                                    "ConcurrentModification"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view code) {
  return std::find(list.begin(), list.end(), code) != list.end();
}

// What to do about kExpired. For every service, an expired session token
// answers ExpiredToken (Query: STS, IAM) or ExpiredTokenException (JSON: ECR),
// "The security token included in the request is expired" (AWS common errors,
// HTTP 403; JSON services have answered 400 too). AssumeRoleWithWebIdentity is
// unsigned, so there ExpiredTokenException is about the web identity token
// (STS API reference, AssumeRoleWithWebIdentity errors).
std::string expired_advice(std::string_view operation) {
  if (operation == "AssumeRoleWithWebIdentity") {
    return "the web identity token has expired: get a new one (in GitHub Actions, request it again in the job; "
           "with a token file, write a fresh token) and retry";
  }
  return "the AWS credentials have expired: refresh them (in GitHub Actions, run shipctl credentials again or "
         "raise --duration; elsewhere renew the session, e.g. aws sso login, or export new keys) and retry";
}

}  // namespace

bool is_clock_skew_code(std::string_view code) { return contains(kSkew, code); }

ErrorKind classify(int status, std::string_view code) {
  if (contains(kThrottled, code)) return ErrorKind::kThrottled;
  if (contains(kSkew, code)) return ErrorKind::kClockSkew;
  if (contains(kExpired, code)) return ErrorKind::kExpired;
  if (contains(kDenied, code)) return ErrorKind::kDenied;
  if (contains(kNotFound, code)) return ErrorKind::kNotFound;
  if (contains(kConflict, code)) return ErrorKind::kConflict;
  if (contains(kTransient, code)) return ErrorKind::kTransient;
  if (status == 429) return ErrorKind::kThrottled;
  if (status >= 500 || status == 0) return ErrorKind::kTransient;
  if (status == 401 || status == 403) return ErrorKind::kDenied;
  if (status == 404) return ErrorKind::kNotFound;
  if (status == 409) return ErrorKind::kConflict;
  return ErrorKind::kInvalidInput;  // ValidationError, InvalidParameter..., other 4xx
}

std::string ApiError::describe() const {
  std::string text = service + " " + operation + ": ";
  if (status == 0) return text + message;
  text += (code.empty() ? std::string("error") : code) + " (HTTP " + std::to_string(status) + ")";
  if (!message.empty()) text += ": " + message;
  if (!request_id.empty()) text += " [request id " + request_id + "]";
  if (kind == ErrorKind::kExpired) text += "; " + expired_advice(operation);
  return text;
}

ApiError from_error(const util::Error& error, std::string_view service, std::string_view operation) {
  ApiError api;
  api.kind = error.kind;
  api.service = std::string(service);
  api.operation = std::string(operation);
  api.message = error.message;
  return api;
}

}  // namespace eem::aws
