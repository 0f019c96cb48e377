#include "oci/push.h"

#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "test_image.h"

namespace eem::oci {
namespace {

using testing::Layout;
using testing::TempDir;

// An in-memory registry for repository "app" behind every client the push
// makes (they share it, as workers share a real registry): blobs, manifests
// by digest and tags, and a log of the requests that wrote something.
struct FakeRegistry {
  std::mutex mutex;
  std::map<std::string, std::string> blobs;      // digest -> bytes
  std::map<std::string, std::string> manifests;  // digest or tag -> digest
  std::vector<std::string> writes;               // "PUT /v2/app/manifests/v1", ...
  std::vector<std::string> manifest_accepts;     // Accept of each manifest HEAD
  int blob_heads = 0;
  int uploads = 0;
  // ECR's IMMUTABLE: a tag naming one manifest is never moved to another.
  bool immutable_tags = false;
  std::set<std::string> mutable_tags;  // exceptions to immutable_tags (bootstrap's: latest)
  bool hide_tags_from_head = false;  // a HEAD by tag answers 404 (a tag that appears just after)
  // What a HEAD of the reference answers as Docker-Content-Digest instead of
  // the digest it names (nullopt: no such header), for registries that say
  // odd things.
  std::map<std::string, std::optional<std::string>> head_digest_header;

  net::Response answer(const net::Request& request, const std::string& body) {
    std::lock_guard lock(mutex);
    const std::string path = request.url.substr(request.url.find("/v2/"));
    const std::string blobs_prefix = "/v2/app/blobs/";
    const std::string manifests_prefix = "/v2/app/manifests/";
    if (request.method == "GET" && path == "/v2/") return {200, {}, ""};
    if (request.method == "HEAD" && path.starts_with(blobs_prefix)) {
      ++blob_heads;
      const auto it = blobs.find(path.substr(blobs_prefix.size()));
      if (it == blobs.end()) return {404, {}, ""};
      return {200, {{"Content-Length", std::to_string(it->second.size())}}, ""};
    }
    if (request.method == "HEAD" && path.starts_with(manifests_prefix)) {
      manifest_accepts.emplace_back(net::find_header(request.headers, "Accept").value_or(""));
      const std::string reference = path.substr(manifests_prefix.size());
      const auto it = manifests.find(reference);
      if (it == manifests.end() || (hide_tags_from_head && !reference.starts_with("sha256:"))) return {404, {}, ""};
      const auto odd = head_digest_header.find(reference);
      if (odd == head_digest_header.end()) return {200, {{"Docker-Content-Digest", it->second}}, ""};
      if (!odd->second) return {200, {}, ""};
      return {200, {{"Docker-Content-Digest", *odd->second}}, ""};
    }
    writes.push_back(request.method + " " + path.substr(0, path.find('?')));
    if (request.method == "POST" && path == "/v2/app/blobs/uploads/") {
      return {202, {{"Location", "/v2/app/blobs/uploads/u" + std::to_string(++uploads)}}, ""};
    }
    if (request.method == "PUT" && path.starts_with("/v2/app/blobs/uploads/")) {
      blobs[path.substr(path.find("digest=") + 7)] = body;
      return {201, {}, ""};
    }
    if (request.method == "PUT" && path.starts_with(manifests_prefix)) {
      const std::string digest = Digest::of(body).str();
      const std::string reference = path.substr(manifests_prefix.size());
      const auto tagged = manifests.find(reference);
      const bool immutable = immutable_tags && !mutable_tags.contains(reference);
      if (immutable && tagged != manifests.end() && tagged->second != digest) {
        return {400, {}, R"({"errors":[{"code":"TAG_INVALID","message":"The image tag already exists"}]})"};
      }
      manifests[digest] = digest;
      manifests[reference] = digest;
      return {201, {}, ""};
    }
    return {400, {}, ""};
  }
};

class FakeRegistryClient final : public net::HttpClient {
 public:
  explicit FakeRegistryClient(FakeRegistry& registry) : registry_(registry) {}
  util::Result<net::Response> send(const net::Request& request) override {
    std::string body = request.body;
    if (request.stream) {
      std::byte buffer[4096];
      for (std::size_t n; (n = request.stream->read(buffer)) > 0;) body.append(reinterpret_cast<const char*>(buffer), n);
    }
    return registry_.answer(request, body);
  }

 private:
  FakeRegistry& registry_;
};

class PushTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Layout layout;
    manifest_ = layout.image("{\"config\":1}", {"layer one", "layer two"});
    layout.tag("application/vnd.oci.image.manifest.v1+json", manifest_, "t");
    layout.write_dir(dir_.path);
    auto image = load_image(SourceSpec{SourceKind::kOciLayout, dir_.path, "t"}, std::nullopt);
    ASSERT_TRUE(image.has_value()) << image.error().message;
    image_ = std::move(*image);
  }

  util::Result<PushSummary> push(std::vector<std::string> tags) {
    PushOptions options;
    options.tags = std::move(tags);
    options.jobs = 2;
    options.make_client = [this] { return std::make_unique<FakeRegistryClient>(registry_); };
    return push_image(image_, *ImageRef::parse("reg.example/app"), options);
  }

  std::vector<std::string> writes_since(std::size_t n) {
    return std::vector<std::string>(registry_.writes.begin() + static_cast<std::ptrdiff_t>(n), registry_.writes.end());
  }

  TempDir dir_;
  std::string manifest_;
  Image image_;
  FakeRegistry registry_;
};

TEST_F(PushTest, ColdPushUploadsEveryBlobThenWritesTheTag) {
  auto cold = push({"v1"});
  ASSERT_TRUE(cold.has_value()) << cold.error().message;
  EXPECT_EQ(cold->blobs_uploaded, 3u);
  EXPECT_EQ(cold->manifests_skipped, 0u);
  EXPECT_EQ(registry_.writes.back(), "PUT /v2/app/manifests/v1");
  EXPECT_EQ(registry_.manifests["v1"], Digest::of(manifest_).str());
}

TEST_F(PushTest, RepushOfWhatTheRegistryHoldsAsksOnceAndWritesNothing) {
  ASSERT_TRUE(push({"v1"}).has_value());
  const auto before = registry_.writes.size();
  const int heads = registry_.blob_heads;
  auto warm = push({"v1"});
  ASSERT_TRUE(warm.has_value()) << warm.error().message;
  EXPECT_EQ(writes_since(before), std::vector<std::string>{});
  EXPECT_EQ(registry_.blob_heads, heads);  // the tag answered for every blob
  EXPECT_EQ(std::pair(warm->blobs_skipped, warm->blobs_uploaded), std::pair(std::size_t{3}, std::size_t{0}));
  EXPECT_EQ(warm->manifests_skipped, 1u);
  // The HEAD asked for our media type only: no conversion by the registry.
  EXPECT_EQ(registry_.manifest_accepts.back(), "application/vnd.oci.image.manifest.v1+json");
}

TEST_F(PushTest, NewTagOnAKnownManifestWritesOnlyThatTag) {
  ASSERT_TRUE(push({"v1"}).has_value());
  const auto before = registry_.writes.size();
  const int heads = registry_.blob_heads;
  auto more = push({"v2", "v1"});
  ASSERT_TRUE(more.has_value()) << more.error().message;
  EXPECT_EQ(writes_since(before), std::vector<std::string>{"PUT /v2/app/manifests/v2"});
  EXPECT_EQ(registry_.blob_heads, heads);
  EXPECT_EQ(more->manifests_skipped, 1u);
  EXPECT_EQ(registry_.manifests["v2"], Digest::of(manifest_).str());
}

TEST_F(PushTest, TagPointingElsewhereIsMovedWhenTheManifestExistsByDigest) {
  ASSERT_TRUE(push({"v1"}).has_value());
  registry_.manifests["v1"] = Digest::of("another manifest").str();
  const auto before = registry_.writes.size();
  const int heads = registry_.blob_heads;
  auto moved = push({"v1"});
  ASSERT_TRUE(moved.has_value()) << moved.error().message;
  EXPECT_EQ(writes_since(before), std::vector<std::string>{"PUT /v2/app/manifests/v1"});
  EXPECT_EQ(registry_.blob_heads, heads);
  EXPECT_EQ(registry_.manifests["v1"], Digest::of(manifest_).str());
}

TEST_F(PushTest, RepushUnderImmutableTagsOfTheSameImageIsAlreadyThere) {
  registry_.immutable_tags = true;
  auto first = push({"v1", "latest"});
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_FALSE(first->already_there);
  auto again = push({"v1", "latest"});
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_TRUE(again->already_there);
  EXPECT_EQ(again->manifests_skipped, 2u);
}

TEST_F(PushTest, NewTagBesideAnExistingOneIsNotAlreadyThere) {
  ASSERT_TRUE(push({"v1"}).has_value());
  auto more = push({"v2", "v1"});
  ASSERT_TRUE(more.has_value()) << more.error().message;
  EXPECT_FALSE(more->already_there);
}

TEST_F(PushTest, ImmutableTagNamingAnotherImageSaysWhyAndWhatToDo) {
  registry_.immutable_tags = true;
  const std::string other = Digest::of("the first run's manifest").str();
  registry_.manifests["v1"] = other;
  auto refused = push({"v1", "latest"});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, util::ErrorKind::kConflict);
  EXPECT_EQ(refused.error().message,
            "putting manifest v1: tag v1 already names " + other + ", not this image (" + Digest::of(manifest_).str() +
                "), and the registry refused to move it: the repository's tags are immutable. A re-run of a "
                "commit's job gets here when the build is not reproducible (the commit was built before with a "
                "different result): build with SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) so the same commit "
                "gives the same digest (docs/deploy-guide.md, \"Re-running a job\"), or push under a new tag "
                "(--tag), or delete the old image (tag v1) first if you mean to replace it");
  EXPECT_EQ(registry_.manifests["v1"], other);
  EXPECT_EQ(registry_.manifests.count("latest"), 0u);  // latest keeps naming what the tag names
}

TEST_F(PushTest, ImmutableRefusalOfAnUnknownTagKeepsTheRegistrysWords) {
  registry_.immutable_tags = true;
  // The tag appears between the HEAD and the PUT (another job): nothing
  // known before, so no guess about reproducibility.
  registry_.manifests["v1"] = Digest::of("raced").str();
  registry_.hide_tags_from_head = true;
  auto refused = push({"v1"});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, util::ErrorKind::kConflict);
  EXPECT_EQ(refused.error().message.find("not reproducible"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("TAG_INVALID"), std::string::npos) << refused.error().message;
}

// Re-runs after a first run that stopped part-way, against bootstrap's
// repository (tags immutable, latest excluded): each writes what is missing
// and succeeds; none is "already there", since something was written.
TEST_F(PushTest, RerunAfterSomeBlobsWereUploadedWritesTheRestAndBothTags) {
  registry_.immutable_tags = true;
  registry_.mutable_tags = {"latest"};
  registry_.blobs[Digest::of("layer one").str()] = "layer one";
  auto rerun = push({"abc123", "latest"});
  ASSERT_TRUE(rerun.has_value()) << rerun.error().message;
  EXPECT_FALSE(rerun->already_there);
  EXPECT_EQ(std::pair(rerun->blobs_skipped, rerun->blobs_uploaded), std::pair(std::size_t{1}, std::size_t{2}));
  EXPECT_EQ(registry_.manifests["abc123"], Digest::of(manifest_).str());
  EXPECT_EQ(registry_.manifests["latest"], Digest::of(manifest_).str());
}

TEST_F(PushTest, RerunAfterTheShaTagWasWrittenMovesOnlyLatest) {
  registry_.immutable_tags = true;
  registry_.mutable_tags = {"latest"};
  ASSERT_TRUE(push({"abc123"}).has_value());
  registry_.manifests["latest"] = Digest::of("the previous commit's manifest").str();
  const auto before = registry_.writes.size();
  auto rerun = push({"abc123", "latest"});
  ASSERT_TRUE(rerun.has_value()) << rerun.error().message;
  EXPECT_EQ(writes_since(before), std::vector<std::string>{"PUT /v2/app/manifests/latest"});
  EXPECT_EQ(rerun->manifests_skipped, 1u);
  EXPECT_FALSE(rerun->already_there);
  EXPECT_EQ(registry_.manifests["latest"], Digest::of(manifest_).str());
}

TEST_F(PushTest, PushByDigestAlonePresentIsAlreadyThere) {
  ASSERT_TRUE(push({}).has_value());
  auto again = push({});
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_TRUE(again->already_there);
}

// Docker-Content-Digest of a HEAD is compared as the exact digest, spaces
// around it aside: any other answer means "not known to be this image", so
// the manifest is PUT again, which a registry with immutable tags accepts
// for the same manifest.
TEST_F(PushTest, OddDigestHeadersOfATagThatNamesThisImageArePutAgain) {
  const std::string ours = Digest::of(manifest_).str();
  std::string upper = ours;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  struct Case {
    std::optional<std::string> header;
    bool already_there;
  };
  const Case cases[] = {
      {" " + ours + "\t", true},  // spaces around: still the digest
      {std::nullopt, false},      // 200 without the header
      {"", false},
      {upper, false},             // not the digest's canonical form
      {"sha512:" + ours.substr(7), false},
      {ours + ", " + ours, false},  // a repeated header joined
  };
  ASSERT_TRUE(push({"abc123"}).has_value());
  registry_.immutable_tags = true;
  for (const auto& c : cases) {
    registry_.head_digest_header["abc123"] = c.header;
    const auto before = registry_.writes.size();
    auto again = push({"abc123"});
    const std::string label = c.header.value_or("(no header)");
    ASSERT_TRUE(again.has_value()) << label << ": " << again.error().message;
    EXPECT_EQ(again->already_there, c.already_there) << label;
    EXPECT_EQ(writes_since(before), c.already_there ? std::vector<std::string>{}
                                                    : std::vector<std::string>{"PUT /v2/app/manifests/abc123"})
        << label;
    EXPECT_EQ(registry_.manifests["abc123"], ours) << label;
  }
}

// A refusal after a HEAD whose digest header is not a digest: the header is
// never echoed, and the registry's own words stand (no guess at the cause).
TEST_F(PushTest, ImmutableRefusalAfterAHeaderThatIsNotADigestKeepsTheRegistrysWords) {
  registry_.immutable_tags = true;
  registry_.manifests["abc123"] = Digest::of("the first run's manifest").str();
  registry_.head_digest_header["abc123"] = "sha256:\x1b]0;owned\x07";
  auto refused = push({"abc123"});
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, util::ErrorKind::kConflict);
  EXPECT_EQ(refused.error().message.find('\x1b'), std::string::npos) << refused.error().message;
  EXPECT_EQ(refused.error().message.find("not reproducible"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("TAG_INVALID"), std::string::npos) << refused.error().message;
}

TEST_F(PushTest, UnknownManifestHeadsEveryBlobAndUploadsOnlyTheMissing) {
  registry_.blobs[Digest::of("layer one").str()] = "layer one";
  registry_.blobs[Digest::of("{\"config\":1}").str()] = "{\"config\":1}";
  auto partial = push({"v1"});
  ASSERT_TRUE(partial.has_value()) << partial.error().message;
  EXPECT_EQ(registry_.blob_heads, 3);
  EXPECT_EQ(registry_.writes, (std::vector<std::string>{"POST /v2/app/blobs/uploads/", "PUT /v2/app/blobs/uploads/u1",
                                                        "PUT /v2/app/manifests/v1"}));
  EXPECT_EQ(std::pair(partial->blobs_skipped, partial->blobs_uploaded), std::pair(std::size_t{2}, std::size_t{1}));
  EXPECT_EQ(registry_.blobs[Digest::of("layer two").str()], "layer two");
}

TEST_F(PushTest, PushByDigestAlonePresentWritesNothing) {
  ASSERT_TRUE(push({}).has_value());
  const auto before = registry_.writes.size();
  auto again = push({});
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(writes_since(before), std::vector<std::string>{});
  EXPECT_EQ(again->manifests_skipped, 1u);
}

}  // namespace
}  // namespace eem::oci
