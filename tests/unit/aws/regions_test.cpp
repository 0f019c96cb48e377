#include "aws/regions.h"

#include <gtest/gtest.h>

namespace eem::aws {
namespace {

TEST(Regions, KnownRegionsPass) {
  EXPECT_TRUE(check_known_region("ap-northeast-1"));
  EXPECT_TRUE(check_known_region("cn-north-1"));
  EXPECT_TRUE(check_known_region("us-gov-west-1"));
}

TEST(Regions, TyposGetTheNearestName) {
  auto typo = check_known_region("ap-northeast-l");
  ASSERT_FALSE(typo);
  EXPECT_EQ(typo.error().message, "unknown region \"ap-northeast-l\"; did you mean ap-northeast-1?");
  EXPECT_EQ(check_known_region("us-est-1").error().message, "unknown region \"us-est-1\"; did you mean us-east-1?");
}

TEST(Regions, FarOffNamesGetNoGuess) {
  EXPECT_EQ(check_known_region("moon-base-9").error().message,
            "unknown region \"moon-base-9\"; see `aws ec2 describe-regions` for valid names");
}

}  // namespace
}  // namespace eem::aws
