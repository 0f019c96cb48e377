#pragma once
// Test-only: one TokenIssuer with a fixed clock, and verification through
// src/oidc's verifier (the code STS-like checks use).

#include <memory>
#include <string>

#include "issuer/token_issuer.h"
#include "oidc/verifier.h"

namespace eem::issuer::testing_support {

inline constexpr const char* kBase = "http://127.0.0.1:8080";
inline constexpr std::int64_t kNow = 1784073600;  // 2026-07-15T00:00:00Z

inline Clock fixed_clock() {
  return [] { return std::chrono::system_clock::time_point(std::chrono::seconds(kNow)); };
}

inline RunConfig run() {
  RunConfig config;
  config.facts = {"octo-org/octo-repo", "65", "74", "push", "refs/heads/main", "", oidc::SubjectFormat::kName};
  return config;
}

inline const TokenIssuer& shared_issuer() {
  static const TokenIssuer issuer(std::move(*crypto::generate_rsa_key()), run(), kBase, kBase, fixed_clock());
  return issuer;
}

class StringSource final : public oidc::JwksSource {
 public:
  explicit StringSource(std::string json) : json_(std::move(json)) {}
  util::Result<std::string> fetch() override { return json_; }
  std::string describe() const override { return "issuer"; }

 private:
  std::string json_;
};

inline util::Result<oidc::Jwt> verify(const TokenIssuer& issuer, const std::string& token, const std::string& aud) {
  oidc::JwksCache keys(std::make_unique<StringSource>(issuer.jwks_json()));
  oidc::VerifyOptions options{issuer.issuer(), aud, std::chrono::seconds(60),
                              std::chrono::system_clock::time_point(std::chrono::seconds(kNow))};
  return oidc::verify_token(token, keys, options);
}

}  // namespace eem::issuer::testing_support
