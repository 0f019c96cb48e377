#pragma once
// The one place secrets are removed from text meant for people: --debug
// traces (net::TracingClient), error messages, logs. Redacts Authorization
// and token headers, presigned-URL signatures and tokens (also in Location
// headers), and secret fields in form, XML and JSON bodies: AWS Query and
// JSON 1.1, registry token endpoints (token, access_token, refresh_token,
// password), the Actions OIDC token ({"value": "<JWT>"}).

#include <string>
#include <string_view>

#include "net/http_client.h"

namespace eem::net {

inline constexpr std::string_view kRedacted = "<redacted>";

// True for header names whose values are secrets.
bool is_secret_header(std::string_view name);

// `url` with the values of secret query parameters (X-Amz-Signature,
// X-Amz-Security-Token, X-Amz-Credential's key is kept) replaced.
std::string redact_url(std::string_view url);

// `body` with secret values replaced: form fields (WebIdentityToken=...),
// XML elements (<SecretAccessKey>, <SessionToken>) and JSON string fields
// ("authorizationToken", "secretAccessKey", "sessionToken", "token",
// "access_token", "refresh_token", "password", "value").
std::string redact_body(std::string_view body);

// A multi-line trace of a request or response, secrets redacted.
std::string describe_request(const Request& request);
std::string describe_response(const Response& response);

}  // namespace eem::net
