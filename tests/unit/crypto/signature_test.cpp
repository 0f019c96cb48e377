#include "crypto/signature.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>

#include "crypto/base64.h"

namespace eem::crypto {
namespace {

// Test-side signer: the production code only verifies, so the tests create
// keys and signatures with OpenSSL directly.
struct PkeyFree {
  void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string bn_param(EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(static_cast<std::size_t>(pad > 0 ? pad : BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return base64url_encode(out);
}

Jwk rsa_jwk(EVP_PKEY* key) { return Jwk{"RSA", bn_param(key, OSSL_PKEY_PARAM_RSA_N), bn_param(key, OSSL_PKEY_PARAM_RSA_E), "", "", ""}; }
Jwk ec_jwk(EVP_PKEY* key) {
  return Jwk{"EC", "", "", "P-256", bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, 32), bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, 32)};
}

std::string sign(EVP_PKEY* key, const EVP_MD* md, std::string_view input, bool pss = false) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  EVP_DigestSignInit(ctx, &pctx, md, nullptr, key);
  if (pss) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  std::size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  EVP_DigestSign(ctx, nullptr, &len, in, input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, in, input.size());
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  return sig;
}

// DER ECDSA-Sig-Value -> JOSE R||S (the inverse of ecdsa_raw_to_der).
std::string der_to_raw(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return raw;
}

class Signature : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_.reset(EVP_RSA_gen(2048));
    ec_.reset(EVP_EC_gen("P-256"));
  }
  static inline Pkey rsa_;
  static inline Pkey ec_;
  const std::string input_ = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0";
};

TEST_F(Signature, VerifiesEveryRsaAlgorithm) {
  const auto key = public_key_from_jwk(rsa_jwk(rsa_.get()));
  ASSERT_TRUE(key.has_value()) << key.error().message;
  EXPECT_EQ(key->type(), "RSA");
  EXPECT_EQ(key->bits(), 2048);
  EXPECT_TRUE(verify_signature(JwsAlgorithm::kRS256, *key, input_, sign(rsa_.get(), EVP_sha256(), input_)).has_value());
  EXPECT_TRUE(verify_signature(JwsAlgorithm::kRS384, *key, input_, sign(rsa_.get(), EVP_sha384(), input_)).has_value());
  EXPECT_TRUE(verify_signature(JwsAlgorithm::kRS512, *key, input_, sign(rsa_.get(), EVP_sha512(), input_)).has_value());
  EXPECT_TRUE(verify_signature(JwsAlgorithm::kPS256, *key, input_, sign(rsa_.get(), EVP_sha256(), input_, true)).has_value());
}

TEST_F(Signature, RejectsTamperedInputAndWrongAlgorithm) {
  const auto key = public_key_from_jwk(rsa_jwk(rsa_.get()));
  const std::string sig = sign(rsa_.get(), EVP_sha256(), input_);
  const auto tampered = verify_signature(JwsAlgorithm::kRS256, *key, input_ + "x", sig);
  ASSERT_FALSE(tampered.has_value());
  EXPECT_EQ(tampered.error().kind, util::ErrorKind::kDenied);
  EXPECT_EQ(tampered.error().message, "signature does not verify");
  EXPECT_FALSE(verify_signature(JwsAlgorithm::kRS384, *key, input_, sig).has_value());
  EXPECT_FALSE(verify_signature(JwsAlgorithm::kPS256, *key, input_, sig).has_value());
  const auto wrong_type = verify_signature(JwsAlgorithm::kES256, *key, input_, sig);
  EXPECT_EQ(wrong_type.error().message, "algorithm ES256 does not fit a key of type RSA");
}

TEST_F(Signature, VerifiesEs256InJoseFormat) {
  const auto key = public_key_from_jwk(ec_jwk(ec_.get()));
  ASSERT_TRUE(key.has_value()) << key.error().message;
  const std::string raw = der_to_raw(sign(ec_.get(), EVP_sha256(), input_));
  EXPECT_TRUE(verify_signature(JwsAlgorithm::kES256, *key, input_, raw).has_value());
  EXPECT_EQ(verify_signature(JwsAlgorithm::kES256, *key, input_ + "x", raw).error().kind, util::ErrorKind::kDenied);
  EXPECT_EQ(verify_signature(JwsAlgorithm::kES256, *key, input_, raw.substr(1)).error().message,
            "ES256 signature must be 64 bytes (R||S)");
}

TEST(SignatureJwk, RejectsBadKeys) {
  EXPECT_EQ(public_key_from_jwk(Jwk{"oct", "", "", "", "", ""}).error().message,
            "JWK key type \"oct\" is not supported (expected RSA or EC)");
  EXPECT_EQ(public_key_from_jwk(Jwk{"RSA", "!!", "AQAB", "", "", ""}).error().message,
            "JWK member \"n\" is not valid base64url");
  EXPECT_EQ(public_key_from_jwk(Jwk{"RSA", base64url_encode(std::string(128, '\xff')), "AQAB", "", "", ""}).error().message,
            "JWK RSA key has 1024 bits; at least 2048 are required");
  EXPECT_EQ(public_key_from_jwk(Jwk{"EC", "", "", "P-384", "AA", "AA"}).error().message,
            "JWK curve \"P-384\" is not supported (only P-256)");
  const std::string zeros = base64url_encode(std::string(32, '\x01'));
  EXPECT_EQ(public_key_from_jwk(Jwk{"EC", "", "", "P-256", zeros, zeros}).error().message,
            "JWK is not a valid EC public key");
}

TEST(SignatureAlgorithms, ParsesOnlyAsymmetricNames) {
  EXPECT_EQ(parse_jws_algorithm("RS256"), JwsAlgorithm::kRS256);
  EXPECT_EQ(parse_jws_algorithm("ES256"), JwsAlgorithm::kES256);
  EXPECT_FALSE(parse_jws_algorithm("none").has_value());
  EXPECT_FALSE(parse_jws_algorithm("HS256").has_value());
  EXPECT_FALSE(parse_jws_algorithm("rs256").has_value());
  EXPECT_EQ(jws_algorithm_name(JwsAlgorithm::kPS256), "PS256");
}

TEST(SignatureDer, ConvertsRawToDer) {
  EXPECT_FALSE(ecdsa_raw_to_der(std::string(63, '\x01'), 32).has_value());
  const auto der = ecdsa_raw_to_der(std::string(64, '\x01'), 32);
  ASSERT_TRUE(der.has_value());
  EXPECT_EQ(der->substr(0, 2), std::string("\x30\x44", 2));  // SEQUENCE of two 32-byte INTEGERs
}

}  // namespace
}  // namespace eem::crypto
