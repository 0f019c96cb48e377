// docker save / podman save archives (Docker's image spec v1.2 "combined
// image JSON + filesystem changeset format"): manifest.json lists the config
// file and the layer tars. We build the Docker schema 2 manifest exactly as
// containers/image does (docker/internal/tarfile/source.go, what
// `skopeo inspect --raw docker-archive:FILE` prints), so the pushed
// manifest digest agrees with skopeo's: layer digests are the config's
// diff_ids, sizes are the file sizes, and the layer media type is the
// schema 2 ".tar.gzip" one (clients detect the actual compression).
#include <nlohmann/json.hpp>

#include "oci/source.h"

namespace eem::oci {

namespace {

using nlohmann::json;
using util::ErrorKind;
using util::fail;

constexpr std::size_t kMaxConfigBytes = 16u << 20;

// Chooses the manifest.json item for `reference` ("" means the only one).
util::Result<json> select_item(const json& items, std::string_view reference, const std::string& where) {
  if (!items.is_array() || items.empty()) {
    return fail(ErrorKind::kInvalidInput, where + " lists no images");
  }
  if (reference.empty()) {
    if (items.size() == 1) return items[0];
    return fail(ErrorKind::kInvalidInput, where + " lists " + std::to_string(items.size()) +
                                              " images; name one as docker-archive:FILE:REPO:TAG");
  }
  for (const auto& item : items) {
    for (const auto& tag : item.value("RepoTags", json::array())) {
      if (tag.is_string() && (tag == reference || tag == "docker.io/" + std::string(reference) ||
                              tag == "localhost/" + std::string(reference))) {
        return item;
      }
    }
  }
  return fail(ErrorKind::kNotFound, "no image named \"" + std::string(reference) + "\" in " + where);
}

util::Result<Descriptor> file_descriptor(const FileTree& tree, const std::string& path,
                                         std::string_view media_type, Digest digest) {
  const auto size = tree.size(path);
  if (!size) return fail(ErrorKind::kInvalidInput, tree.describe(path) + " is missing");
  return Descriptor{std::string(media_type), std::move(digest), *size, std::nullopt};
}

}  // namespace

util::Result<Image> load_docker_archive(std::shared_ptr<const FileTree> tree,
                                        std::string_view reference) {
  const std::string where = tree->describe("manifest.json");
  auto listing = read_small_file(*tree, "manifest.json", kMaxManifestBytes);
  if (!listing) {
    return fail(ErrorKind::kInvalidInput, "not a docker-archive: " + where + " is missing");
  }
  auto item = select_item(json::parse(*listing, nullptr, false), reference, where);
  if (!item) return std::unexpected(item.error());
  const std::string config_path = item->value("Config", "");
  auto config = read_small_file(*tree, config_path, kMaxConfigBytes);
  if (!config) return std::unexpected(config.error());
  const json config_doc = json::parse(*config, nullptr, false);
  const json diff_ids = config_doc.is_object() ? config_doc.value("rootfs", json::object()).value("diff_ids", json::array())
                                               : json::array();
  const json layers = item->value("Layers", json::array());
  if (!layers.is_array() || !diff_ids.is_array() || layers.size() != diff_ids.size()) {
    return fail(ErrorKind::kInvalidInput, where + ": the number of layers differs from the config's rootfs.diff_ids");
  }
  Image image;
  image.tree = tree;
  auto config_desc = file_descriptor(*tree, config_path, media::kDockerConfig, Digest::of(*config));
  if (!config_desc) return std::unexpected(config_desc.error());
  image.blobs.push_back(*config_desc);
  image.blob_paths.emplace(config_desc->digest, config_path);
  // Built with ordered_json so the bytes equal Go's encoding of
  // manifest.Schema2 (field order mediaType, size, digest).
  nlohmann::ordered_json manifest{{"schemaVersion", 2}, {"mediaType", media::kDockerManifest}};
  manifest["config"] = {{"mediaType", media::kDockerConfig}, {"size", config_desc->size}, {"digest", config_desc->digest.str()}};
  manifest["layers"] = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    auto digest = Digest::parse(diff_ids[i].is_string() ? diff_ids[i].get<std::string>() : "");
    if (!digest) return std::unexpected(digest.error().with_context(where + ": rootfs.diff_ids"));
    const std::string path = layers[i].is_string() ? layers[i].get<std::string>() : "";
    auto layer = file_descriptor(*tree, path, media::kDockerLayerGzip, std::move(*digest));
    if (!layer) return std::unexpected(layer.error());
    manifest["layers"].push_back({{"mediaType", layer->media_type}, {"size", layer->size}, {"digest", layer->digest.str()}});
    if (image.blob_paths.emplace(layer->digest, path).second) image.blobs.push_back(*layer);
  }
  auto parsed = parse_manifest(manifest.dump(), media::kDockerManifest);
  if (!parsed) return std::unexpected(parsed.error());
  image.manifests.push_back(std::move(*parsed));
  return image;
}

}  // namespace eem::oci
