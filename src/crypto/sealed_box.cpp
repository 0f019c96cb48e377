#include "crypto/sealed_box.h"

#include <sodium.h>

#include <stdexcept>

namespace eem::crypto {

namespace {

using util::ErrorKind;

// sodium_init() is idempotent and thread-safe; it returns -1 only when the
// library cannot initialise its random source, which no caller can handle.
void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium: sodium_init failed");
}

const unsigned char* bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }
unsigned char* bytes(std::string& text) { return reinterpret_cast<unsigned char*>(text.data()); }

}  // namespace

util::Result<std::string> seal(std::string_view plaintext, std::string_view public_key) {
  ensure_sodium();
  if (public_key.size() != crypto_box_PUBLICKEYBYTES) {
    return util::fail(ErrorKind::kInvalidInput, "sealed box: public key is " + std::to_string(public_key.size()) +
                                                    " bytes, expected " + std::to_string(crypto_box_PUBLICKEYBYTES));
  }
  std::string out(plaintext.size() + crypto_box_SEALBYTES, '\0');
  if (crypto_box_seal(bytes(out), bytes(plaintext), plaintext.size(), bytes(public_key)) != 0) {
    return util::fail(ErrorKind::kInternal, "sealed box: crypto_box_seal failed");
  }
  return out;
}

util::Result<std::string> seal_open(std::string_view ciphertext, const BoxKeyPair& keys) {
  ensure_sodium();
  if (ciphertext.size() < crypto_box_SEALBYTES || keys.public_key.size() != crypto_box_PUBLICKEYBYTES ||
      keys.secret_key.size() != crypto_box_SECRETKEYBYTES) {
    return util::fail(ErrorKind::kInvalidInput, "sealed box: ciphertext or key has the wrong size");
  }
  std::string out(ciphertext.size() - crypto_box_SEALBYTES, '\0');
  if (crypto_box_seal_open(bytes(out), bytes(ciphertext), ciphertext.size(), bytes(keys.public_key),
                           bytes(keys.secret_key)) != 0) {
    return util::fail(ErrorKind::kDenied, "sealed box: ciphertext does not open with this key pair");
  }
  return out;
}

BoxKeyPair generate_box_keypair() {
  ensure_sodium();
  BoxKeyPair keys{std::string(crypto_box_PUBLICKEYBYTES, '\0'), std::string(crypto_box_SECRETKEYBYTES, '\0')};
  crypto_box_keypair(bytes(keys.public_key), bytes(keys.secret_key));
  return keys;
}

}  // namespace eem::crypto
