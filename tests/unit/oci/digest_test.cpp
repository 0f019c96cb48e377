#include "oci/digest.h"

#include <gtest/gtest.h>

namespace eem::oci {
namespace {

constexpr std::string_view kEmptySha =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(Digest, OfHashesTheBytes) {
  EXPECT_EQ(Digest::of("").str(), kEmptySha);
  EXPECT_EQ(Digest::of("").short_form(), "sha256:e3b0c44298fc");
  EXPECT_EQ(Digest::of("").hex().size(), 64u);
}

TEST(Digest, ParseAcceptsCanonicalSha256) {
  auto d = Digest::parse(kEmptySha);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(*d, Digest::of(""));
}

struct BadDigest {
  std::string_view text;
  util::ErrorKind kind;
  std::string_view message;
};

TEST(Digest, ParseRejectsMalformedInputWithExactMessages) {
  const BadDigest cases[] = {
      {"e3b0c442", util::ErrorKind::kInvalidInput,
       "invalid digest \"e3b0c442\": expected sha256:<64 hex digits>"},
      {"sha256:abc", util::ErrorKind::kInvalidInput,
       "invalid digest \"sha256:abc\": expected sha256:<64 hex digits>"},
      {"sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
       util::ErrorKind::kInvalidInput,
       "invalid digest \"sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\": "
       "expected sha256:<64 hex digits>"},
      {"sha512:abcd", util::ErrorKind::kUnsupported,
       "unsupported digest algorithm \"sha512\": only sha256 is supported"},
  };
  for (const auto& c : cases) {
    auto d = Digest::parse(c.text);
    ASSERT_FALSE(d.has_value()) << c.text;
    EXPECT_EQ(d.error().kind, c.kind) << c.text;
    EXPECT_EQ(d.error().message, c.message);
  }
}

}  // namespace
}  // namespace eem::oci
