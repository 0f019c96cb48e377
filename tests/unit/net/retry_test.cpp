#include "net/retry.h"

#include <gtest/gtest.h>

#include <vector>

namespace eem::net {
namespace {

using std::chrono::milliseconds;
using util::ErrorKind;

struct Recorder {
  std::vector<milliseconds> sleeps;
  RetryPolicy policy() {
    RetryPolicy p;
    p.sleep = [this](milliseconds d) { sleeps.push_back(d); };
    p.random = [] { return 0.5; };
    return p;
  }
};

// Fails with the kinds in `kinds` (one per attempt), then succeeds.
auto scripted(std::vector<ErrorKind> kinds, int& calls,
              std::vector<std::optional<milliseconds>> retry_after = {}) {
  return [kinds, &calls, retry_after](Attempt& attempt) -> util::Result<int> {
    const auto i = static_cast<std::size_t>(calls++);
    EXPECT_EQ(attempt.number, calls);
    if (i < retry_after.size()) attempt.retry_after = retry_after[i];
    if (i < kinds.size()) return util::fail(kinds[i], "failure " + std::to_string(i + 1));
    return 42;
  };
}

TEST(Retry, RetryableKindsAreRetriedWithFullJitterBackoff) {
  Recorder r;
  int calls = 0;
  auto result = with_retries(r.policy(), scripted({ErrorKind::kTransient, ErrorKind::kThrottled, ErrorKind::kTransient},
                                                  calls));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, 42);
  // random() = 0.5 of the ceilings 200 ms, 1 s * 2, 200 ms * 4.
  EXPECT_EQ(r.sleeps, (std::vector<milliseconds>{milliseconds(100), milliseconds(1000), milliseconds(400)}));
}

TEST(Retry, KindsThatAreNotRetryableStopAtOnceUnchanged) {
  for (const auto kind : {ErrorKind::kDenied, ErrorKind::kInvalidInput, ErrorKind::kNotFound, ErrorKind::kExpired,
                          ErrorKind::kConflict}) {
    Recorder r;
    int calls = 0;
    auto result = with_retries(r.policy(), scripted({kind, kind}, calls));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(result.error().message, "failure 1");
    EXPECT_TRUE(r.sleeps.empty());
  }
}

TEST(Retry, GivesUpAfterMaxAttemptsSayingSo) {
  Recorder r;
  int calls = 0;
  auto result = with_retries(r.policy(), scripted(std::vector<ErrorKind>(9, ErrorKind::kTransient), calls));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(calls, 5);
  EXPECT_EQ(result.error().message, "failure 5 (gave up after 5 attempts)");
  EXPECT_EQ(r.sleeps.size(), 4u);
}

TEST(Retry, RetryAfterReplacesTheBackoff) {
  Recorder r;
  int calls = 0;
  auto result = with_retries(r.policy(), scripted({ErrorKind::kThrottled, ErrorKind::kTransient}, calls,
                                                  {milliseconds(1000), milliseconds(0)}));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(r.sleeps, (std::vector<milliseconds>{milliseconds(1000), milliseconds(0)}));
}

TEST(Retry, RetryAfterLongerThanTheBoundIsReportedNotWaited) {
  Recorder r;
  int calls = 0;
  auto result = with_retries(r.policy(), scripted({ErrorKind::kThrottled}, calls, {milliseconds(3'600'000)}));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(result.error().message,
            "failure 1 (the server asked to retry after 3600 s, longer than the 30 s shipctl waits; gave up after 1 "
            "attempt)");
  EXPECT_TRUE(r.sleeps.empty());
}

TEST(Retry, WaitBudgetBoundsTheTotalWait) {
  Recorder r;
  auto policy = r.policy();
  policy.max_attempts = 100;
  int calls = 0;
  auto result = with_retries(policy, scripted(std::vector<ErrorKind>(100, ErrorKind::kThrottled), calls,
                                              std::vector<std::optional<milliseconds>>(100, milliseconds(25'000))));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(calls, 3);  // 25 s + 25 s waited; a third wait would pass 60 s
  EXPECT_EQ(result.error().message, "failure 3 (gave up after 3 attempts and 50 s of waiting)");
}

TEST(RetryAfter, DeltaSecondsDateAndGarbage) {
  const auto now = std::chrono::sys_days(std::chrono::year(2026) / 11 / 25) + std::chrono::hours(22);
  EXPECT_EQ(parse_retry_after("1", now), milliseconds(1000));
  EXPECT_EQ(parse_retry_after(" 0 ", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after("Wed, 25 Nov 2026 22:00:07 GMT", now), milliseconds(7000));
  EXPECT_EQ(parse_retry_after("Wed, 25 Nov 2026 21:00:00 GMT", now), milliseconds(0));  // in the past
  // Huge values are clamped (then refused by the bound), never overflow.
  EXPECT_EQ(parse_retry_after("99999999999999999999999", now), std::chrono::seconds(1'000'000'000));
  EXPECT_EQ(parse_retry_after("-1", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("1.5", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("Wed, 25 Nov 2026 22:00:07 GMT trailing", now), std::nullopt);
}

}  // namespace
}  // namespace eem::net
