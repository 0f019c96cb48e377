#pragma once
// Compact JWS / JWT decoding (RFC 7515 section 7.1, RFC 7519). Decoding
// checks the shape only; verifier.h decides whether a token is trusted.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace eem::oidc {

// GitHub's tokens are about 1-2 KiB; anything far larger is not a token we
// should spend time on (and a cheap denial-of-service guard).
inline constexpr std::size_t kMaxTokenBytes = 16 * 1024;

struct JoseHeader {
  std::string alg;
  std::string kid;
  std::string typ;
  std::vector<std::string> crit;
};

struct Claims {
  std::string iss;
  std::string sub;
  std::vector<std::string> aud;  // "aud" may be a string or an array (RFC 7519 4.1.3)
  std::optional<std::int64_t> exp, nbf, iat;
  // Every top-level claim whose value is a string, number or boolean, as text
  // (GitHub's repository, ref, environment, job_workflow_ref, ...).
  std::map<std::string, std::string> scalars;
  std::string json;  // the payload, re-serialised compactly
};

struct Jwt {
  JoseHeader header;
  Claims claims;
  std::string signing_input;  // "header.payload" as received
  std::string signature;      // raw bytes
};

// Splits and decodes `token`. Fails with kInvalidInput and a precise message:
// empty or oversize token, wrong number of parts (5 parts: JWE), malformed
// base64url, header or payload not a JSON object, missing "alg", claims of
// the wrong type.
util::Result<Jwt> decode_jwt(std::string_view token);

// "2026-07-15T10:00:00Z" for a NumericDate.
std::string format_time(std::int64_t seconds);

}  // namespace eem::oidc
