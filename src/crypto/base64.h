#pragma once
// Base64 (RFC 4648 section 4) and base64url without padding (section 5, as
// JOSE uses it), backed by OpenSSL.

#include <optional>
#include <string>
#include <string_view>

namespace eem::crypto {

std::string base64_encode(std::string_view bytes);
// Strict: returns nullopt on characters outside the alphabet or bad padding.
std::optional<std::string> base64_decode(std::string_view text);

std::string base64url_encode(std::string_view bytes);
// Accepts unpadded input only, as RFC 7515 section 2 requires.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace eem::crypto
