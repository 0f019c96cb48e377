#include "crypto/jwk.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace eem::crypto {
namespace {

// RFC 7638 section 3.1: the example RSA key and its thumbprint.
constexpr const char* kRfcN =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs"
    "tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5"
    "hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

TEST(Jwk, ThumbprintMatchesRfc7638Example) {
  const Jwk jwk{"RSA", kRfcN, "AQAB", "", "", ""};
  EXPECT_EQ(jwk_thumbprint(jwk), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
}

TEST(Jwk, ThumbprintDependsOnTheKey) {
  const Jwk a{"RSA", kRfcN, "AQAB", "", "", ""};
  const Jwk b{"RSA", kRfcN, "AQAC", "", "", ""};
  EXPECT_NE(jwk_thumbprint(a), jwk_thumbprint(b));
}

TEST(Jwk, JwksDocumentHasOneRs256SigningKey) {
  const Jwk jwk{"RSA", "bm9k", "AQAB", "", "", ""};
  EXPECT_EQ(rsa_jwks_json(jwk, "kid1"),
            R"({"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"kid1","n":"bm9k","e":"AQAB"}]})");
}

// Issue 13, item 8: e = 1 let a forged signature verify.
TEST(Jwk, RsaExponentMustBeOddAndAtLeastThree) {
  for (const char* good : {"AQAB", "AAEAAQ", "Aw", "AQAAAAAAAAAAAQ"}) {
    EXPECT_TRUE(check_rsa_exponent(good).has_value()) << good;
  }
  const std::string rule = " is refused: it must be odd and at least 3 (65537 in practice)";
  const std::vector<std::pair<std::string, std::string>> bad{
      {"AQ", "JWK RSA exponent 1" + rule},          {"AAAAAQ", "JWK RSA exponent 1" + rule},
      {"AA", "JWK RSA exponent 0" + rule},          {"Ag", "JWK RSA exponent 2" + rule},
      {"AQAA", "JWK RSA exponent 65536" + rule},    {"AQAAAAAAAAAAAA", "JWK RSA exponent of 10 bytes" + rule},
      {"", "JWK member \"e\" is not valid base64url"}, {"A+B", "JWK member \"e\" is not valid base64url"}};
  for (const auto& [e, message] : bad) {
    const auto result = check_rsa_exponent(e);
    ASSERT_FALSE(result.has_value()) << e;
    EXPECT_EQ(result.error().kind, util::ErrorKind::kInvalidInput) << e;
    EXPECT_EQ(result.error().message, message) << e;
  }
}

}  // namespace
}  // namespace eem::crypto
