#include "bootstrap/json_diff.h"

#include <gtest/gtest.h>

namespace eem::bootstrap {
namespace {

TEST(JsonDiff, NormalisingSortsKeysAndIgnoresWhitespace) {
  EXPECT_EQ(normalize_json(R"({"b":1,  "a":[true]})"), "{\n  \"a\": [\n    true\n  ],\n  \"b\": 1\n}");
  EXPECT_TRUE(same_json(R"({"b":1,"a":2})", "{\n \"a\": 2, \"b\": 1}"));
  EXPECT_FALSE(same_json(R"({"a":"x"})", R"({"a":["x"]})"));
}

TEST(JsonDiff, NotJsonIsKeptAsIs) { EXPECT_EQ(normalize_json("not json {"), "not json {"); }

TEST(JsonDiff, LineDiffShowsRemovalsBeforeAdditions) {
  EXPECT_EQ(line_diff("a\nb\nc", "a\nx\nc"), "  a\n- b\n+ x\n  c\n");
  EXPECT_EQ(line_diff("", "a"), "+ a\n");
  EXPECT_EQ(line_diff("a\nb", "a"), "  a\n- b\n");
}

}  // namespace
}  // namespace eem::bootstrap
