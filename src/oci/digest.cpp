#include "oci/digest.h"

#include <algorithm>

#include "crypto/hash.h"

namespace eem::oci {

namespace {
constexpr std::string_view kSha256Prefix = "sha256:";
constexpr std::size_t kSha256HexLength = 64;

bool is_lower_hex(char c) noexcept { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
}  // namespace

util::Result<Digest> Digest::parse(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    return util::fail(util::ErrorKind::kInvalidInput,
                      "invalid digest \"" + std::string(text) + "\": expected sha256:<64 hex digits>");
  }
  if (text.substr(0, colon + 1) != kSha256Prefix) {
    return util::fail(util::ErrorKind::kUnsupported,
                      "unsupported digest algorithm \"" + std::string(text.substr(0, colon)) +
                          "\": only sha256 is supported");
  }
  const std::string_view hex = text.substr(colon + 1);
  if (hex.size() != kSha256HexLength || !std::ranges::all_of(hex, is_lower_hex)) {
    return util::fail(util::ErrorKind::kInvalidInput,
                      "invalid digest \"" + std::string(text) + "\": expected sha256:<64 hex digits>");
  }
  return Digest(std::string(text));
}

Digest Digest::of(std::string_view bytes) { return from_hex(crypto::sha256_hex(bytes)); }

Digest Digest::from_hex(std::string_view hex) {
  std::string text(kSha256Prefix);
  text.append(hex);
  return Digest(std::move(text));
}

}  // namespace eem::oci
