#pragma once
// A GitHub-Actions-style OIDC token issuer: one RS256 signing key (kid = its
// RFC 7638 thumbprint), the OpenID discovery document, the JWKS, and minted
// ID tokens for one configured workflow run. Thread-safe after construction
// (mint() only reads).

#include <chrono>
#include <functional>
#include <string>

#include "crypto/rsa_signer.h"
#include "issuer/claims.h"
#include "util/error.h"

namespace eem::issuer {

using Clock = std::function<std::chrono::system_clock::time_point()>;

class TokenIssuer {
 public:
  // `issuer` is the iss claim and the discovery document's issuer (e.g.
  // "http://127.0.0.1:8080", or "https://token.actions.githubusercontent.com"
  // to imitate GitHub); `base_url` is where this server is reachable, for
  // jwks_uri. Both without a trailing '/'.
  TokenIssuer(crypto::PrivateKey key, RunConfig run, std::string issuer, std::string base_url, Clock now = {});

  // A signed token for `audience` ("" = the default audience). Fails only
  // when signing fails (kInternal).
  util::Result<std::string> mint(const std::string& audience) const;

  // {"keys":[...]} with the one public key.
  const std::string& jwks_json() const noexcept { return jwks_; }
  // OpenID Connect Discovery 1.0 section 3 metadata, shaped like
  // https://token.actions.githubusercontent.com/.well-known/openid-configuration.
  const std::string& discovery_json() const noexcept { return discovery_; }
  const std::string& kid() const noexcept { return kid_; }
  const std::string& issuer() const noexcept { return issuer_; }
  const RunConfig& run() const noexcept { return run_; }

 private:
  crypto::PrivateKey key_;
  RunConfig run_;
  std::string issuer_;
  std::string kid_;
  std::string jwks_;
  std::string discovery_;
  Clock now_;
};

}  // namespace eem::issuer
