#include "issuer/token_issuer.h"

#include <nlohmann/json.hpp>

#include "crypto/base64.h"
#include "crypto/hash.h"
#include "crypto/jwk.h"

namespace eem::issuer {

namespace {

// The claims GitHub's discovery document lists as supported (plus the
// environment claim it issues for environment jobs).
const nlohmann::ordered_json& claims_supported() {
  static const nlohmann::ordered_json kClaims = nlohmann::ordered_json::array(
      {"sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "sha", "repository", "repository_id",
       "repository_owner", "repository_owner_id", "run_id", "run_number", "run_attempt", "actor", "actor_id",
       "workflow", "workflow_ref", "workflow_sha", "head_ref", "base_ref", "event_name", "ref_type",
       "ref_protected", "environment", "job_workflow_ref", "job_workflow_sha", "repository_visibility",
       "runner_environment"});
  return kClaims;
}

std::string discovery(const std::string& issuer, const std::string& base_url) {
  return nlohmann::ordered_json{{"issuer", issuer},
                                {"jwks_uri", base_url + "/.well-known/jwks"},
                                {"subject_types_supported", {"public", "pairwise"}},
                                {"response_types_supported", {"id_token"}},
                                {"claims_supported", claims_supported()},
                                {"id_token_signing_alg_values_supported", {"RS256"}},
                                {"scopes_supported", {"openid"}}}
      .dump();
}

// A random version-4 UUID (RFC 9562 section 5.4), like GitHub's jti.
std::string uuid4() {
  std::string b = crypto::random_bytes(16);
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  const std::string hex =
      crypto::to_hex(std::span(reinterpret_cast<const std::uint8_t*>(b.data()), b.size()));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

}  // namespace

TokenIssuer::TokenIssuer(crypto::PrivateKey key, RunConfig run, std::string issuer, std::string base_url,
                         Clock now)
    : key_(std::move(key)), run_(std::move(run)), issuer_(std::move(issuer)), now_(std::move(now)) {
  if (!now_) now_ = [] { return std::chrono::system_clock::now(); };
  const crypto::Jwk jwk = crypto::public_jwk(key_);
  kid_ = crypto::jwk_thumbprint(jwk);
  jwks_ = crypto::rsa_jwks_json(jwk, kid_);
  discovery_ = discovery(issuer_, base_url);
}

util::Result<std::string> TokenIssuer::mint(const std::string& audience) const {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(now_().time_since_epoch()).count();
  auto claims = build_claims(run_, issuer_, audience.empty() ? default_audience(run_) : audience, now, uuid4());
  if (!claims) return std::unexpected(claims.error());
  const nlohmann::ordered_json header{{"typ", "JWT"}, {"alg", "RS256"}, {"kid", kid_}};
  const std::string input = crypto::base64url_encode(header.dump()) + "." + crypto::base64url_encode(*claims);
  auto signature = crypto::sign_rs256(key_, input);
  if (!signature) return std::unexpected(signature.error());
  return input + "." + crypto::base64url_encode(*signature);
}

}  // namespace eem::issuer
