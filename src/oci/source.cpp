#include "oci/source.h"

#include <vector>

#include "crypto/hash.h"

namespace eem::oci {

namespace {
using util::ErrorKind;
using util::fail;

constexpr std::size_t kHashBufferSize = 1u << 20;
}  // namespace

util::Result<SourceSpec> SourceSpec::parse(std::string_view text) {
  static constexpr std::pair<std::string_view, SourceKind> kPrefixes[] = {
      {"oci:", SourceKind::kOciLayout},
      {"oci-archive:", SourceKind::kOciArchive},
      {"docker-archive:", SourceKind::kDockerArchive},
  };
  for (const auto& [prefix, kind] : kPrefixes) {
    if (!text.starts_with(prefix)) continue;
    const auto rest = text.substr(prefix.size());
    // As in containers/image (oci/layout, docker/archive transports): the
    // path ends at the first ':', the rest is the reference.
    const auto colon = rest.find(':');
    const auto path = rest.substr(0, colon);
    if (path.empty()) {
      return fail(ErrorKind::kInvalidInput, "source \"" + std::string(text) + "\" has no path");
    }
    return SourceSpec{kind, std::string(path),
                      colon == std::string_view::npos ? std::string() : std::string(rest.substr(colon + 1))};
  }
  return fail(ErrorKind::kInvalidInput,
              "unknown source \"" + std::string(text) +
                  "\": use oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:REF]");
}

util::Result<Image> load_image(const SourceSpec& spec, const std::optional<Platform>& platform) {
  const bool is_dir = spec.kind == SourceKind::kOciLayout;
  auto tree = is_dir ? open_directory_tree(spec.path) : open_tar_tree(spec.path);
  if (!tree) return std::unexpected(tree.error());
  std::shared_ptr<const FileTree> shared(std::move(*tree));
  if (spec.kind == SourceKind::kDockerArchive) {
    if (platform) {
      return fail(ErrorKind::kInvalidInput, "--platform applies to OCI indexes; a docker-archive holds one image");
    }
    return load_docker_archive(std::move(shared), spec.reference);
  }
  return load_oci_layout(std::move(shared), spec.reference, platform);
}

util::Result<void> verify_blob(const Image& image, const Descriptor& blob,
                               const std::function<void(std::size_t)>& on_bytes) {
  const std::string& path = image.blob_paths.at(blob.digest);
  const std::string where = "blob " + blob.digest.str() + " (" + image.tree->describe(path) + ")";
  auto reader = image.tree->open(path);
  if (!reader) return std::unexpected(reader.error().with_context(where));
  crypto::Sha256 hasher;
  std::vector<std::byte> buffer(kHashBufferSize);
  std::uint64_t total = 0;
  for (;;) {
    auto n = (*reader)->read(buffer);
    if (!n) return std::unexpected(n.error().with_context(where));
    if (*n == 0) break;
    hasher.update(std::span<const std::byte>(buffer.data(), *n));
    total += *n;
    if (on_bytes) on_bytes(*n);
  }
  if (total != blob.size) {
    return fail(ErrorKind::kInvalidInput, where + ": size is " + std::to_string(total) +
                                              " bytes, the manifest says " + std::to_string(blob.size));
  }
  const auto actual = Digest::from_hex(crypto::to_hex(hasher.finish()));
  if (actual != blob.digest) {
    return fail(ErrorKind::kInvalidInput, where + " is corrupt: its content hashes to " + actual.str());
  }
  return {};
}

}  // namespace eem::oci
