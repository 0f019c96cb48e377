#include "crypto/jwk.h"

#include <nlohmann/json.hpp>

#include "crypto/base64.h"
#include "crypto/hash.h"

namespace eem::crypto {

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

std::string rsa_jwks_json(const Jwk& jwk, const std::string& kid, const std::string& alg) {
  nlohmann::ordered_json key{{"kty", "RSA"}, {"alg", alg}, {"use", "sig"}, {"kid", kid},
                             {"n", jwk.n},    {"e", jwk.e}};
  return nlohmann::ordered_json{{"keys", nlohmann::ordered_json::array({key})}}.dump();
}

}  // namespace eem::crypto
