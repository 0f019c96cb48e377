#include "crypto/rsa_signer.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "crypto/base64.h"

namespace eem::crypto {

struct PrivateKey::Impl {
  struct Free {
    void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
  };
  std::unique_ptr<EVP_PKEY, Free> key;
};

PrivateKey::PrivateKey() = default;
PrivateKey::~PrivateKey() = default;
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;
PrivateKey::PrivateKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

int PrivateKey::bits() const noexcept { return impl_ ? EVP_PKEY_get_bits(impl_->key.get()) : 0; }

namespace {

using util::ErrorKind;

template <class T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const noexcept { F(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

// RFC 7518 section 3.3: "A key of size 2048 bits or larger MUST be used".
constexpr int kMinRsaBits = 2048;

PrivateKey wrap(EVP_PKEY* raw) {
  auto impl = std::make_unique<PrivateKey::Impl>();
  impl->key.reset(raw);
  return PrivateKey(std::move(impl));
}

std::string bn_param(const EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) return {};
  Bignum bn(raw);
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

}  // namespace

util::Result<PrivateKey> generate_rsa_key(int bits) {
  if (bits < kMinRsaBits) {
    return util::fail(ErrorKind::kInvalidInput,
                      "RSA keys need at least 2048 bits (RFC 7518 section 3.3), not " + std::to_string(bits));
  }
  EVP_PKEY* raw = EVP_RSA_gen(static_cast<unsigned>(bits));
  if (raw == nullptr) return util::fail(ErrorKind::kInternal, "OpenSSL: cannot generate an RSA key");
  return wrap(raw);
}

util::Result<PrivateKey> private_key_from_pem(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (raw == nullptr) {
    return util::fail(ErrorKind::kInvalidInput, "not an unencrypted PEM private key");
  }
  PrivateKey key = wrap(raw);
  if (!EVP_PKEY_is_a(raw, "RSA")) return util::fail(ErrorKind::kInvalidInput, "the PEM key is not an RSA key");
  if (key.bits() < kMinRsaBits) {
    return util::fail(ErrorKind::kInvalidInput,
                      "the PEM RSA key has " + std::to_string(key.bits()) + " bits; at least 2048 are required");
  }
  return key;
}

util::Result<std::string> private_key_to_pem(const PrivateKey& key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || key.impl() == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key.impl()->key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return util::fail(ErrorKind::kInternal, "OpenSSL: cannot write the private key as PEM");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

Jwk public_jwk(const PrivateKey& key) {
  Jwk jwk;
  jwk.kty = "RSA";
  if (key.impl() == nullptr) return jwk;
  jwk.n = base64url_encode(bn_param(key.impl()->key.get(), OSSL_PKEY_PARAM_RSA_N));
  jwk.e = base64url_encode(bn_param(key.impl()->key.get(), OSSL_PKEY_PARAM_RSA_E));
  return jwk;
}

util::Result<std::string> sign_rs256(const PrivateKey& key, std::string_view signing_input) {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || key.impl() == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.impl()->key.get()) != 1) {
    return util::fail(ErrorKind::kInternal, "OpenSSL: cannot initialise RS256 signing");
  }
  const auto* in = reinterpret_cast<const unsigned char*>(signing_input.data());
  std::size_t size = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &size, in, signing_input.size()) != 1) {
    return util::fail(ErrorKind::kInternal, "OpenSSL: cannot size the RS256 signature");
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, in,
                     signing_input.size()) != 1) {
    return util::fail(ErrorKind::kInternal, "OpenSSL: RS256 signing failed");
  }
  signature.resize(size);
  return signature;
}

std::string random_bytes(std::size_t count) {
  std::string out(count, '\0');
  // RAND_bytes fails only when the CSPRNG cannot be seeded: nothing sensible
  // can continue without randomness, so this is a policy-level exception.
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) != 1) {
    throw std::runtime_error("OpenSSL: the random generator is not seeded");
  }
  return out;
}

bool constant_time_equals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace eem::crypto
