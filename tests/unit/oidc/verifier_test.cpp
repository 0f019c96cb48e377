#include "oidc/verifier.h"

#include <gtest/gtest.h>

#include "crypto/base64.h"
#include "crypto/hash.h"
#include "token_factory.h"

namespace eem::oidc {
namespace {

using nlohmann::json;
constexpr const char* kIssuer = "https://token.actions.githubusercontent.com";
constexpr std::int64_t kNow = 1784073600;

class MemorySource final : public JwksSource {
 public:
  explicit MemorySource(std::vector<std::string> documents, int* fetches)
      : documents_(std::move(documents)), fetches_(fetches) {}
  util::Result<std::string> fetch() override {
    const std::size_t i = static_cast<std::size_t>(*fetches_);
    ++*fetches_;
    return documents_[std::min(i, documents_.size() - 1)];
  }
  std::string describe() const override { return "memory"; }

 private:
  std::vector<std::string> documents_;
  int* fetches_;
};

class Verifier : public testing::Test {
 protected:
  static void SetUpTestSuite() { factory_ = std::make_unique<testing_support::TokenFactory>(); }
  static void TearDownTestSuite() { factory_.reset(); }

  json claims() const {
    return {{"iss", kIssuer}, {"aud", "sts.amazonaws.com"}, {"sub", "repo:octo/app:ref:refs/heads/main"},
            {"exp", kNow + 300}, {"nbf", kNow - 5}, {"iat", kNow}};
  }
  util::Result<Jwt> verify(const std::string& token, std::vector<std::string> jwks = {}) {
    if (jwks.empty()) jwks.push_back(factory_->jwks("k1"));
    JwksCache cache(std::make_unique<MemorySource>(std::move(jwks), &fetches_));
    VerifyOptions options{kIssuer, "sts.amazonaws.com", std::chrono::seconds(60),
                          std::chrono::system_clock::time_point(std::chrono::seconds(kNow))};
    return verify_token(token, cache, options);
  }
  std::string mint(const json& c, json header = {{"alg", "RS256"}, {"kid", "k1"}}) const { return factory_->mint(header, c); }

  static inline std::unique_ptr<testing_support::TokenFactory> factory_;
  int fetches_ = 0;
};

TEST_F(Verifier, AcceptsAGithubStyleToken) {
  const auto jwt = verify(mint(claims()));
  ASSERT_TRUE(jwt.has_value()) << jwt.error().message;
  EXPECT_EQ(jwt->claims.sub, "repo:octo/app:ref:refs/heads/main");
  EXPECT_EQ(fetches_, 1);
}

TEST_F(Verifier, RefreshesOnceOnUnknownKid) {
  const testing_support::TokenFactory other;
  const auto ok = verify(mint(claims()), {other.jwks("old"), factory_->jwks("k1")});
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(fetches_, 2);
  fetches_ = 0;
  const auto missing = verify(mint(claims(), {{"alg", "RS256"}, {"kid", "nope"}}));
  EXPECT_EQ(missing.error().kind, util::ErrorKind::kNotFound);
  EXPECT_EQ(missing.error().message, "no key with kid \"nope\" in JWKS from memory (refreshed once)");
  EXPECT_EQ(fetches_, 2);
}

TEST_F(Verifier, ToleratesClockSkewWithinLeeway) {
  json c = claims();
  c["nbf"] = kNow + 30;
  c["iat"] = kNow + 30;
  EXPECT_TRUE(verify(mint(c)).has_value());
  c["exp"] = kNow - 30;
  EXPECT_TRUE(verify(mint(c)).has_value());
}

struct Reject {
  const char* name;
  std::function<std::string(const json& claims, const testing_support::TokenFactory& f)> token;
  util::ErrorKind kind;
  std::string message;
};

TEST_F(Verifier, RejectsWithPreciseMessages) {
  const std::string none_token = crypto::base64url_encode(R"({"alg":"none"})") + "." + crypto::base64url_encode(claims().dump()) + ".";
  const std::string valid = mint(claims());
  const std::vector<Reject> cases{
      {"none", [&](const json&, const auto&) { return none_token; }, util::ErrorKind::kInvalidInput,
       "token algorithm \"none\" is not accepted: unsigned tokens are never trusted"},
      {"hmac", [&](const json& c, const auto& f) { return f.mint({{"alg", "HS256"}, {"kid", "k1"}}, c); }, util::ErrorKind::kInvalidInput,
       "token algorithm \"HS256\" is not accepted: HMAC tokens cannot be verified with the issuer's public keys"},
      {"unknown alg", [&](const json& c, const auto& f) { return f.mint({{"alg", "EdDSA"}, {"kid", "k1"}}, c); }, util::ErrorKind::kInvalidInput,
       "token algorithm \"EdDSA\" is not supported (expected RS256, RS384, RS512, PS256 or ES256)"},
      {"crit", [&](const json& c, const auto& f) { return f.mint({{"alg", "RS256"}, {"kid", "k1"}, {"crit", {"b64"}}}, c); }, util::ErrorKind::kInvalidInput,
       "token header lists critical extension \"b64\", which this verifier does not understand"},
      {"alg differs from key", [&](const json& c, const auto& f) { return f.mint({{"alg", "PS256"}, {"kid", "k1"}}, c); }, util::ErrorKind::kInvalidInput,
       "token algorithm \"PS256\" differs from key \"k1\"'s \"RS256\""},
      {"tampered", [&](const json&, const auto&) {
         std::string t = valid;
         const auto dot = t.find('.');
         return t.substr(0, dot + 1) + crypto::base64url_encode(R"({"iss":"x"})") + t.substr(t.rfind('.'));
       }, util::ErrorKind::kDenied, "token signature (kid \"k1\"): signature does not verify"},
      {"issuer", [&](json c, const auto& f) { c["iss"] = "https://evil.example"; return f.mint({{"alg", "RS256"}, {"kid", "k1"}}, c); }, util::ErrorKind::kDenied,
       "token issuer \"https://evil.example\" is not the expected \"https://token.actions.githubusercontent.com\""},
      {"audience", [&](json c, const auto& f) { c["aud"] = {"https://github.com/octo"}; return f.mint({{"alg", "RS256"}, {"kid", "k1"}}, c); }, util::ErrorKind::kDenied,
       "token audience [\"https://github.com/octo\"] does not include \"sts.amazonaws.com\""},
      {"expired", [&](json c, const auto& f) { c["exp"] = kNow - 61; return f.mint({{"alg", "RS256"}, {"kid", "k1"}}, c); }, util::ErrorKind::kExpired,
       "token expired at 2026-07-14T23:58:59Z (now 2026-07-15T00:00:00Z, leeway 60 s)"},
      {"nbf", [&](json c, const auto& f) { c["nbf"] = kNow + 120; return f.mint({{"alg", "RS256"}, {"kid", "k1"}}, c); }, util::ErrorKind::kClockSkew,
       "token is not valid before 2026-07-15T00:02:00Z (now 2026-07-15T00:00:00Z, leeway 60 s)"},
      {"far-future nbf", [&](json c, const auto& f) { c["nbf"] = 1e19; return f.mint({{"alg", "RS256"}, {"kid", "k1"}}, c); }, util::ErrorKind::kInvalidInput,
       "JWT claim \"nbf\" is 1e+19, outside the dates this verifier accepts (0 to 253402300799, 1970-01-01 to 9999-12-31)"},
      {"no exp", [&](json c, const auto& f) { c.erase("exp"); return f.mint({{"alg", "RS256"}, {"kid", "k1"}}, c); }, util::ErrorKind::kInvalidInput,
       "token has no \"exp\" claim"},
  };
  for (const auto& c : cases) {
    const auto result = verify(c.token(claims(), *factory_));
    ASSERT_FALSE(result.has_value()) << c.name;
    EXPECT_EQ(result.error().kind, c.kind) << c.name;
    EXPECT_EQ(result.error().message, c.message) << c.name;
  }
}

// Issue 13, item 8: with e = 1, s^e mod n is s, so a "signature" that is the
// EMSA-PKCS1-v1_5 encoding of the hash (RFC 8017 section 9.2) verifies for
// any claims, without the private key. The key must be refused on load.
TEST_F(Verifier, RefusesAKeyWithExponentOneSoAForgeryDoesNotVerify) {
  json jwks = json::parse(factory_->jwks("k1"));
  jwks["keys"][0]["e"] = "AQ";
  const std::size_t k = crypto::base64url_decode(jwks["keys"][0]["n"].get<std::string>())->size();
  json forged = claims();
  forged["sub"] = "repo:mallory/app:ref:refs/heads/main";
  const std::string input = crypto::base64url_encode(R"({"alg":"RS256","kid":"k1"})") + "." + crypto::base64url_encode(forged.dump());
  const std::string digest_info("\x30\x31\x30\x0d\x06\x09\x60\x86\x48\x01\x65\x03\x04\x02\x01\x05\x00\x04\x20", 19);
  const crypto::Sha256Digest hash = crypto::sha256(input);
  const std::string em = std::string("\x00\x01", 2) + std::string(k - 3 - digest_info.size() - hash.size(), '\xff') +
                         std::string(1, '\0') + digest_info + std::string(hash.begin(), hash.end());
  const auto result = verify(input + "." + crypto::base64url_encode(em), {jwks.dump()});
  ASSERT_FALSE(result.has_value()) << "a forged token verified";
  EXPECT_EQ(result.error().kind, util::ErrorKind::kInvalidInput);
  EXPECT_EQ(result.error().message,
            "reading JWKS from memory: JWKS key \"k1\": JWK RSA exponent 1 is refused: it must be odd and at least 3 (65537 in practice)");
}

class FakeHttp final : public net::HttpClient {
 public:
  util::Result<net::Response> send(const net::Request& request) override {
    urls.push_back(request.url);
    const auto it = pages.find(request.url);
    if (it == pages.end()) return net::Response{404, {}, ""};
    return net::Response{200, {}, it->second};
  }
  std::map<std::string, std::string> pages;
  std::vector<std::string> urls;
};

TEST_F(Verifier, DiscoversJwksThroughTheIssuer) {
  FakeHttp http;
  http.pages["https://issuer.example/.well-known/openid-configuration"] = R"({"jwks_uri":"https://issuer.example/keys"})";
  http.pages["https://issuer.example/keys"] = factory_->jwks("k1");
  auto source = url_jwks_source(http, "https://issuer.example/.well-known/openid-configuration");
  ASSERT_TRUE(source.has_value());
  JwksCache cache(std::move(*source));
  const auto key = cache.find("k1");
  ASSERT_TRUE(key.has_value()) << key.error().message;
  EXPECT_EQ(http.urls, (std::vector<std::string>{"https://issuer.example/.well-known/openid-configuration",
                                                 "https://issuer.example/keys"}));
  const auto again = cache.find("k1");
  EXPECT_EQ(http.urls.size(), 2u);  // cached
}

TEST(JwksUrl, RequiresHttpsExceptOnLoopback) {
  struct Null final : net::HttpClient {
    util::Result<net::Response> send(const net::Request&) override { return net::Response{}; }
  } http;
  EXPECT_EQ(url_jwks_source(http, "http://issuer.example/keys").error().message,
            "refusing to fetch keys over http: http://issuer.example/keys (https:// is required)");
  EXPECT_TRUE(url_jwks_source(http, "http://127.0.0.1:8080/keys").has_value());
}

TEST(Jwks, ParsesAndSkipsKeysWeDoNotVerifyWith) {
  testing_support::TokenFactory f;
  json doc = json::parse(f.jwks("k1"));
  doc["keys"].push_back({{"kty", "oct"}, {"k", "c2VjcmV0"}});
  doc["keys"].push_back({{"kty", "RSA"}, {"use", "enc"}, {"n", "AQAB"}, {"e", "AQAB"}});
  const auto keys = parse_jwks(doc.dump());
  ASSERT_TRUE(keys.has_value()) << keys.error().message;
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->front().kid, "k1");
  EXPECT_EQ(parse_jwks("{}").error().message, "JWKS is not a JSON object with a \"keys\" array");
  EXPECT_EQ(parse_jwks(R"({"keys":[{"kty":"RSA","kid":"bad","n":"AQAB","e":"AQAB"}]})").error().message,
            "JWKS key \"bad\": JWK RSA key has 17 bits; at least 2048 are required");
}

}  // namespace
}  // namespace eem::oidc
