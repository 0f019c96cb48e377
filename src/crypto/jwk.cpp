#include "crypto/jwk.h"

#include <cstdint>
#include <nlohmann/json.hpp>

#include "crypto/base64.h"
#include "crypto/hash.h"

namespace eem::crypto {
namespace {

// The exponent in decimal when it fits 64 bits, else its size.
std::string describe_exponent(std::string_view magnitude) {
  if (magnitude.size() > 8) return "of " + std::to_string(magnitude.size()) + " bytes";
  std::uint64_t value = 0;
  for (const char byte : magnitude) value = (value << 8) | static_cast<unsigned char>(byte);
  return std::to_string(value);
}

}  // namespace

std::string jwk_thumbprint(const Jwk& jwk) {
  // nlohmann::json keeps object members sorted and dump() adds no
  // whitespace: exactly RFC 7638 section 3.3's canonical form.
  nlohmann::json members;
  if (jwk.kty == "EC") {
    members = {{"crv", jwk.crv}, {"kty", jwk.kty}, {"x", jwk.x}, {"y", jwk.y}};
  } else {
    members = {{"e", jwk.e}, {"kty", jwk.kty}, {"n", jwk.n}};
  }
  const Sha256Digest digest = sha256(members.dump());
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

util::Result<void> check_rsa_exponent(std::string_view e) {
  const auto decoded = base64url_decode(e);
  if (!decoded || decoded->empty()) {
    return util::fail(util::ErrorKind::kInvalidInput, "JWK member \"e\" is not valid base64url");
  }
  std::string_view magnitude(*decoded);
  while (!magnitude.empty() && magnitude.front() == '\0') magnitude.remove_prefix(1);  // big-endian, leading zeros
  const bool odd = !magnitude.empty() && (static_cast<unsigned char>(magnitude.back()) & 1U) != 0;
  const bool at_least_3 = magnitude.size() > 1 || (!magnitude.empty() && static_cast<unsigned char>(magnitude.back()) >= 3);
  if (odd && at_least_3) return {};
  return util::fail(util::ErrorKind::kInvalidInput, "JWK RSA exponent " + describe_exponent(magnitude) +
                                                        " is refused: it must be odd and at least 3 (65537 in practice)");
}

std::string rsa_jwks_json(const Jwk& jwk, const std::string& kid, const std::string& alg) {
  nlohmann::ordered_json key{{"kty", "RSA"}, {"alg", alg}, {"use", "sig"}, {"kid", kid},
                             {"n", jwk.n},    {"e", jwk.e}};
  return nlohmann::ordered_json{{"keys", nlohmann::ordered_json::array({key})}}.dump();
}

}  // namespace eem::crypto
