#include "util/strings.h"

#include <gtest/gtest.h>

namespace eem::util {
namespace {

TEST(Strings, TrimRemovesSpacesAndTabsOnly) {
  EXPECT_EQ(trim(" \t a b \t"), "a b");
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(trim("\nx\n"), "\nx\n");
}

TEST(Strings, SplitKeepsEmptyFields) {
  EXPECT_EQ(split("a,,b", ','), (std::vector<std::string_view>{"a", "", "b"}));
  EXPECT_EQ(split("", ','), (std::vector<std::string_view>{""}));
}

TEST(Strings, CaseInsensitiveComparisonIsAsciiOnly) {
  EXPECT_TRUE(iequals("Content-Type", "content-type"));
  EXPECT_FALSE(iequals("Content-Type", "content-typ"));
  EXPECT_TRUE(starts_with_ci("Bearer abc", "bearer "));
  EXPECT_EQ(to_lower("X-Amz-Date"), "x-amz-date");
}

TEST(Strings, ShellQuoteMakesOneWord) {
  EXPECT_EQ(shell_quote("ecs-express-mode-api"), "ecs-express-mode-api");
  EXPECT_EQ(shell_quote("file://a/b.json"), "file://a/b.json");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote(R"({"a": "b c"})"), R"('{"a": "b c"}')");
  EXPECT_EQ(shell_quote("it's $HOME"), R"('it'"'"'s $HOME')");
}

}  // namespace
}  // namespace eem::util
