#include "crypto/base64.h"

#include <gtest/gtest.h>

namespace eem::crypto {
namespace {

// RFC 4648 section 10 vectors.
TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zg==").value(), "f");
  EXPECT_EQ(base64_decode("Zm8=").value(), "fo");
  EXPECT_EQ(base64_decode("Zm9vYmFy").value(), "foobar");
}

TEST(Base64, RejectsMalformedInput) {
  EXPECT_FALSE(base64_decode("Zm9").has_value());
  EXPECT_FALSE(base64_decode("Zm9v YmFy").has_value());
  EXPECT_FALSE(base64_decode("Zm9-").has_value());
}

TEST(Base64Url, UnpaddedRoundTrip) {
  const std::string bytes("\xfb\xff\xfe", 3);
  EXPECT_EQ(base64url_encode(bytes), "-__-");
  EXPECT_EQ(base64url_decode("-__-").value(), bytes);
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_decode("Zg").value(), "f");
  EXPECT_FALSE(base64url_decode("Zg==").has_value());
  EXPECT_FALSE(base64url_decode("Z").has_value());
}

}  // namespace
}  // namespace eem::crypto
