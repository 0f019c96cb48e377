#include "oci/source.h"

#include <algorithm>
#include <vector>

#include "crypto/hash.h"

namespace eem::oci {

namespace {
using util::ErrorKind;
using util::fail;

constexpr std::size_t kHashBufferSize = 1u << 20;

// "docker://x", "containers-storage:x", "docker-daemon:x": a transport name
// (lower-case letters and '-') before the first ':', as containers/image
// spells them; a path such as "./a:b" or "/tmp/x" is not one.
bool looks_like_transport(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  return std::all_of(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(colon),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; });
}

// A bare path: a directory is an OCI layout; a tar holding index.json is an
// OCI archive, one holding manifest.json a docker save.
util::Result<Image> load_detected(const std::filesystem::path& path, const std::optional<Platform>& platform) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    auto dir = open_directory_tree(path);
    if (!dir) return std::unexpected(dir.error());
    return load_oci_layout(std::shared_ptr<const FileTree>(std::move(*dir)), "", platform);
  }
  auto tree = open_tar_tree(path);
  if (!tree) return std::unexpected(tree.error());
  std::shared_ptr<const FileTree> shared(std::move(*tree));
  if (shared->size("index.json")) return load_oci_layout(std::move(shared), "", platform);
  if (shared->size("manifest.json")) {
    if (platform) return fail(ErrorKind::kInvalidInput, "--platform applies to OCI indexes; a docker save holds one image");
    return load_docker_archive(std::move(shared), "");
  }
  return fail(ErrorKind::kInvalidInput, path.string() + " holds neither an OCI layout (index.json) nor a docker "
                                                        "save (manifest.json): build it with `podman save` or "
                                                        "`buildah push ... oci-archive:FILE`");
}
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
  if (text.empty() || looks_like_transport(text)) {
    return fail(ErrorKind::kInvalidInput,
                "unknown source \"" + std::string(text) +
                    "\": use oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:REF] or a tar file's path");
  }
  return SourceSpec{SourceKind::kDetect, std::string(text), ""};
}

util::Result<Image> load_image(const SourceSpec& spec, const std::optional<Platform>& platform) {
  if (spec.kind == SourceKind::kDetect) return load_detected(spec.path, platform);
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
