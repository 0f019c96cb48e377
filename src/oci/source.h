#pragma once
// Image sources for push: an OCI image layout directory (oci:DIR[:TAG]), an
// OCI layout in a tar (oci-archive:FILE[:TAG]) and a docker save / podman
// save tarball (docker-archive:FILE[:REF]), or a bare path (crane's way): a
// directory is read as an OCI layout, a tar as whichever of the two it
// holds. Loading parses and checks every
// manifest and the presence and size of every blob; blob contents are
// checked by verify_blob() before anything is uploaded.

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/file_tree.h"
#include "oci/manifest.h"
#include "util/error.h"

namespace eem::oci {

enum class SourceKind {
  kOciLayout,
  kOciArchive,
  kDockerArchive,
  kDetect,  // a bare path: the kind is read from what is there when loading
};

struct SourceSpec {
  SourceKind kind = SourceKind::kOciLayout;
  std::filesystem::path path;
  std::string reference;  // tag (oci) or repo:tag (docker-archive); may be empty

  // Parses "oci:DIR[:TAG]", "oci-archive:FILE[:TAG]", "docker-archive:FILE[:REF]"
  // and a bare PATH (kDetect, no reference). Another transport ("docker://",
  // "containers-storage:") is kInvalidInput naming the ones push reads.
  static util::Result<SourceSpec> parse(std::string_view text);
};

struct Image {
  // Manifests to push, each after everything it references; the last one
  // is the root whose digest the push reports.
  std::vector<Manifest> manifests;
  // Distinct blobs (configs and layers) in first-use order.
  std::vector<Descriptor> blobs;
  // Where each blob lives in `tree`.
  std::map<Digest, std::string> blob_paths;
  std::shared_ptr<const FileTree> tree;

  const Manifest& root() const { return manifests.back(); }
};

// Loads the image `spec` names. With `platform`, an index is narrowed to the
// one manifest for that platform (kNotFound listing the platforms present).
util::Result<Image> load_image(const SourceSpec& spec, const std::optional<Platform>& platform);

// Reads blob `blob` of `image` and checks its size and sha256. `on_bytes`
// (may be empty) is told about each chunk read. kInvalidInput names the
// digest and the file on a mismatch.
util::Result<void> verify_blob(const Image& image, const Descriptor& blob,
                               const std::function<void(std::size_t)>& on_bytes);

// Internal steps, exposed for the tests.
util::Result<Image> load_oci_layout(std::shared_ptr<const FileTree> tree, std::string_view tag,
                                    const std::optional<Platform>& platform);
util::Result<Image> load_docker_archive(std::shared_ptr<const FileTree> tree,
                                        std::string_view reference);

}  // namespace eem::oci
