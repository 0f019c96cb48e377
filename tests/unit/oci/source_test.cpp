#include "oci/source.h"

#include <gtest/gtest.h>

#include "test_image.h"

namespace eem::oci {
namespace {

using testing::EntryType;
using testing::Layout;
using testing::TarEntry;
using testing::TempDir;

constexpr std::string_view kManifestType = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kIndexType = "application/vnd.oci.image.index.v1+json";

util::Result<Image> load(const std::string& spec, std::optional<Platform> platform = std::nullopt) {
  auto s = SourceSpec::parse(spec);
  if (!s) return std::unexpected(s.error());
  return load_image(*s, platform);
}

TEST(SourceSpec, ParsesTransportsPathAndReference) {
  auto a = SourceSpec::parse("oci:/tmp/x:v1");
  EXPECT_EQ(a->kind, SourceKind::kOciLayout);
  EXPECT_EQ(a->path, "/tmp/x");
  EXPECT_EQ(a->reference, "v1");
  auto b = SourceSpec::parse("docker-archive:img.tar:app:1");
  EXPECT_EQ(b->kind, SourceKind::kDockerArchive);
  EXPECT_EQ(b->path, "img.tar");
  EXPECT_EQ(b->reference, "app:1");
  EXPECT_EQ(SourceSpec::parse("oci-archive:a.tar")->reference, "");
  EXPECT_EQ(SourceSpec::parse("docker://x").error().message,
            "unknown source \"docker://x\": use oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:REF] "
            "or a tar file's path");
  EXPECT_FALSE(SourceSpec::parse("containers-storage:x").has_value());
  EXPECT_FALSE(SourceSpec::parse("").has_value());
  auto bare = SourceSpec::parse("build/image.tar");
  EXPECT_EQ(bare->kind, SourceKind::kDetect);
  EXPECT_EQ(bare->path, "build/image.tar");
  EXPECT_EQ(bare->reference, "");
  EXPECT_EQ(SourceSpec::parse("./a:b.tar")->kind, SourceKind::kDetect);
  EXPECT_EQ(SourceSpec::parse("/tmp/img.tar")->path, "/tmp/img.tar");
  EXPECT_EQ(SourceSpec::parse("oci:").error().message, "source \"oci:\" has no path");
}

TEST(OciLayout, LoadsTheOnlyImageAndVerifiesBlobs) {
  TempDir dir;
  Layout layout;
  const auto m = layout.image("{}", {"layer-one", "layer-two"});
  layout.tag(kManifestType, m, "");
  layout.write_dir(dir.path);
  auto image = load("oci:" + dir.path.string());
  ASSERT_TRUE(image.has_value()) << image.error().message;
  ASSERT_EQ(image->manifests.size(), 1u);
  EXPECT_EQ(image->root().digest, Digest::of(m));
  ASSERT_EQ(image->blobs.size(), 3u);
  std::size_t bytes = 0;
  for (const auto& b : image->blobs) {
    ASSERT_TRUE(verify_blob(*image, b, [&](std::size_t n) { bytes += n; }).has_value());
  }
  EXPECT_EQ(bytes, 2u + 9u + 9u);
}

TEST(OciLayout, SelectsByTagAndListsTagsWhenAmbiguous) {
  TempDir dir;
  Layout layout;
  const auto a = layout.image("{\"a\":1}", {"a"});
  const auto b = layout.image("{\"b\":1}", {"b"});
  layout.tag(kManifestType, a, "one");
  layout.tag(kManifestType, b, "two");
  layout.write_dir(dir.path);
  const std::string base = "oci:" + dir.path.string();
  EXPECT_EQ(load(base + ":two")->root().digest, Digest::of(b));
  EXPECT_EQ(load(base).error().message,
            (dir.path / "index.json").string() + " lists 2 images; name one as SOURCE:TAG (tags: one, two)");
  EXPECT_EQ(load(base + ":three").error().message,
            "no image tagged \"three\" in " + (dir.path / "index.json").string() + " (tags: one, two)");
}

struct MultiPlatform {
  Layout layout;
  std::string amd64;
  std::string arm64;
  std::string index;
  MultiPlatform() {
    amd64 = layout.image("{\"architecture\":\"amd64\"}", {"amd64-layer", "shared"});
    arm64 = layout.image("{\"architecture\":\"arm64\"}", {"arm64-layer", "shared"});
    index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[" +
            Layout::desc(kManifestType, amd64, ",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}") + "," +
            Layout::desc(kManifestType, arm64, ",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}") +
            "]}";
    layout.blob(index);
    layout.tag(kIndexType, index, "latest");
  }
};

TEST(OciLayout, PushesWholeIndexChildrenFirst) {
  TempDir dir;
  MultiPlatform mp;
  mp.layout.write_dir(dir.path);
  auto image = load("oci:" + dir.path.string() + ":latest");
  ASSERT_TRUE(image.has_value()) << image.error().message;
  ASSERT_EQ(image->manifests.size(), 3u);
  EXPECT_EQ(image->manifests[0].digest, Digest::of(mp.amd64));
  EXPECT_EQ(image->root().digest, Digest::of(mp.index));
  EXPECT_EQ(image->blobs.size(), 5u);  // two configs, two own layers, one shared
}

TEST(OciLayout, NarrowsIndexToOnePlatform) {
  TempDir dir;
  MultiPlatform mp;
  mp.layout.write_dir(dir.path);
  auto image = load("oci:" + dir.path.string(), Platform::parse("linux/arm64").value());
  ASSERT_TRUE(image.has_value()) << image.error().message;
  ASSERT_EQ(image->manifests.size(), 1u);
  EXPECT_EQ(image->root().digest, Digest::of(mp.arm64));
  EXPECT_EQ(load("oci:" + dir.path.string(), Platform::parse("linux/s390x").value()).error().message,
            "no manifest for platform linux/s390x in the index (platforms: linux/amd64, linux/arm64/v8)");
}

TEST(OciLayout, ReportsMissingTruncatedAndCorruptBlobsByDigestAndFile) {
  TempDir dir;
  Layout layout;
  const auto m = layout.image("{}", {"payload"});
  layout.tag(kManifestType, m, "");
  layout.write_dir(dir.path);
  const auto layer = Digest::of("payload");
  const auto file = dir.path / "blobs/sha256" / std::string(layer.hex());
  testing::write_file(file, "paylo");
  const std::string base = "oci:" + dir.path.string();
  EXPECT_EQ(load(base).error().message, "blob " + layer.str() + " (" + file.string() +
                                            ") is 5 bytes, the manifest says 7");
  testing::write_file(file, "PAYLOAD");
  auto image = load(base);
  ASSERT_TRUE(image.has_value());
  auto verified = verify_blob(*image, image->blobs[1], {});
  ASSERT_FALSE(verified.has_value());
  EXPECT_EQ(verified.error().message, "blob " + layer.str() + " (" + file.string() +
                                          ") is corrupt: its content hashes to " + Digest::of("PAYLOAD").str());
  std::filesystem::remove(file);
  EXPECT_EQ(load(base).error().message, "blob " + layer.str() + " is missing (" + file.string() + ")");
}

TEST(OciLayout, RejectsDirectoryWithoutLayoutFile) {
  TempDir dir;
  EXPECT_EQ(load("oci:" + dir.path.string()).error().message,
            "not an OCI image layout: " + (dir.path / "oci-layout").string() + " is missing");
}

TEST(OciArchive, LoadsLayoutFromTarWithoutExtracting) {
  TempDir dir;
  MultiPlatform mp;
  auto entries = mp.layout.all();
  entries.insert(entries.begin(), TarEntry{"blobs", "", EntryType::kDir});
  testing::write_tar(dir.path / "img.tar", entries);
  auto image = load("oci-archive:" + (dir.path / "img.tar").string(), Platform::parse("linux/amd64").value());
  ASSERT_TRUE(image.has_value()) << image.error().message;
  EXPECT_EQ(image->root().digest, Digest::of(mp.amd64));
  for (const auto& b : image->blobs) {
    auto ok = verify_blob(*image, b, {});
    EXPECT_TRUE(ok.has_value()) << ok.error().message;
  }
}

TEST(BarePath, ReadsATarOrADirectoryAsWhatItHolds) {
  TempDir dir;
  MultiPlatform mp;
  testing::write_tar(dir.path / "img.tar", mp.layout.all());
  const auto amd64 = Platform::parse("linux/amd64").value();
  auto from_tar = load((dir.path / "img.tar").string(), amd64);
  ASSERT_TRUE(from_tar.has_value()) << from_tar.error().message;
  EXPECT_EQ(from_tar->root().digest, Digest::of(mp.amd64));
  mp.layout.write_dir(dir.path / "layout");
  auto from_dir = load((dir.path / "layout").string(), amd64);
  ASSERT_TRUE(from_dir.has_value()) << from_dir.error().message;
  EXPECT_EQ(from_dir->root().digest, Digest::of(mp.amd64));
  testing::write_tar(dir.path / "other.tar", {{"readme", "x"}});
  EXPECT_EQ(load((dir.path / "other.tar").string()).error().message,
            (dir.path / "other.tar").string() +
                " holds neither an OCI layout (index.json) nor a docker save (manifest.json): build it with "
                "`podman save` or `buildah push ... oci-archive:FILE`");
}

struct Hostile {
  std::vector<TarEntry> entries;
  std::string_view reason;
};

TEST(OciArchive, RejectsHostileArchives) {
  TempDir dir;
  const auto tar = dir.path / "bad.tar";
  const Hostile cases[] = {
      {{{"/etc/passwd", "x"}}, "absolute path \"/etc/passwd\""},
      {{{"blobs/../../x", "x"}}, "path with \"..\": \"blobs/../../x\""},
      {{{"a", "x"}, {"./a", "y"}}, "duplicate entry \"a\""},
      {{{"l", "/etc/passwd", EntryType::kSymlink}}, "link \"l\" points outside the archive"},
      {{{"d/l", "../../x", EntryType::kSymlink}}, "link \"d/l\" points outside the archive"},
      {{{"p", "", EntryType::kFifo}}, "special file \"p\" (device, fifo or socket)"},
      {{{std::string(1100, 'a'), "x"}}, "entry name longer than 1024 bytes"},
  };
  for (const auto& c : cases) {
    testing::write_tar(tar, c.entries);
    auto image = load("oci-archive:" + tar.string());
    ASSERT_FALSE(image.has_value()) << c.reason;
    EXPECT_EQ(image.error().message, "unsafe archive " + tar.string() + ": " + std::string(c.reason));
  }
}

TEST(OciArchive, RejectsHugePaxHeaders) {
  TempDir dir;
  const auto tar = dir.path / "huge.tar";
  testing::write_tar(tar, {{std::string(2u << 20, 'b'), "x"}});  // a 2 MiB pax header
  EXPECT_EQ(load("oci-archive:" + tar.string()).error().message,
            "corrupt archive " + tar.string() + ": Special header too large");
}

TEST(OciArchive, FollowsLinksInsideTheArchive) {
  TempDir dir;
  const auto tar = dir.path / "links.tar";
  testing::write_tar(tar, {{"data/real", "content"},
                           {"data/sym", "real", EntryType::kSymlink},
                           {"hard", "data/real", EntryType::kHardlink}});
  auto tree = open_tar_tree(tar);
  ASSERT_TRUE(tree.has_value()) << tree.error().message;
  EXPECT_EQ(read_small_file(**tree, "data/sym", 100).value(), "content");
  EXPECT_EQ(read_small_file(**tree, "hard", 100).value(), "content");
  EXPECT_FALSE((*tree)->size("missing").has_value());
}

// The manifest skopeo 1.9 prints for this archive layout with
// `skopeo inspect --raw docker-archive:FILE` (containers/image tarfile source).
TEST(DockerArchive, BuildsTheSameSchema2ManifestAsSkopeo) {
  TempDir dir;
  const std::string config = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + Digest::of("layer-bytes").str() + "\"]}}";
  const std::string cfg_name = std::string(Digest::of(config).hex()) + ".json";
  const auto tar = dir.path / "d.tar";
  testing::write_tar(tar, {{cfg_name, config},
                           {"abc.tar", "layer-bytes"},
                           {"abc/layer.tar", "../abc.tar", EntryType::kSymlink},
                           {"manifest.json", "[{\"Config\":\"" + cfg_name + "\",\"RepoTags\":[\"docker.io/x/y:t\"],\"Layers\":[\"abc/layer.tar\"]}]"}});
  auto image = load("docker-archive:" + tar.string());
  ASSERT_TRUE(image.has_value()) << image.error().message;
  EXPECT_EQ(image->root().raw,
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
            "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":" +
                std::to_string(config.size()) + ",\"digest\":\"" + Digest::of(config).str() +
                "\"},\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\","
                "\"size\":11,\"digest\":\"" + Digest::of("layer-bytes").str() + "\"}]}");
  for (const auto& b : image->blobs) {
    auto ok = verify_blob(*image, b, {});
    EXPECT_TRUE(ok.has_value()) << ok.error().message;
  }
  EXPECT_TRUE(load("docker-archive:" + tar.string() + ":x/y:t").has_value());
  EXPECT_EQ(load("docker-archive:" + tar.string() + ":x/z:t").error().message,
            "no image named \"x/z:t\" in " + tar.string() + ":manifest.json");
}

}  // namespace
}  // namespace eem::oci
