#include "aws/timestamp.h"

#include <gtest/gtest.h>

namespace eem::aws {
namespace {

std::int64_t millis(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TEST(Iso8601, ParsesTheFormsAwsReturns) {
  EXPECT_EQ(millis(*parse_iso8601("2026-11-25T23:06:35Z")), 1795647995000);
  EXPECT_EQ(millis(*parse_iso8601("2026-11-25T23:06:35.123Z")), 1795647995123);
  EXPECT_EQ(millis(*parse_iso8601("2026-11-25T23:06:35+00:00")), 1795647995000);
}

// Issue 13, item 7: a fraction with an exponent, or a year past what
// system_clock's int64 nanoseconds hold (2262), made an undefined conversion.
TEST(Iso8601, TimestampsNoClockHoldsAreNotTimestamps) {
  for (const char* text : {"2026-11-25T23:06:35.5e30Z", "2026-11-25T23:06:35.Z", "9999-12-31T23:59:59Z",
                           "2262-04-12T00:00:00Z", "2200-01-01T00:00:00Z"}) {
    EXPECT_FALSE(parse_iso8601(text).has_value()) << text;
  }
  EXPECT_EQ(millis(*parse_iso8601("2199-12-31T23:59:59.999Z")), 7258118399999);
}

}  // namespace
}  // namespace eem::aws
