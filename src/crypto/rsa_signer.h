#pragma once
// RSA private keys and RS256 signatures (RFC 7518 section 3.3), for the
// local GitHub-Actions-style OIDC issuer (src/issuer). The OpenSSL adapter:
// callers see plain strings, never EVP_PKEY.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "crypto/signature.h"
#include "util/error.h"

namespace eem::crypto {

// An RSA private key; move-only owner of the OpenSSL key.
class PrivateKey {
 public:
  PrivateKey();
  ~PrivateKey();
  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;

  int bits() const noexcept;

  struct Impl;
  explicit PrivateKey(std::unique_ptr<Impl> impl);
  const Impl* impl() const noexcept { return impl_.get(); }

 private:
  std::unique_ptr<Impl> impl_;
};

// A fresh RSA key of `bits` bits (at least 2048, RFC 7518 section 3.3).
// kInvalidInput below 2048, kInternal when OpenSSL fails.
util::Result<PrivateKey> generate_rsa_key(int bits = 2048);

// Reads a PEM RSA private key ("BEGIN PRIVATE KEY" PKCS#8 or "BEGIN RSA
// PRIVATE KEY" PKCS#1, unencrypted). kInvalidInput when `pem` is not one, or
// not RSA, or under 2048 bits.
util::Result<PrivateKey> private_key_from_pem(std::string_view pem);

// The key as unencrypted PKCS#8 PEM. A secret: callers write it 0600.
util::Result<std::string> private_key_to_pem(const PrivateKey& key);

// The public half as a JWK (kty "RSA", n and e base64url without padding,
// big-endian without leading zeros, RFC 7518 section 6.3.1).
Jwk public_jwk(const PrivateKey& key);

// RSASSA-PKCS1-v1_5 with SHA-256 over `signing_input`; the raw signature
// bytes (as long as the modulus).
util::Result<std::string> sign_rs256(const PrivateKey& key, std::string_view signing_input);

// `count` bytes from OpenSSL's CSPRNG (JWT ids, request tokens).
std::string random_bytes(std::size_t count);

// Compares secrets (bearer tokens) in time independent of where they differ.
bool constant_time_equals(std::string_view a, std::string_view b) noexcept;

}  // namespace eem::crypto
