#include "oci/manifest.h"

#include <gtest/gtest.h>

namespace eem::oci {
namespace {

std::string manifest_json(std::string_view media_type_field) {
  const auto d = Digest::of("c").str();
  return std::string("{\"schemaVersion\":2,") + std::string(media_type_field) +
         "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + d +
         "\",\"size\":1},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
         "\"digest\":\"" + Digest::of("l").str() + "\",\"size\":7}]}";
}

TEST(Manifest, ParsesImageManifestKeepingBytesAndDigest) {
  const std::string raw =
      manifest_json("\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",");
  auto m = parse_manifest(raw, "");
  ASSERT_TRUE(m.has_value()) << m.error().message;
  EXPECT_EQ(m->kind, media::Kind::kImageManifest);
  EXPECT_EQ(m->raw, raw);
  EXPECT_EQ(m->digest, Digest::of(raw));
  EXPECT_EQ(m->config->digest, Digest::of("c"));
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].size, 7u);
}

TEST(Manifest, InfersMediaTypeFromDescriptorWhenAbsent) {
  auto m = parse_manifest(manifest_json(""), media::kDockerManifest);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->media_type, media::kDockerManifest);
  auto bare = parse_manifest(manifest_json(""), "");
  EXPECT_EQ(bare->media_type, media::kOciManifest);
}

TEST(Manifest, ParsesIndexWithPlatforms) {
  const std::string raw =
      "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
      "\"digest\":\"" + Digest::of("a").str() +
      "\",\"size\":3,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}";
  auto m = parse_manifest(raw, "");
  ASSERT_TRUE(m.has_value()) << m.error().message;
  EXPECT_EQ(m->kind, media::Kind::kImageIndex);
  ASSERT_TRUE(m->manifests[0].platform.has_value());
  EXPECT_EQ(m->manifests[0].platform->str(), "linux/arm64/v8");
  EXPECT_TRUE(Platform::parse("linux/arm64")->matches(*m->manifests[0].platform));
  EXPECT_FALSE(Platform::parse("linux/amd64")->matches(*m->manifests[0].platform));
}

struct BadManifest {
  std::string raw;
  std::string_view declared;
  std::string_view message;
};

TEST(Manifest, RejectsInvalidDocuments) {
  const BadManifest cases[] = {
      {"[]", "", "manifest is not a JSON object"},
      {"{\"schemaVersion\":1}", "", "manifest schemaVersion is not 2"},
      {manifest_json("\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","), media::kOciIndex,
       "manifest media type \"application/vnd.oci.image.manifest.v1+json\" differs from its "
       "descriptor's \"application/vnd.oci.image.index.v1+json\""},
      {"{\"schemaVersion\":2,\"mediaType\":\"text/plain\"}", "",
       "unsupported manifest media type \"text/plain\""},
      {"{\"schemaVersion\":2,\"layers\":[]}", "", "image manifest has no config"},
      {"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:1\",\"size\":1}}", "",
       "config: invalid digest \"sha256:1\": expected sha256:<64 hex digits>"},
      {"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"size\":-1}}", "",
       "config: a descriptor needs mediaType, digest and a non-negative size"},
      {std::string(kMaxManifestBytes + 1, ' '), "",
       "manifest is 4194305 bytes, over the 4 MiB limit registries accept"},
  };
  for (const auto& c : cases) {
    auto m = parse_manifest(c.raw, c.declared);
    ASSERT_FALSE(m.has_value()) << c.raw.substr(0, 80);
    EXPECT_EQ(m.error().message, c.message);
  }
}

TEST(Platform, ParseRejectsMissingArchitecture) {
  EXPECT_EQ(Platform::parse("linux").error().message,
            "invalid platform \"linux\": expected OS/ARCH[/VARIANT], e.g. linux/amd64");
}

}  // namespace
}  // namespace eem::oci
