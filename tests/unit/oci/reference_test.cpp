#include "oci/reference.h"

#include <gtest/gtest.h>

namespace eem::oci {
namespace {

constexpr std::string_view kEcr = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com";

struct GoodRef {
  std::string_view text;
  std::string_view registry;
  std::string_view repository;
  std::optional<std::string_view> tag;
};

TEST(ImageRef, ParsesRegistryRepositoryAndTag) {
  const GoodRef cases[] = {
      {"123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/ecs-express-mode-api:abc123", kEcr,
       "ecs-express-mode-api", "abc123"},
      {"localhost:5000/a/b/c:v1.2_3-x", "localhost:5000", "a/b/c", "v1.2_3-x"},
      {"127.0.0.1:5000/app", "127.0.0.1:5000", "app", std::nullopt},
      {"localhost/my__app.x-y--z:latest", "localhost", "my__app.x-y--z", "latest"},
      {"ghcr.io/owner/repo:_", "ghcr.io", "owner/repo", "_"},
  };
  for (const auto& c : cases) {
    auto r = ImageRef::parse(c.text);
    ASSERT_TRUE(r.has_value()) << c.text << ": " << r.error().message;
    EXPECT_EQ(r->registry, c.registry);
    EXPECT_EQ(r->repository, c.repository);
    EXPECT_EQ(r->tag, c.tag);
    EXPECT_EQ(r->str(), c.text);
  }
}

TEST(ImageRef, ParsesDigest) {
  const std::string text = "localhost:5000/app:v1@" + Digest::of("x").str();
  auto r = ImageRef::parse(text);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->digest, Digest::of("x"));
  EXPECT_EQ(r->tag, "v1");
  EXPECT_EQ(r->str(), text);
}

TEST(ImageRef, RecognisesEcrHosts) {
  auto r = ImageRef::parse(std::string(kEcr) + "/app:1");
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(r->ecr().has_value());
  EXPECT_EQ(r->ecr()->account, "123456789012");
  EXPECT_EQ(r->ecr()->region, "ap-northeast-1");
  EXPECT_FALSE(ImageRef::parse("localhost:5000/app")->ecr().has_value());
  EXPECT_TRUE(parse_ecr_host("123456789012.dkr.ecr-fips.us-east-1.amazonaws.com").has_value());
  EXPECT_TRUE(parse_ecr_host("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn").has_value());
  EXPECT_FALSE(parse_ecr_host("12345.dkr.ecr.us-east-1.amazonaws.com").has_value());
}

struct BadRef {
  std::string_view text;
  std::string_view message;
};

TEST(ImageRef, RejectsMistakesWithActionableMessages) {
  const BadRef cases[] = {
      {"", "image reference is empty"},
      {"https://123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:1",
       "image reference \"https://123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:1\": remove "
       "the scheme \"https://\"; write REGISTRY/REPOSITORY:TAG"},
      {"app:1",
       "image reference \"app:1\": no registry host; write REGISTRY/REPOSITORY:TAG, for example "
       "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app"},
      {"library/app:1",
       "image reference \"library/app:1\": no registry host; write REGISTRY/REPOSITORY:TAG, for "
       "example 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/library/app"},
      {"123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/123456789012.dkr.ecr.ap-northeast-1."
       "amazonaws.com/app:1",
       "image reference \"123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/123456789012.dkr.ecr."
       "ap-northeast-1.amazonaws.com/app:1\": the repository \"123456789012.dkr.ecr.ap-northeast-1."
       "amazonaws.com/app\" contains the registry host \"123456789012.dkr.ecr.ap-northeast-1."
       "amazonaws.com\"; the repository is only the part after the host (\"app\")"},
      {"localhost:5000/App:1",
       "image reference \"localhost:5000/App:1\": repository names must be lower case: \"App\""},
      {"localhost:5000/a..b:1",
       "image reference \"localhost:5000/a..b:1\": invalid repository path component \"a..b\": use "
       "lower-case letters and digits separated by '.', '_', '__' or '-'"},
      {"localhost:5000/a//b", "image reference \"localhost:5000/a//b\": invalid repository path "
                              "component \"\": use lower-case letters and digits separated by '.', "
                              "'_', '__' or '-'"},
      {"localhost:5000/:1", "image reference \"localhost:5000/:1\": the repository name is empty"},
      {"localhost:5000/a:-x",
       "image reference \"localhost:5000/a:-x\": invalid tag \"-x\": use up to 128 letters, digits, "
       "'_', '.' and '-', not starting with '.' or '-'"},
      {"localhost:5000/a@sha256:12",
       "image reference \"localhost:5000/a@sha256:12\": invalid digest \"sha256:12\": expected "
       "sha256:<64 hex digits>"},
  };
  for (const auto& c : cases) {
    auto r = ImageRef::parse(c.text);
    ASSERT_FALSE(r.has_value()) << c.text;
    EXPECT_EQ(r.error().kind, util::ErrorKind::kInvalidInput);
    EXPECT_EQ(r.error().message, c.message);
  }
}

TEST(ImageRef, TagLengthIsLimitedTo128) {
  EXPECT_TRUE(parse_tag(std::string(128, 'a')).has_value());
  EXPECT_FALSE(parse_tag(std::string(129, 'a')).has_value());
  EXPECT_FALSE(parse_tag(".x").has_value());
  EXPECT_FALSE(parse_tag("a/b").has_value());
}

}  // namespace
}  // namespace eem::oci
