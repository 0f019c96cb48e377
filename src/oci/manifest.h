#pragma once
// Image manifests and indexes (OCI image spec manifest.md, image-index.md;
// Docker image manifest v2 schema 2 and manifest lists): parsing and
// validation of what a push needs, keeping the exact bytes (the digest is
// over those bytes, so they are never re-serialised).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/digest.h"
#include "oci/media_types.h"
#include "util/error.h"

namespace eem::oci {

// Registries reject larger manifests (distribution's default limit, and the
// OCI distribution spec's "at least 4 MiB" guidance), so we never send them.
inline constexpr std::size_t kMaxManifestBytes = 4u << 20;

struct Platform {
  std::string os;
  std::string architecture;
  std::string variant;  // empty when unspecified

  // Parses "os/arch[/variant]", e.g. "linux/amd64" or "linux/arm64/v8".
  static util::Result<Platform> parse(std::string_view text);
  // True when `other` is the same platform; an empty variant in *this
  // matches any variant.
  bool matches(const Platform& other) const;
  std::string str() const;
};

struct Descriptor {
  std::string media_type;
  Digest digest;
  std::uint64_t size = 0;
  std::optional<Platform> platform;  // index entries only
};

struct Manifest {
  std::string media_type;
  media::Kind kind = media::Kind::kOther;
  std::string raw;  // the exact bytes
  Digest digest;    // sha256 of `raw`
  std::optional<Descriptor> config;  // image manifests
  std::vector<Descriptor> layers;    // image manifests
  std::vector<Descriptor> manifests; // indexes
};

// Parses `raw`. `declared_media_type` is the media type of the descriptor
// that pointed here (may be empty). Fails with kInvalidInput on malformed
// JSON, a wrong schemaVersion, a media type that disagrees with the
// declared one, a bad digest or size, or more than kMaxManifestBytes.
util::Result<Manifest> parse_manifest(std::string raw, std::string_view declared_media_type);

}  // namespace eem::oci
