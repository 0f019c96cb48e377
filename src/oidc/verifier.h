#pragma once
// Verifies an OIDC ID token the way STS does for AssumeRoleWithWebIdentity:
// signature against the issuer's JWKS, then iss, aud, exp, nbf, iat.

#include <chrono>
#include <string>
#include <string_view>

#include "oidc/jwks.h"
#include "oidc/jwt.h"
#include "util/error.h"

namespace eem::oidc {

struct VerifyOptions {
  std::string issuer;    // exact match with "iss"
  std::string audience;  // must be one of "aud"
  // Clock leeway for exp, nbf and iat: GitHub's nbf/iat can be slightly
  // ahead of other machines' clocks (DESIGN.md section 3).
  std::chrono::seconds leeway{60};
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// Decodes and verifies `token`. Failures, checked in this order:
//   kInvalidInput  malformed token (jwt.h), alg "none" or HMAC, unsupported
//                  alg, unknown "crit" extension, key type not fitting alg
//   kNotFound      no key for the token's kid (after one JWKS refresh)
//   kDenied        signature does not verify, wrong issuer or audience
//   kExpired       exp is past (beyond the leeway)
//   kClockSkew     nbf or iat in the future (beyond the leeway)
util::Result<Jwt> verify_token(std::string_view token, JwksCache& keys, const VerifyOptions& options);

}  // namespace eem::oidc
