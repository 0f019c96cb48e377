#include "util/error.h"

#include <gtest/gtest.h>

namespace eem::util {
namespace {

TEST(Error, WithContextPrefixesTheMessage) {
  const Error e{ErrorKind::kTransient, "HTTP 503 from registry"};
  const Error outer = e.with_context("pushing layer sha256:ab12");
  EXPECT_EQ(outer.message, "pushing layer sha256:ab12: HTTP 503 from registry");
  EXPECT_EQ(outer.kind, ErrorKind::kTransient);
}

TEST(Error, PolicyTableRetriesOnlyTransientKinds) {
  EXPECT_TRUE(kind_info(ErrorKind::kThrottled).retryable);
  EXPECT_TRUE(kind_info(ErrorKind::kTransient).retryable);
  EXPECT_FALSE(kind_info(ErrorKind::kDenied).retryable);
  EXPECT_FALSE(kind_info(ErrorKind::kInvalidInput).retryable);
  EXPECT_EQ(kind_info(ErrorKind::kInvalidInput).exit_code, 2);
  EXPECT_EQ(kind_info(ErrorKind::kInternal).name, "internal");
}

TEST(Error, DeployOutcomesHaveTheirOwnExitCodesAndAreNotRetried) {
  const std::pair<ErrorKind, int> outcomes[] = {{ErrorKind::kDeployTimedOut, 10}, {ErrorKind::kDeployStopped, 11},
                                                {ErrorKind::kRolledBack, 12}, {ErrorKind::kRollbackFailed, 13},
                                                {ErrorKind::kVerifyFailed, 14}};
  for (const auto& [kind, code] : outcomes) {
    EXPECT_EQ(kind_info(kind).exit_code, code);
    EXPECT_FALSE(kind_info(kind).retryable);
  }
  EXPECT_EQ(kind_info(ErrorKind::kRolledBack).name, "rolled_back");
}

TEST(Error, FailBuildsAnUnexpected) {
  const Result<int> r = fail(ErrorKind::kNotFound, "no such repository");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(r.error().message, "no such repository");
}

}  // namespace
}  // namespace eem::util
