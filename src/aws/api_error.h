#pragma once
// The one typed error of AWS calls: which service and operation, the HTTP
// status, AWS's error code and message, the request id, and a classification
// that retry and exit-code policy read (util::ErrorKind).

#include <expected>
#include <string>

#include "util/error.h"

namespace eem::aws {

struct ApiError {
  util::ErrorKind kind = util::ErrorKind::kInternal;
  std::string service;     // "STS"
  std::string operation;   // "AssumeRoleWithWebIdentity"
  int status = 0;          // 0 when no HTTP response arrived
  std::string code;        // "AccessDenied"; empty for transport failures
  std::string message;     // AWS's message, or the transport failure
  std::string request_id;  // x-amzn-RequestId / <RequestId>, when known

  // "STS AssumeRoleWithWebIdentity: AccessDenied (HTTP 403): Not authorized
  // to perform sts:AssumeRoleWithWebIdentity [request id 1234]"; for kExpired
  // followed by "; " and what to refresh (the AWS credentials, or for
  // AssumeRoleWithWebIdentity the web identity token).
  std::string describe() const;
  // The util::Error for callers that do not need the fields.
  util::Error to_error() const { return util::Error{kind, describe()}; }
};

template <class T>
using ApiResult = std::expected<T, ApiError>;

// Classifies an AWS error response. Codes first (from the SDKs' standard
// retry mode lists and the services' documented codes), then the status.
util::ErrorKind classify(int status, std::string_view code);

// True for codes that mean the request's signing time is off
// (RequestTimeTooSkewed, SignatureDoesNotMatch with skew, ...).
bool is_clock_skew_code(std::string_view code);

// Converts a failed util::Result into an ApiError for `service`/`operation`.
ApiError from_error(const util::Error& error, std::string_view service, std::string_view operation);

}  // namespace eem::aws
