#include "doctor/line_diff.h"

#include <gtest/gtest.h>

namespace eem::doctor {
namespace {

TEST(LineDiff, EqualTextsGiveNothing) { EXPECT_EQ(line_diff("a\nb\n", "a\nb"), ""); }

TEST(LineDiff, ChangedLineIsRemovedThenAdded) {
  EXPECT_EQ(line_diff("a\nb\nc\n", "a\nB\nc\n"), "  a\n- b\n+ B\n  c\n");
}

TEST(LineDiff, InsertionsAndDeletionsKeepOrder) {
  EXPECT_EQ(line_diff("x\ny\n", "w\nx\nz\n"), "+ w\n  x\n- y\n+ z\n");
  EXPECT_EQ(line_diff("", "a\n"), "+ a\n");
}

}  // namespace
}  // namespace eem::doctor
