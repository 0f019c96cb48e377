#pragma once
// libsodium's sealed box (crypto_box_seal: X25519 + XSalsa20-Poly1305 with an
// ephemeral sender key), the format GitHub requires for Actions secrets
// (https://docs.github.com/en/rest/guides/encrypting-secrets-for-the-rest-api).
// libsodium is confined to sealed_box.cpp.

#include <string>
#include <string_view>

#include "util/error.h"

namespace eem::crypto {

// Raw key bytes (32 each).
struct BoxKeyPair {
  std::string public_key;
  std::string secret_key;  // a secret: never logged
};

// Seals `plaintext` for `public_key` (32 raw bytes); the result is raw bytes
// (48 + plaintext size). kInvalidInput when the key has the wrong size.
util::Result<std::string> seal(std::string_view plaintext, std::string_view public_key);

// Opens a sealed box (tests, and anyone holding the secret key).
// kDenied when the ciphertext does not authenticate.
util::Result<std::string> seal_open(std::string_view ciphertext, const BoxKeyPair& keys);

// A fresh key pair (tests).
BoxKeyPair generate_box_keypair();

}  // namespace eem::crypto
