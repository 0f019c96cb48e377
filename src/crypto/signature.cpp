#include "crypto/signature.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <array>
#include <utility>

#include "crypto/base64.h"

namespace eem::crypto {

struct PublicKey::Impl {
  struct Free {
    void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
  };
  std::unique_ptr<EVP_PKEY, Free> key;
  std::string type;
};

PublicKey::PublicKey() = default;
PublicKey::~PublicKey() = default;
PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;
PublicKey::PublicKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::string_view PublicKey::type() const noexcept { return impl_ ? std::string_view(impl_->type) : std::string_view(); }
int PublicKey::bits() const noexcept { return impl_ ? EVP_PKEY_get_bits(impl_->key.get()) : 0; }

namespace {

using util::ErrorKind;

template <class T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const noexcept { F(p); }
};
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using Params = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM, OSSL_PARAM_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;

constexpr std::array<std::pair<std::string_view, JwsAlgorithm>, 5> kAlgorithms{{
    {"RS256", JwsAlgorithm::kRS256},
    {"RS384", JwsAlgorithm::kRS384},
    {"RS512", JwsAlgorithm::kRS512},
    {"PS256", JwsAlgorithm::kPS256},
    {"ES256", JwsAlgorithm::kES256},
}};

// RFC 7518 section 6.3.1: too-small RSA keys are insecure; 2048 is the floor.
constexpr int kMinRsaBits = 2048;
constexpr std::size_t kP256Size = 32;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

util::Result<std::string> member(std::string_view name, std::string_view value) {
  auto decoded = base64url_decode(value);
  if (!decoded || decoded->empty()) {
    return util::fail(ErrorKind::kInvalidInput, "JWK member \"" + std::string(name) + "\" is not valid base64url");
  }
  return *decoded;
}

util::Result<PublicKey> from_params(const char* type, OSSL_PARAM_BLD* bld) {
  Params params(OSSL_PARAM_BLD_to_param(bld));
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return util::fail(ErrorKind::kInvalidInput, std::string("JWK is not a valid ") + type + " public key");
  }
  auto impl = std::make_unique<PublicKey::Impl>();
  impl->key.reset(raw);
  impl->type = type;
  return PublicKey(std::move(impl));
}

util::Result<PublicKey> rsa_key(const Jwk& jwk) {
  auto n = member("n", jwk.n);
  if (!n) return std::unexpected(n.error());
  auto e = member("e", jwk.e);
  if (!e) return std::unexpected(e.error());
  Bignum bn_n(BN_bin2bn(bytes(*n), static_cast<int>(n->size()), nullptr));
  Bignum bn_e(BN_bin2bn(bytes(*e), static_cast<int>(e->size()), nullptr));
  ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bn_n || !bn_e || !bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return util::fail(ErrorKind::kInternal, "OpenSSL: cannot build RSA key parameters");
  }
  auto key = from_params("RSA", bld.get());
  if (key && key->bits() < kMinRsaBits) {
    return util::fail(ErrorKind::kInvalidInput,
                      "JWK RSA key has " + std::to_string(key->bits()) + " bits; at least 2048 are required");
  }
  return key;
}

util::Result<PublicKey> ec_key(const Jwk& jwk) {
  if (jwk.crv != "P-256") return util::fail(ErrorKind::kInvalidInput, "JWK curve \"" + jwk.crv + "\" is not supported (only P-256)");
  auto x = member("x", jwk.x);
  if (!x) return std::unexpected(x.error());
  auto y = member("y", jwk.y);
  if (!y) return std::unexpected(y.error());
  if (x->size() != kP256Size || y->size() != kP256Size) {
    return util::fail(ErrorKind::kInvalidInput, "JWK P-256 coordinates must be 32 bytes each");
  }
  // SEC 1 section 2.3.3 uncompressed point: 0x04 || X || Y.
  const std::string point = std::string(1, '\x04') + *x + *y;
  ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1) {
    return util::fail(ErrorKind::kInternal, "OpenSSL: cannot build EC key parameters");
  }
  return from_params("EC", bld.get());
}

const EVP_MD* digest_for(JwsAlgorithm algorithm) {
  switch (algorithm) {
    case JwsAlgorithm::kRS384: return EVP_sha384();
    case JwsAlgorithm::kRS512: return EVP_sha512();
    default: return EVP_sha256();
  }
}

}  // namespace

std::optional<JwsAlgorithm> parse_jws_algorithm(std::string_view name) {
  for (const auto& [text, algorithm] : kAlgorithms) {
    if (text == name) return algorithm;
  }
  return std::nullopt;
}

std::string_view jws_algorithm_name(JwsAlgorithm algorithm) noexcept {
  for (const auto& [text, a] : kAlgorithms) {
    if (a == algorithm) return text;
  }
  return "?";
}

util::Result<PublicKey> public_key_from_jwk(const Jwk& jwk) {
  if (jwk.kty == "RSA") return rsa_key(jwk);
  if (jwk.kty == "EC") return ec_key(jwk);
  return util::fail(ErrorKind::kInvalidInput, "JWK key type \"" + jwk.kty + "\" is not supported (expected RSA or EC)");
}

std::optional<std::string> ecdsa_raw_to_der(std::string_view raw, std::size_t component_size) {
  if (raw.size() != 2 * component_size) return std::nullopt;
  const int size = static_cast<int>(component_size);
  Bignum r(BN_bin2bn(bytes(raw), size, nullptr));
  Bignum s(BN_bin2bn(bytes(raw.substr(component_size)), size, nullptr));
  EcdsaSig sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  (void)r.release();  // owned by sig now
  (void)s.release();
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return std::nullopt;
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_ECDSA_SIG(sig.get(), &out);
  return der;
}

util::Result<void> verify_signature(JwsAlgorithm algorithm, const PublicKey& key, std::string_view signing_input,
                                    std::string_view signature) {
  const bool wants_ec = algorithm == JwsAlgorithm::kES256;
  if (key.impl() == nullptr || key.type() != (wants_ec ? "EC" : "RSA")) {
    return util::fail(ErrorKind::kInvalidInput, "algorithm " + std::string(jws_algorithm_name(algorithm)) +
                                                    " does not fit a key of type " + std::string(key.type()));
  }
  std::string der;
  if (wants_ec) {
    auto converted = ecdsa_raw_to_der(signature, kP256Size);
    if (!converted) return util::fail(ErrorKind::kInvalidInput, "ES256 signature must be 64 bytes (R||S)");
    der = std::move(*converted);
    signature = der;
  }
  MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, digest_for(algorithm), nullptr, key.impl()->key.get()) != 1) {
    return util::fail(ErrorKind::kInternal, "OpenSSL: cannot initialise signature verification");
  }
  // RFC 7518 section 3.5: PS256 uses MGF1 with SHA-256 and a salt as long as the hash.
  if (algorithm == JwsAlgorithm::kPS256 &&
      (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
    return util::fail(ErrorKind::kInternal, "OpenSSL: cannot configure RSA-PSS");
  }
  if (EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(signing_input), signing_input.size()) != 1) {
    return util::fail(ErrorKind::kDenied, "signature does not verify");
  }
  return {};
}

}  // namespace eem::crypto
