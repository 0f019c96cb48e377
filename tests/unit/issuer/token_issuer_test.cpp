#include "issuer/token_issuer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/jwk.h"
#include "issuer_fixture.h"
#include "oidc/verifier.h"

namespace eem::issuer {
namespace {

using testing_support::kBase;
using testing_support::kNow;

TEST(TokenIssuer, TokensVerifyAgainstItsOwnJwksLikeStsDoes) {
  const auto& issuer = testing_support::shared_issuer();
  auto token = issuer.mint("sts.amazonaws.com");
  ASSERT_TRUE(token) << token.error().message;
  auto jwt = testing_support::verify(issuer, *token, "sts.amazonaws.com");
  ASSERT_TRUE(jwt) << jwt.error().message;
  EXPECT_EQ(jwt->header.alg, "RS256");
  EXPECT_EQ(jwt->header.typ, "JWT");
  EXPECT_EQ(jwt->header.kid, issuer.kid());
  EXPECT_EQ(jwt->claims.iss, kBase);
  EXPECT_EQ(jwt->claims.sub, "repo:octo-org/octo-repo:ref:refs/heads/main");
  EXPECT_EQ(*jwt->claims.iat, kNow);
  EXPECT_EQ(*jwt->claims.exp, kNow + 300);
  EXPECT_LT(*jwt->claims.nbf, *jwt->claims.iat);
}

TEST(TokenIssuer, AbsentAudienceDefaultsToTheOwnersUrl) {
  const auto& issuer = testing_support::shared_issuer();
  auto jwt = testing_support::verify(issuer, *issuer.mint(""), "https://github.com/octo-org");
  ASSERT_TRUE(jwt) << jwt.error().message;
  EXPECT_EQ(jwt->claims.aud, std::vector<std::string>{"https://github.com/octo-org"});
}

TEST(TokenIssuer, EveryTokenHasItsOwnUuidJti) {
  const auto& issuer = testing_support::shared_issuer();
  auto a = oidc::decode_jwt(*issuer.mint("x"));
  auto b = oidc::decode_jwt(*issuer.mint("x"));
  const std::string jti = a->claims.scalars.at("jti");
  EXPECT_NE(jti, b->claims.scalars.at("jti"));
  ASSERT_EQ(jti.size(), 36u);
  EXPECT_EQ(jti[14], '4');  // version 4 (RFC 9562 section 5.4)
}

TEST(TokenIssuer, KidIsTheRfc7638ThumbprintPublishedInTheJwks) {
  const auto& issuer = testing_support::shared_issuer();
  const auto jwks = nlohmann::json::parse(issuer.jwks_json());
  ASSERT_EQ(jwks["keys"].size(), 1u);
  const auto& key = jwks["keys"][0];
  EXPECT_EQ(key["kid"], issuer.kid());
  EXPECT_EQ(crypto::jwk_thumbprint({"RSA", key["n"], key["e"], "", "", ""}), issuer.kid());
  EXPECT_EQ(key["use"], "sig");
  EXPECT_EQ(key["alg"], "RS256");
}

TEST(TokenIssuer, DiscoveryDocumentPointsAtTheJwks) {
  const auto doc = nlohmann::json::parse(testing_support::shared_issuer().discovery_json());
  EXPECT_EQ(doc["issuer"], kBase);
  EXPECT_EQ(doc["jwks_uri"], std::string(kBase) + "/.well-known/jwks");
  EXPECT_EQ(doc["id_token_signing_alg_values_supported"], nlohmann::json::array({"RS256"}));
  EXPECT_EQ(doc["response_types_supported"], nlohmann::json::array({"id_token"}));
}

TEST(TokenIssuer, TokenFromAnotherKeyDoesNotVerify) {
  auto other_key = crypto::generate_rsa_key();
  ASSERT_TRUE(other_key);
  TokenIssuer other(std::move(*other_key), testing_support::run(), kBase, kBase, testing_support::fixed_clock());
  auto jwt = testing_support::verify(testing_support::shared_issuer(), *other.mint("a"), "a");
  ASSERT_FALSE(jwt);
  EXPECT_EQ(jwt.error().kind, util::ErrorKind::kNotFound);  // kid differs: not in the JWKS
}

}  // namespace
}  // namespace eem::issuer
