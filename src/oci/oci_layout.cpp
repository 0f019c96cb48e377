// OCI image layout (image-layout.md): oci-layout, index.json, blobs/<alg>/<hex>.
#include <nlohmann/json.hpp>

#include <set>

#include "oci/source.h"

namespace eem::oci {

namespace {

using nlohmann::json;
using util::ErrorKind;
using util::fail;

constexpr std::string_view kRefNameAnnotation = "org.opencontainers.image.ref.name";
constexpr int kMaxIndexDepth = 4;

std::string blob_path(const Digest& d) { return "blobs/sha256/" + std::string(d.hex()); }

class LayoutLoader {
 public:
  LayoutLoader(std::shared_ptr<const FileTree> tree, const std::optional<Platform>& platform)
      : platform_(platform) {
    image_.tree = std::move(tree);
  }

  util::Result<Image> load(const Descriptor& root) {
    if (auto r = load_manifest(root, 0); !r) return std::unexpected(r.error());
    return std::move(image_);
  }

 private:
  util::Result<void> check_blob(const Descriptor& d) {
    const std::string path = blob_path(d.digest);
    const auto size = image_.tree->size(path);
    if (!size) {
      return fail(ErrorKind::kInvalidInput, "blob " + d.digest.str() + " is missing (" +
                                                image_.tree->describe(path) + ")");
    }
    if (*size != d.size) {
      return fail(ErrorKind::kInvalidInput,
                  "blob " + d.digest.str() + " (" + image_.tree->describe(path) + ") is " +
                      std::to_string(*size) + " bytes, the manifest says " + std::to_string(d.size));
    }
    return {};
  }

  void add_blob(const Descriptor& d) {
    if (image_.blob_paths.emplace(d.digest, blob_path(d.digest)).second) image_.blobs.push_back(d);
  }

  util::Result<Descriptor> pick_platform(const Manifest& index) const {
    std::string present;
    for (const auto& child : index.manifests) {
      if (child.platform && platform_->matches(*child.platform)) return child;
      if (child.platform) present += (present.empty() ? "" : ", ") + child.platform->str();
    }
    return fail(ErrorKind::kNotFound, "no manifest for platform " + platform_->str() +
                                          " in the index (platforms: " + present + ")");
  }

  util::Result<void> load_manifest(const Descriptor& d, int depth) {
    if (depth > kMaxIndexDepth) return fail(ErrorKind::kInvalidInput, "indexes nested too deeply");
    if (!seen_.insert(d.digest).second) return {};
    if (auto ok = check_blob(d); !ok) return ok;
    auto raw = read_small_file(*image_.tree, blob_path(d.digest), kMaxManifestBytes);
    if (!raw) return std::unexpected(raw.error());
    if (Digest::of(*raw) != d.digest) {
      return fail(ErrorKind::kInvalidInput, "manifest " + d.digest.str() + " (" +
                                                image_.tree->describe(blob_path(d.digest)) + ") is corrupt");
    }
    auto m = parse_manifest(std::move(*raw), d.media_type);
    if (!m) return std::unexpected(m.error().with_context("manifest " + d.digest.str()));
    if (m->kind == media::Kind::kImageIndex) {
      if (platform_ && depth == 0) {
        auto child = pick_platform(*m);
        if (!child) return std::unexpected(child.error());
        return load_manifest(*child, depth + 1);
      }
      for (const auto& child : m->manifests) {
        if (auto r = load_manifest(child, depth + 1); !r) return r;
      }
    } else {
      if (auto r = check_blob(*m->config); !r) return r;
      add_blob(*m->config);
      for (const auto& layer : m->layers) {
        if (auto r = check_blob(layer); !r) return r;
        add_blob(layer);
      }
    }
    image_.manifests.push_back(std::move(*m));
    return {};
  }

  std::optional<Platform> platform_;
  Image image_;
  std::set<Digest> seen_;
};

std::string ref_name(const json& entry) {
  const auto ann = entry.find("annotations");
  if (ann == entry.end() || !ann->is_object()) return {};
  const auto it = ann->find(kRefNameAnnotation);
  return it != ann->end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Picks the index.json entry named `tag`, or the only entry.
util::Result<std::size_t> select_entry(const json& entries, std::string_view tag,
                                       const std::string& where) {
  std::string names;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto name = ref_name(entries[i]);
    if (!tag.empty() && name == tag) return i;
    if (!name.empty()) names += (names.empty() ? "" : ", ") + name;
  }
  if (tag.empty() && entries.size() == 1) return std::size_t{0};
  if (entries.empty()) return fail(ErrorKind::kInvalidInput, where + " lists no images");
  if (tag.empty()) {
    return fail(ErrorKind::kInvalidInput, where + " lists " + std::to_string(entries.size()) +
                                              " images; name one as SOURCE:TAG (tags: " + names + ")");
  }
  return fail(ErrorKind::kNotFound, "no image tagged \"" + std::string(tag) + "\" in " + where +
                                        " (tags: " + names + ")");
}

}  // namespace

util::Result<Image> load_oci_layout(std::shared_ptr<const FileTree> tree, std::string_view tag,
                                    const std::optional<Platform>& platform) {
  auto layout = read_small_file(*tree, "oci-layout", 4096);
  if (!layout) {
    return fail(ErrorKind::kInvalidInput,
                "not an OCI image layout: " + tree->describe("oci-layout") + " is missing");
  }
  const std::string where = tree->describe("index.json");
  auto raw = read_small_file(*tree, "index.json", kMaxManifestBytes);
  if (!raw) return std::unexpected(raw.error());
  const json index = json::parse(*raw, nullptr, false);
  if (index.is_discarded() || !index.is_object() || !index.contains("manifests") ||
      !index["manifests"].is_array()) {
    return fail(ErrorKind::kInvalidInput, where + " is not an image index");
  }
  auto parsed = parse_manifest(*raw, media::kOciIndex);
  if (!parsed) return std::unexpected(parsed.error().with_context(where));
  auto chosen = select_entry(index["manifests"], tag, where);
  if (!chosen) return std::unexpected(chosen.error());
  LayoutLoader loader(std::move(tree), platform);
  return loader.load(parsed->manifests[*chosen]);
}

}  // namespace eem::oci
