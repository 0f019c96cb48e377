#include "oidc/verifier.h"

#include <algorithm>

#include "crypto/signature.h"

namespace eem::oidc {
namespace {

using util::ErrorKind;

util::Result<crypto::JwsAlgorithm> accepted_algorithm(const JoseHeader& header) {
  if (header.alg == "none") {
    return util::fail(ErrorKind::kInvalidInput, "token algorithm \"none\" is not accepted: unsigned tokens are never trusted");
  }
  if (header.alg.starts_with("HS")) {
    // RFC 8725 section 2.1: accepting HMAC with a public key as the secret
    // lets anyone forge tokens.
    return util::fail(ErrorKind::kInvalidInput, "token algorithm \"" + header.alg +
                                                    "\" is not accepted: HMAC tokens cannot be verified with the issuer's public keys");
  }
  const auto algorithm = crypto::parse_jws_algorithm(header.alg);
  if (!algorithm) {
    return util::fail(ErrorKind::kInvalidInput, "token algorithm \"" + header.alg +
                                                    "\" is not supported (expected RS256, RS384, RS512, PS256 or ES256)");
  }
  // RFC 7515 4.1.11: we understand no extensions, so any "crit" entry is fatal.
  if (!header.crit.empty()) {
    return util::fail(ErrorKind::kInvalidInput, "token header lists critical extension \"" + header.crit.front() +
                                                    "\", which this verifier does not understand");
  }
  return *algorithm;
}

util::Result<void> check_claims(const Claims& claims, const VerifyOptions& options) {
  if (claims.iss != options.issuer) {
    return util::fail(ErrorKind::kDenied, "token issuer \"" + claims.iss + "\" is not the expected \"" + options.issuer + "\"");
  }
  if (std::find(claims.aud.begin(), claims.aud.end(), options.audience) == claims.aud.end()) {
    std::string list;
    for (const auto& a : claims.aud) list += (list.empty() ? "\"" : ", \"") + a + "\"";
    return util::fail(ErrorKind::kDenied, "token audience [" + list + "] does not include \"" + options.audience + "\"");
  }
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(options.now.time_since_epoch()).count();
  const auto leeway = options.leeway.count();
  const std::string clock = " (now " + format_time(now) + ", leeway " + std::to_string(leeway) + " s)";
  if (!claims.exp) return util::fail(ErrorKind::kInvalidInput, "token has no \"exp\" claim");
  if (now - leeway >= *claims.exp) return util::fail(ErrorKind::kExpired, "token expired at " + format_time(*claims.exp) + clock);
  if (claims.nbf && now + leeway < *claims.nbf) {
    return util::fail(ErrorKind::kClockSkew, "token is not valid before " + format_time(*claims.nbf) + clock);
  }
  if (claims.iat && now + leeway < *claims.iat) {
    return util::fail(ErrorKind::kClockSkew, "token was issued in the future, at " + format_time(*claims.iat) + clock);
  }
  return {};
}

}  // namespace

util::Result<Jwt> verify_token(std::string_view token, JwksCache& keys, const VerifyOptions& options) {
  auto jwt = decode_jwt(token);
  if (!jwt) return std::unexpected(jwt.error());
  auto algorithm = accepted_algorithm(jwt->header);
  if (!algorithm) return std::unexpected(algorithm.error());
  auto key = keys.find(jwt->header.kid);
  if (!key) return std::unexpected(key.error());
  if (!(*key)->alg.empty() && (*key)->alg != jwt->header.alg) {
    return util::fail(ErrorKind::kInvalidInput, "token algorithm \"" + jwt->header.alg + "\" differs from key \"" +
                                                    (*key)->kid + "\"'s \"" + (*key)->alg + "\"");
  }
  auto verified = crypto::verify_signature(*algorithm, (*key)->key, jwt->signing_input, jwt->signature);
  if (!verified) return std::unexpected(verified.error().with_context("token signature (kid \"" + jwt->header.kid + "\")"));
  if (auto ok = check_claims(jwt->claims, options); !ok) return std::unexpected(ok.error());
  return jwt;
}

}  // namespace eem::oidc
