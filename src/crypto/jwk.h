#pragma once
// JWK helpers for publishing keys: the RFC 7638 thumbprint (used as `kid`)
// and the JWKS document an issuer serves at its jwks_uri.

#include <string>
#include <string_view>

#include "crypto/signature.h"
#include "util/error.h"

namespace eem::crypto {

// base64url(SHA-256(canonical JSON of the required members)) per RFC 7638
// section 3: {"e","kty","n"} for RSA, {"crv","kty","x","y"} for EC, in
// lexicographic order, no whitespace. RFC 7638 section 3.1 gives the test
// vector the unit test checks.
std::string jwk_thumbprint(const Jwk& jwk);

// {"keys":[{"kty","alg","use":"sig","kid","n","e"}]} for one RSA signing key.
std::string rsa_jwks_json(const Jwk& jwk, const std::string& kid, const std::string& alg = "RS256");

// Accepts an RSA public exponent `e` (base64url big-endian, as in a JWK) only
// when it is odd and at least 3; 65537 in practice. With e = 1 a "signature"
// is its own padded message, so anyone can forge one (issue 13, item 8); an
// even e is no RSA key. Fails with kInvalidInput naming the exponent. Whoever
// loads a JWK for verification calls this, as it refuses small moduli.
util::Result<void> check_rsa_exponent(std::string_view e);

}  // namespace eem::crypto
