#include "oidc/jwt.h"

#include <gtest/gtest.h>

#include "crypto/base64.h"

namespace eem::oidc {
namespace {

std::string b64(const std::string& s) { return crypto::base64url_encode(s); }

TEST(DecodeJwt, DecodesHeaderClaimsAndSignature) {
  const std::string token = b64(R"({"alg":"RS256","kid":"k1","typ":"JWT"})") + "." +
                            b64(R"({"iss":"https://token.actions.githubusercontent.com","sub":"repo:o/r:pull_request",)"
                                R"("aud":["sts.amazonaws.com","x"],"exp":1700000300.7,"nbf":1700000000,"iat":1700000000,)"
                                R"("run_attempt":"1","actor_id":42,"ref_protected":false,"nested":{"a":1}})") +
                            "." + b64("sig");
  const auto jwt = decode_jwt(token + "\n");
  ASSERT_TRUE(jwt.has_value()) << jwt.error().message;
  EXPECT_EQ(jwt->header.alg, "RS256");
  EXPECT_EQ(jwt->header.kid, "k1");
  EXPECT_EQ(jwt->claims.aud, (std::vector<std::string>{"sts.amazonaws.com", "x"}));
  EXPECT_EQ(jwt->claims.exp, 1700000300);
  EXPECT_EQ(jwt->claims.scalars.at("actor_id"), "42");
  EXPECT_EQ(jwt->claims.scalars.at("ref_protected"), "false");
  EXPECT_FALSE(jwt->claims.scalars.contains("nested"));
  EXPECT_EQ(jwt->signature, "sig");
  EXPECT_EQ(jwt->signing_input, token.substr(0, token.rfind('.')));
}

struct Bad {
  std::string token;
  std::string message;
};

void PrintTo(const Bad& b, std::ostream* os) { *os << b.message; }

class DecodeJwtRejects : public testing::TestWithParam<Bad> {};

TEST_P(DecodeJwtRejects, WithAPreciseMessage) {
  const auto jwt = decode_jwt(GetParam().token);
  ASSERT_FALSE(jwt.has_value());
  EXPECT_EQ(jwt.error().message, GetParam().message);
}

const std::string kHeader = b64(R"({"alg":"RS256"})");
const std::string kPayload = b64(R"({"sub":"x"})");

INSTANTIATE_TEST_SUITE_P(
    Table, DecodeJwtRejects,
    testing::Values(
        Bad{"", "token is empty"},
        Bad{std::string(kMaxTokenBytes + 1, 'a'), "token is 16385 bytes; the limit is 16384"},
        Bad{"a.b", "token must have 3 dot-separated parts (header.payload.signature), got 2"},
        Bad{"a.b.c.d.e", "token has 5 parts: encrypted tokens (JWE) are not supported"},
        Bad{"a+b." + kPayload + ".c", "JWT header is not valid base64url"},
        Bad{b64("[1]") + "." + kPayload + ".c", "JWT header is not a JSON object"},
        Bad{b64(R"({"typ":"JWT"})") + "." + kPayload + ".c", "JWT header has no \"alg\" string"},
        Bad{b64(R"({"alg":"RS256","crit":[]})") + "." + kPayload + ".c", "JWT header \"crit\" must be a non-empty array"},
        Bad{kHeader + ".%%." + "c", "JWT payload is not valid base64url"},
        Bad{kHeader + "." + b64("not json") + ".c", "JWT payload is not a JSON object"},
        Bad{kHeader + "." + b64(R"({"aud":[1]})") + ".c", "JWT claim \"aud\" must be a string or an array of strings"},
        Bad{kHeader + "." + b64(R"({"exp":"soon"})") + ".c", "JWT claim \"exp\" must be a number (seconds since the epoch)"},
        Bad{kHeader + "." + b64(R"({"sub":7})") + ".c", "JWT claim \"sub\" must be a string"},
        // Issue 13, item 7: converting these to int64 was undefined, and they "verified".
        Bad{kHeader + "." + b64(R"({"nbf":1e19})") + ".c", "JWT claim \"nbf\" is 1e+19, outside the dates this verifier accepts (0 to 253402300799, 1970-01-01 to 9999-12-31)"},
        Bad{kHeader + "." + b64(R"({"nbf":9223372036854775808})") + ".c", "JWT claim \"nbf\" is 9223372036854775808, outside the dates this verifier accepts (0 to 253402300799, 1970-01-01 to 9999-12-31)"},
        Bad{kHeader + "." + b64(R"({"iat":18446744073709551616})") + ".c", "JWT claim \"iat\" is 1.8446744073709552e+19, outside the dates this verifier accepts (0 to 253402300799, 1970-01-01 to 9999-12-31)"},
        Bad{kHeader + "." + b64(R"({"exp":-1e300})") + ".c", "JWT claim \"exp\" is -1e+300, outside the dates this verifier accepts (0 to 253402300799, 1970-01-01 to 9999-12-31)"},
        Bad{kHeader + "." + b64(R"({"exp":-1})") + ".c", "JWT claim \"exp\" is -1, outside the dates this verifier accepts (0 to 253402300799, 1970-01-01 to 9999-12-31)"},
        Bad{kHeader + "." + b64(R"({"exp":253402300800})") + ".c", "JWT claim \"exp\" is 253402300800, outside the dates this verifier accepts (0 to 253402300799, 1970-01-01 to 9999-12-31)"},
        Bad{kHeader + "." + kPayload + ".a=", "JWT signature is not valid base64url"}));

TEST(DecodeJwt, AcceptsNumericDatesAtTheEndsOfTheRange) {
  const auto jwt = decode_jwt(kHeader + "." + b64(R"({"exp":253402300799.5,"nbf":0,"iat":-0.0})") + "." + b64("sig"));
  ASSERT_TRUE(jwt.has_value()) << jwt.error().message;
  EXPECT_EQ(jwt->claims.exp, 253402300799);
  EXPECT_EQ(jwt->claims.nbf, 0);
  EXPECT_EQ(format_time(*jwt->claims.exp), "9999-12-31T23:59:59Z");
}

TEST(FormatTime, IsRfc3339Utc) { EXPECT_EQ(format_time(1784073600), "2026-07-15T00:00:00Z"); }

}  // namespace
}  // namespace eem::oidc
