#pragma once
// The one retry loop of the code base (AWS API calls, registry requests, STS
// web identity). Which failures are retried is util::kind_info's `retryable`
// column and nothing else; how long to wait is this file's policy: full-jitter
// exponential backoff, or the server's Retry-After when it names one (bounded).
// Callers keep what only they know inside the attempt: signing, clock-skew
// correction, resuming an upload from the registry's Range.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "util/error.h"

namespace eem::net {

using Sleeper = std::function<void(std::chrono::milliseconds)>;

struct RetryPolicy {
  int max_attempts = 5;  // the first included
  // Ceiling of the first wait; it doubles per attempt up to `max_delay`, and
  // the wait is uniform in [0, ceiling) ("full jitter", as the AWS SDKs'
  // standard mode: botocore/retries/standard.py).
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds throttled_base_delay{1000};  // botocore: 1 s for throttling
  std::chrono::milliseconds max_delay{20'000};            // botocore's MAX_BACKOFF
  // The longest Retry-After honoured; a server asking for more is reported,
  // not waited for (minutes of silence in CI help nobody).
  std::chrono::milliseconds max_retry_after{30'000};
  // No retry starts once the waits of one request would pass this in total.
  std::chrono::milliseconds wait_budget{60'000};
  Sleeper sleep;                   // default: std::this_thread::sleep_for
  std::function<double()> random;  // uniform in [0, 1); default: a thread-local engine
};

// What one attempt knows beyond its error.
struct Attempt {
  int number = 1;  // 1 for the first
  // The server's Retry-After, when it sent one (parse_retry_after).
  std::optional<std::chrono::milliseconds> retry_after;
};

// The waiting half of the loop: decides after each failure whether to try
// again, and sleeps when it does.
class Backoff {
 public:
  explicit Backoff(const RetryPolicy& policy) : policy_(policy) {}
  // nullopt: slept, try again. Otherwise stop; the string is what to append
  // to the error's message ("" when the kind is not retryable).
  std::optional<std::string> after_failure(util::ErrorKind kind, const Attempt& attempt);

 private:
  std::chrono::milliseconds jittered(util::ErrorKind kind, int attempt) const;

  const RetryPolicy& policy_;
  std::chrono::milliseconds waited_{0};
};

// Runs `attempt(Attempt&)` until it succeeds, fails with a kind that is not
// retryable, or the policy gives up; returns the last result. The error type
// needs `kind` and `message` (util::Error, aws::ApiError).
template <class F>
std::invoke_result_t<F&, Attempt&> with_retries(const RetryPolicy& policy, F&& attempt) {
  Backoff backoff(policy);
  for (Attempt current;; ++current.number) {
    current.retry_after.reset();
    auto result = attempt(current);
    if (result) return result;
    if (auto stop = backoff.after_failure(result.error().kind, current)) {
      result.error().message += *stop;
      return result;
    }
  }
}

// Retry-After (RFC 9110 section 10.2.3): delta-seconds, or an HTTP-date
// taken relative to `now` (a date in the past is zero). nullopt for anything
// else (negative numbers, garbage), which leaves the backoff in charge.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now);

// An RFC 9110 IMF-fixdate ("Wed, 25 Nov 2026 22:10:00 GMT").
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text);

}  // namespace eem::net
