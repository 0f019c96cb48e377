#include "crypto/rsa_signer.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto/base64.h"
#include "crypto/jwk.h"

namespace eem::crypto {
namespace {

// One key for the suite: RSA generation takes a noticeable moment under ASan.
const PrivateKey& shared_key() {
  static const PrivateKey key = std::move(*generate_rsa_key(2048));
  return key;
}

// A PEM written by OpenSSL directly (not by the code under test).
std::string openssl_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  EVP_PKEY_free(key);
  return pem;
}

TEST(RsaSigner, GeneratedKeyHas2048BitsAndPublicExponent65537) {
  EXPECT_EQ(shared_key().bits(), 2048);
  const Jwk jwk = public_jwk(shared_key());
  EXPECT_EQ(jwk.kty, "RSA");
  EXPECT_EQ(jwk.e, "AQAB");
  EXPECT_EQ(base64url_decode(jwk.n)->size(), 256u);
}

TEST(RsaSigner, RefusesKeysUnder2048Bits) {
  auto key = generate_rsa_key(1024);
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().kind, util::ErrorKind::kInvalidInput);
  EXPECT_EQ(key.error().message, "RSA keys need at least 2048 bits (RFC 7518 section 3.3), not 1024");
}

TEST(RsaSigner, Rs256SignatureVerifiesWithThePublicJwkAndNotAfterTampering) {
  const std::string input = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vcjpyZWY6cmVmcy9oZWFkcy9tYWluIn0";
  auto signature = sign_rs256(shared_key(), input);
  ASSERT_TRUE(signature) << signature.error().message;
  EXPECT_EQ(signature->size(), 256u);
  auto pub = public_key_from_jwk(public_jwk(shared_key()));
  ASSERT_TRUE(pub) << pub.error().message;
  EXPECT_TRUE(verify_signature(JwsAlgorithm::kRS256, *pub, input, *signature));
  auto tampered = verify_signature(JwsAlgorithm::kRS256, *pub, input + "x", *signature);
  ASSERT_FALSE(tampered);
  EXPECT_EQ(tampered.error().kind, util::ErrorKind::kDenied);
}

TEST(RsaSigner, PemRoundTripKeepsTheKey) {
  auto pem = private_key_to_pem(shared_key());
  ASSERT_TRUE(pem);
  EXPECT_TRUE(pem->starts_with("-----BEGIN PRIVATE KEY-----\n"));
  auto again = private_key_from_pem(*pem);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(public_jwk(*again).n, public_jwk(shared_key()).n);
}

TEST(RsaSigner, ReadsPkcs8PemWrittenByOpenSsl) {
  auto key = private_key_from_pem(openssl_pem(EVP_RSA_gen(2048)));
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(key->bits(), 2048);
}

TEST(RsaSigner, RejectsNonPemEcAndSmallKeys) {
  auto garbage = private_key_from_pem("not a key");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().message, "not an unencrypted PEM private key");
  auto ec = private_key_from_pem(openssl_pem(EVP_EC_gen("P-256")));
  ASSERT_FALSE(ec);
  EXPECT_EQ(ec.error().message, "the PEM key is not an RSA key");
  auto small = private_key_from_pem(openssl_pem(EVP_RSA_gen(1024)));
  ASSERT_FALSE(small);
  EXPECT_EQ(small.error().message, "the PEM RSA key has 1024 bits; at least 2048 are required");
}

TEST(RsaSigner, RandomBytesDifferAndHaveTheAskedLength) {
  const std::string a = random_bytes(32), b = random_bytes(32);
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, b);
}

TEST(RsaSigner, ConstantTimeEqualsComparesWholeValues) {
  EXPECT_TRUE(constant_time_equals("request-token", "request-token"));
  EXPECT_FALSE(constant_time_equals("request-token", "request-tokem"));
  EXPECT_FALSE(constant_time_equals("request-token", "request-token2"));
  EXPECT_FALSE(constant_time_equals("", "x"));
}

}  // namespace
}  // namespace eem::crypto
