#include "oci/manifest.h"

#include <nlohmann/json.hpp>

#include "util/strings.h"

namespace eem::oci {

namespace {

using nlohmann::json;
using util::ErrorKind;
using util::fail;

util::Result<Descriptor> parse_descriptor(const json& j, std::string_view where) {
  if (!j.is_object()) return fail(ErrorKind::kInvalidInput, std::string(where) + ": not an object");
  const auto mt = j.find("mediaType");
  const auto dg = j.find("digest");
  const auto sz = j.find("size");
  if (mt == j.end() || !mt->is_string() || dg == j.end() || !dg->is_string() || sz == j.end() ||
      !sz->is_number_unsigned()) {
    return fail(ErrorKind::kInvalidInput,
                std::string(where) + ": a descriptor needs mediaType, digest and a non-negative size");
  }
  auto digest = Digest::parse(dg->get<std::string>());
  if (!digest) return std::unexpected(digest.error().with_context(where));
  Descriptor d{mt->get<std::string>(), std::move(*digest), sz->get<std::uint64_t>(), std::nullopt};
  if (const auto p = j.find("platform"); p != j.end() && p->is_object()) {
    d.platform = Platform{p->value("os", ""), p->value("architecture", ""), p->value("variant", "")};
  }
  return d;
}

util::Result<std::vector<Descriptor>> parse_list(const json& doc, const char* key) {
  std::vector<Descriptor> out;
  const auto it = doc.find(key);
  if (it == doc.end()) return out;
  if (!it->is_array()) return fail(ErrorKind::kInvalidInput, std::string(key) + " is not an array");
  for (std::size_t i = 0; i < it->size(); ++i) {
    auto d = parse_descriptor((*it)[i], std::string(key) + "[" + std::to_string(i) + "]");
    if (!d) return std::unexpected(d.error());
    out.push_back(std::move(*d));
  }
  return out;
}

// The OCI spec lets mediaType be absent in a manifest; then the declaring
// descriptor decides, or the shape does (an index has "manifests").
std::string resolve_media_type(const json& doc, std::string_view declared) {
  if (const auto it = doc.find("mediaType"); it != doc.end() && it->is_string()) {
    return it->get<std::string>();
  }
  if (!declared.empty()) return std::string(declared);
  return std::string(doc.contains("manifests") ? media::kOciIndex : media::kOciManifest);
}

}  // namespace

util::Result<Platform> Platform::parse(std::string_view text) {
  const auto parts = util::split(text, '/');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty()) {
    return fail(ErrorKind::kInvalidInput,
                "invalid platform \"" + std::string(text) + "\": expected OS/ARCH[/VARIANT], e.g. linux/amd64");
  }
  return Platform{std::string(parts[0]), std::string(parts[1]),
                  parts.size() == 3 ? std::string(parts[2]) : std::string()};
}

bool Platform::matches(const Platform& other) const {
  return os == other.os && architecture == other.architecture &&
         (variant.empty() || variant == other.variant);
}

std::string Platform::str() const {
  return os + "/" + architecture + (variant.empty() ? "" : "/" + variant);
}

util::Result<Manifest> parse_manifest(std::string raw, std::string_view declared_media_type) {
  if (raw.size() > kMaxManifestBytes) {
    return fail(ErrorKind::kInvalidInput, "manifest is " + std::to_string(raw.size()) +
                                              " bytes, over the 4 MiB limit registries accept");
  }
  json doc = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return fail(ErrorKind::kInvalidInput, "manifest is not a JSON object");
  }
  if (doc.value("schemaVersion", 0) != 2) {
    return fail(ErrorKind::kInvalidInput, "manifest schemaVersion is not 2");
  }
  Manifest m{resolve_media_type(doc, declared_media_type), media::Kind::kOther, {}, Digest::of(raw),
             std::nullopt, {}, {}};
  if (!declared_media_type.empty() && m.media_type != declared_media_type) {
    return fail(ErrorKind::kInvalidInput, "manifest media type \"" + m.media_type +
                                              "\" differs from its descriptor's \"" +
                                              std::string(declared_media_type) + "\"");
  }
  m.kind = media::classify(m.media_type);
  if (m.kind == media::Kind::kOther) {
    return fail(ErrorKind::kUnsupported, "unsupported manifest media type \"" + m.media_type + "\"");
  }
  if (m.kind == media::Kind::kImageManifest) {
    if (!doc.contains("config")) return fail(ErrorKind::kInvalidInput, "image manifest has no config");
    auto config = parse_descriptor(doc["config"], "config");
    if (!config) return std::unexpected(config.error());
    m.config = std::move(*config);
    auto layers = parse_list(doc, "layers");
    if (!layers) return std::unexpected(layers.error());
    m.layers = std::move(*layers);
  } else {
    auto manifests = parse_list(doc, "manifests");
    if (!manifests) return std::unexpected(manifests.error());
    m.manifests = std::move(*manifests);
  }
  m.raw = std::move(raw);
  return m;
}

}  // namespace eem::oci
