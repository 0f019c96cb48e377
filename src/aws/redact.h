#pragma once
// The one place secrets are removed from text meant for people: --debug
// traces, error messages, logs. Redacts Authorization and token headers,
// presigned-URL signatures and tokens, and secret fields in Query (form and
// XML) and JSON bodies.

#include <string>
#include <string_view>

#include "net/http_client.h"

namespace eem::aws {

inline constexpr std::string_view kRedacted = "<redacted>";

// True for header names whose values are secrets.
bool is_secret_header(std::string_view name);

// `url` with the values of secret query parameters (X-Amz-Signature,
// X-Amz-Security-Token, X-Amz-Credential's key is kept) replaced.
std::string redact_url(std::string_view url);

// `body` with secret values replaced: form fields (WebIdentityToken=...),
// XML elements (<SecretAccessKey>, <SessionToken>) and JSON string fields
// ("authorizationToken", "secretAccessKey", "sessionToken", "token", "password").
std::string redact_body(std::string_view body);

// A multi-line trace of a request or response, secrets redacted.
std::string describe_request(const net::Request& request);
std::string describe_response(const net::Response& response);

}  // namespace eem::aws
