#pragma once
// JWS signature verification (RFC 7515, algorithms of RFC 7518 section 3)
// with public keys from JWKs (RFC 7517, RFC 7518 section 6). The OpenSSL
// adapter for signatures: callers see plain strings, never EVP_PKEY.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.h"

namespace eem::crypto {

// The asymmetric algorithms we verify. HMAC ("HS256") and "none" are
// deliberately absent: a verifier holding public keys must never accept them.
enum class JwsAlgorithm { kRS256, kRS384, kRS512, kPS256, kES256 };

// "RS256" -> kRS256; nullopt for anything else (case-sensitive, RFC 7515 4.1.1).
std::optional<JwsAlgorithm> parse_jws_algorithm(std::string_view name);
std::string_view jws_algorithm_name(JwsAlgorithm algorithm) noexcept;

// The public members of a JWK, base64url-encoded as in the JSON.
struct Jwk {
  std::string kty;  // "RSA" or "EC"
  std::string n, e;       // RSA
  std::string crv, x, y;  // EC ("P-256")
};

// A public key; move-only owner of the OpenSSL key.
class PublicKey {
 public:
  PublicKey();
  ~PublicKey();
  PublicKey(PublicKey&&) noexcept;
  PublicKey& operator=(PublicKey&&) noexcept;
  PublicKey(const PublicKey&) = delete;
  PublicKey& operator=(const PublicKey&) = delete;

  std::string_view type() const noexcept;  // "RSA", "EC" or "" when empty
  int bits() const noexcept;

  struct Impl;
  explicit PublicKey(std::unique_ptr<Impl> impl);
  const Impl* impl() const noexcept { return impl_.get(); }

 private:
  std::unique_ptr<Impl> impl_;
};

// Builds a key from `jwk`. Fails with kInvalidInput for an unknown kty or
// curve, malformed base64url, an RSA modulus under 2048 bits, or an EC point
// that is not on the curve.
util::Result<PublicKey> public_key_from_jwk(const Jwk& jwk);

// Verifies `signature` (raw bytes, already base64url-decoded) over
// `signing_input` ("BASE64URL(header).BASE64URL(payload)"). Fails with
// kInvalidInput when the key type does not fit `algorithm` (an EC key for
// RS256) or the signature has the wrong shape, kDenied when it does not verify.
util::Result<void> verify_signature(JwsAlgorithm algorithm, const PublicKey& key, std::string_view signing_input,
                                    std::string_view signature);

// JOSE carries an ECDSA signature as R||S, each `component_size` bytes (RFC
// 7518 section 3.4); OpenSSL wants DER. nullopt when the size is wrong.
std::optional<std::string> ecdsa_raw_to_der(std::string_view raw, std::size_t component_size);

}  // namespace eem::crypto
