#include "audit/filter_pattern.h"

#include <gtest/gtest.h>

namespace eem::audit {
namespace {

struct Case {
  const char* pattern;
  const char* name;
  bool matches;
};

// GitHub docs "Workflow syntax for GitHub Actions", "Patterns to match
// branches and tags" and "Patterns to match file paths": each example of the
// cheat sheet, and names its description rules out.
const Case kCases[] = {
    {"feature/*", "feature/my-branch", true},
    {"feature/*", "feature/your-branch", true},
    {"feature/*", "feature/beta-a/my-branch", false},
    {"feature/**", "feature/beta-a/my-branch", true},
    {"feature/**", "feature/your-branch", true},
    {"feature/**", "feature/mona/the/octocat", true},
    {"main", "main", true},
    {"main", "main2", false},
    {"releases/mona-the-octocat", "releases/mona-the-octocat", true},
    {"*", "main", true},
    {"*", "releases", true},
    {"*", "releases/v1", false},
    {"**", "all/the/branches", true},
    {"**", "every/tag", true},
    {"*feature", "mona-feature", true},
    {"*feature", "feature", true},
    {"*feature", "ver-10-feature", true},
    {"v2*", "v2", true},
    {"v2*", "v2.0", true},
    {"v2*", "v2.9", true},
    {"v2*", "v3", false},
    {"v[12].[0-9]+.[0-9]+", "v1.10.1", true},
    {"v[12].[0-9]+.[0-9]+", "v2.0.0", true},
    {"v[12].[0-9]+.[0-9]+", "v3.0.0", false},
    {"v[12].[0-9]+.[0-9]+", "v1..0", false},
    {"*.jsx?", "page.js", true},
    {"*.jsx?", "page.jsx", true},
    {"*.jsx?", "page.jsxx", false},
    {"**.js", "index.js", true},
    {"**.js", "js/index.js", true},
    {"**.js", "src/js/app.js", true},
    {"docs/**/*.md", "docs/README.md", true},
    {"docs/**/*.md", "docs/mona/octocat.md", true},
    {"docs/**/*.md", "docs/a/b/c.md", true},
    {"**/docs/**", "docs/hello.md", true},
    {"**/docs/**", "dir/docs/my-file.txt", true},
    {"**/README.md", "README.md", true},
    {"**/README.md", "js/README.md", true},
    {"**/*-post.md", "my-post.md", true},
    {"**/*-post.md", "path/their-post.md", true},
    {"[CB]at", "Cat", true},
    {"[CB]at", "Bat", true},
    {"[CB]at", "Rat", false},
    {"[1-2]00", "200", true},
    {"[1-2]00", "300", false},
    // Escapes, and quantifiers with nothing before them, are literal.
    {"release\\*", "release*", true},
    {"release\\*", "releases", false},
    {"+x", "+x", true},
    {"a+", "aaa", true},
    {"a+", "", false},
    // Malformed patterns match nothing.
    {"[abc", "a", false},
    {"[]", "", false},
    {"x\\", "x", false},
    {"[z-a]", "m", false},
};

TEST(FilterPattern, MatchesGithubsDocumentedExamples) {
  for (const auto& c : kCases) {
    EXPECT_EQ(filter_match(c.pattern, c.name), c.matches) << c.pattern << " vs " << c.name;
  }
}

TEST(FilterPattern, LaterNegativePatternsExclude) {
  // The docs' example: releases/** but not releases/**-alpha.
  const std::vector<std::string> list{"releases/**", "!releases/**-alpha"};
  EXPECT_TRUE(filter_list_match(list, "releases/10"));
  EXPECT_TRUE(filter_list_match(list, "releases/beta/mona"));
  EXPECT_FALSE(filter_list_match(list, "releases/10-alpha"));
  EXPECT_FALSE(filter_list_match(list, "releases/beta/3-alpha"));
  EXPECT_FALSE(filter_list_match(list, "main"));
  // Order matters: a positive pattern after a negative one includes again.
  EXPECT_TRUE(filter_list_match({"!main", "main"}, "main"));
  EXPECT_FALSE(filter_list_match({"main", "!main"}, "main"));
}

TEST(FilterPattern, ExamplesMatchTheirPattern) {
  for (const char* p : {"main", "feature/*", "feature/**", "v[12].[0-9]+.[0-9]+", "*.jsx?", "docs/**/*.md", "a+b?c"}) {
    EXPECT_TRUE(filter_match(p, filter_example(p))) << p << " -> " << filter_example(p);
  }
  EXPECT_EQ(filter_example("release/**"), "release/x");
  EXPECT_EQ(filter_example("v[12].[0-9]+"), "v1.0");
}

TEST(FilterPattern, IamFormCoversThePattern) {
  bool exact = false;
  EXPECT_EQ(filter_to_iam("main", exact), "main");
  EXPECT_TRUE(exact);
  EXPECT_EQ(filter_to_iam("release/**", exact), "release/*");
  EXPECT_FALSE(exact);
  EXPECT_EQ(filter_to_iam("v[12].[0-9]+", exact), "v*.*");
  EXPECT_FALSE(exact);
  EXPECT_EQ(filter_to_iam("[abc", exact), "*");
}

TEST(FilterPattern, HostilePatternsStayLinear) {
  // A backtracking matcher takes exponential time on this; ours walks a
  // table of tokens x characters.
  std::string pattern;
  for (int i = 0; i < 200; ++i) pattern += "a?";
  pattern += std::string(200, 'a');
  EXPECT_TRUE(filter_match(pattern, std::string(200, 'a')));
  EXPECT_FALSE(filter_match(std::string(600, '*') + "b", std::string(1000, 'a')));
  EXPECT_FALSE(filter_match("**", std::string(2000, 'a')));  // over the length cap
}

}  // namespace
}  // namespace eem::audit
