#include "oci/tag_conflict.h"

#include <gtest/gtest.h>

namespace eem::oci {
namespace {

const Endpoint kEcr{"https://123456789012.dkr.ecr.ap-northeast-1.amazonaws.com", "app",
                    EcrRegistry{"123456789012", "ap-northeast-1"}};
const Endpoint kOther{"https://reg:5000", "app", std::nullopt};

std::string digest(std::string_view text) { return Digest::of(text).str(); }

TEST(ImmutableTagError, ATagStillNamingAnotherImageIsImmutableAndNamesTheFixes) {
  const auto error = immutable_tag_error(kEcr, "abc123", digest("first"), digest("first"), Digest::of("second"));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, util::ErrorKind::kConflict);
  EXPECT_EQ(error->message,
            "putting manifest abc123: tag abc123 already names " + digest("first") + ", not this image (" +
                digest("second") + "), and the registry refused to move it: the repository's tags are immutable. "
                "A re-run of a commit's job gets here when the build is not reproducible (the commit was built "
                "before with a different result): build with SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) so the "
                "same commit gives the same digest (docs/deploy-guide.md, \"Re-running a job\"), or push under a "
                "new tag (--tag), or delete the old image first if you mean to replace it (aws ecr "
                "batch-delete-image --repository-name app --image-ids imageTag=abc123 --region ap-northeast-1)");
}

TEST(ImmutableTagError, OtherRegistriesGetNoAwsCommand) {
  const auto error = immutable_tag_error(kOther, "v1", digest("first"), digest("first"), Digest::of("second"));
  ASSERT_TRUE(error.has_value());
  EXPECT_TRUE(error->message.ends_with("or delete the old image (tag v1) first if you mean to replace it"))
      << error->message;
}

// Every case but "named another image before, and still does" leaves the
// registry's own error: the cause would be a guess.
TEST(ImmutableTagError, NoGuessWithoutTheTagsDigestBeforeAndAfter) {
  const Digest pushing = Digest::of("second");
  struct Case {
    std::string before, after;
  };
  const Case cases[] = {
      {"", ""},                               // unknown before (no read permission) or absent
      {"", digest("first")},                  // appeared meanwhile
      {digest("first"), ""},                  // unreadable after
      {digest("first"), digest("third")},     // moved meanwhile by someone else
      {pushing.str(), pushing.str()},         // already this image
      {"sha256:not\x1b[31mhex", "sha256:not\x1b[31mhex"},  // not a digest: never echoed
  };
  for (const auto& c : cases) {
    EXPECT_FALSE(immutable_tag_error(kEcr, "v1", c.before, c.after, pushing).has_value())
        << "before " << c.before << " after " << c.after;
  }
}

}  // namespace
}  // namespace eem::oci
