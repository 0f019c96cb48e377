#pragma once
// Content digests as the OCI image spec writes them ("sha256:<64 lower hex>").
// Parsed once at the edge; a Digest value is always well formed.

#include <compare>
#include <string>
#include <string_view>

#include "util/error.h"

namespace eem::oci {

class Digest {
 public:
  // Accepts exactly "sha256:" followed by 64 lower-case hex digits (OCI image
  // spec, descriptor.md "Digests"; other algorithms are kUnsupported).
  static util::Result<Digest> parse(std::string_view text);
  // The sha256 digest of `bytes`.
  static Digest of(std::string_view bytes);
  // From 64 lower-case hex digits already known to be valid (hash output).
  static Digest from_hex(std::string_view hex);

  const std::string& str() const noexcept { return text_; }
  std::string_view hex() const noexcept { return std::string_view(text_).substr(7); }
  // "sha256:ab12cd34ef56": the first 12 hex digits, for progress lines.
  std::string_view short_form() const noexcept { return std::string_view(text_).substr(0, 19); }

  friend auto operator<=>(const Digest&, const Digest&) = default;

 private:
  explicit Digest(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

}  // namespace eem::oci
