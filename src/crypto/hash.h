#pragma once
// Hashes and MACs. The only place (with crypto/*.cpp siblings) that includes
// OpenSSL; callers see plain bytes and strings.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace eem::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;

// Incremental SHA-256 (push engine: layers are hashed once while streamed).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::span<const std::byte> data);
  void update(std::string_view data);
  // Returns the digest; the object must not be updated afterwards.
  Sha256Digest finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

Sha256Digest sha256(std::string_view data);
// Lower-case hex of SHA-256(`data`), as SigV4 and OCI digests spell it.
std::string sha256_hex(std::string_view data);

// HMAC-SHA-256 of `data` under `key`.
Sha256Digest hmac_sha256(std::span<const std::uint8_t> key, std::string_view data);
Sha256Digest hmac_sha256(std::string_view key, std::string_view data);

// Lower-case hexadecimal.
std::string to_hex(std::span<const std::uint8_t> bytes);

}  // namespace eem::crypto
