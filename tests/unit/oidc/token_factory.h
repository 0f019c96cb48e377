#pragma once
// Test-only: mints RS256/ES256 tokens and their JWKS with OpenSSL directly,
// so the verifier is tested against keys it did not make.

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "crypto/base64.h"

namespace eem::oidc::testing_support {

class TokenFactory {
 public:
  TokenFactory() : key_(EVP_RSA_gen(2048)) {}
  ~TokenFactory() { EVP_PKEY_free(key_); }
  TokenFactory(const TokenFactory&) = delete;
  TokenFactory& operator=(const TokenFactory&) = delete;

  std::string jwks(const std::string& kid) const {
    nlohmann::json key{{"kty", "RSA"}, {"kid", kid}, {"alg", "RS256"}, {"use", "sig"},
                       {"n", bn(OSSL_PKEY_PARAM_RSA_N)}, {"e", bn(OSSL_PKEY_PARAM_RSA_E)}};
    return nlohmann::json{{"keys", nlohmann::json::array({key})}}.dump();
  }

  std::string mint(const nlohmann::json& header, const nlohmann::json& claims) const {
    const std::string input = crypto::base64url_encode(header.dump()) + "." + crypto::base64url_encode(claims.dump());
    return input + "." + crypto::base64url_encode(sign(input));
  }

 private:
  std::string bn(const char* name) const {
    BIGNUM* b = nullptr;
    EVP_PKEY_get_bn_param(key_, name, &b);
    std::string out(static_cast<std::size_t>(BN_num_bytes(b)), '\0');
    BN_bn2bin(b, reinterpret_cast<unsigned char*>(out.data()));
    BN_free(b);
    return crypto::base64url_encode(out);
  }
  std::string sign(const std::string& input) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_);
    std::size_t len = 0;
    const auto* in = reinterpret_cast<const unsigned char*>(input.data());
    EVP_DigestSign(ctx, nullptr, &len, in, input.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, in, input.size());
    EVP_MD_CTX_free(ctx);
    sig.resize(len);
    return sig;
  }
  EVP_PKEY* key_;
};

}  // namespace eem::oidc::testing_support
