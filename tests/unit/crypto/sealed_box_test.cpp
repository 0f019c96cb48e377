#include "crypto/sealed_box.h"

#include <gtest/gtest.h>

namespace eem::crypto {
namespace {

TEST(SealedBox, RoundTripsThroughCryptoBoxSealOpen) {
  const auto keys = generate_box_keypair();
  auto sealed = seal("arn:aws:iam::123456789012:role/GitHubActionsECRRole", keys.public_key);
  ASSERT_TRUE(sealed);
  EXPECT_EQ(sealed->size(), 48u + 51u);  // crypto_box_SEALBYTES + the 51-byte plaintext
  auto opened = seal_open(*sealed, keys);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, "arn:aws:iam::123456789012:role/GitHubActionsECRRole");
}

TEST(SealedBox, EverySealIsFresh) {
  const auto keys = generate_box_keypair();
  EXPECT_NE(*seal("x", keys.public_key), *seal("x", keys.public_key));
}

TEST(SealedBox, AnotherKeyCannotOpen) {
  const auto keys = generate_box_keypair();
  auto sealed = seal("secret", keys.public_key);
  auto opened = seal_open(*sealed, generate_box_keypair());
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().kind, util::ErrorKind::kDenied);
}

TEST(SealedBox, WrongKeySizeIsInvalidInput) {
  auto sealed = seal("x", "short");
  ASSERT_FALSE(sealed);
  EXPECT_EQ(sealed.error().message, "sealed box: public key is 5 bytes, expected 32");
}

}  // namespace
}  // namespace eem::crypto
