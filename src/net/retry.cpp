#include "net/retry.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <random>
#include <thread>

#include "util/strings.h"

namespace eem::net {

namespace {

using std::chrono::milliseconds;

// Larger delta-seconds are read as this: far past any wait we honour, and far
// from overflowing milliseconds.
constexpr std::uint64_t kRetryAfterClampSeconds = 1'000'000'000;

double default_random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

std::string seconds_text(milliseconds ms) {
  return std::to_string((ms.count() + 999) / 1000) + " s";
}

}  // namespace

milliseconds Backoff::jittered(util::ErrorKind kind, int attempt) const {
  const auto base = kind == util::ErrorKind::kThrottled ? policy_.throttled_base_delay : policy_.base_delay;
  const double ceiling = std::min(static_cast<double>(base.count()) * static_cast<double>(1LL << std::min(attempt - 1, 20)),
                                  static_cast<double>(policy_.max_delay.count()));
  const double r = policy_.random ? policy_.random() : default_random();
  return milliseconds(static_cast<std::int64_t>(r * ceiling));
}

std::optional<std::string> Backoff::after_failure(util::ErrorKind kind, const Attempt& attempt) {
  if (!util::kind_info(kind).retryable) return std::string();
  const std::string tries = std::to_string(attempt.number) + (attempt.number == 1 ? " attempt" : " attempts");
  if (attempt.retry_after && *attempt.retry_after > policy_.max_retry_after) {
    return " (the server asked to retry after " + seconds_text(*attempt.retry_after) + ", longer than the " +
           seconds_text(policy_.max_retry_after) + " shipctl waits; gave up after " + tries + ")";
  }
  if (attempt.number >= policy_.max_attempts) {
    return attempt.number > 1 ? " (gave up after " + tries + ")" : std::string();
  }
  const milliseconds wait = attempt.retry_after ? *attempt.retry_after : jittered(kind, attempt.number);
  if (waited_ + wait > policy_.wait_budget) {
    return " (gave up after " + tries + " and " + seconds_text(waited_) + " of waiting)";
  }
  waited_ += wait;
  if (policy_.sleep) {
    policy_.sleep(wait);
  } else if (wait.count() > 0) {
    std::this_thread::sleep_for(wait);
  }
  return std::nullopt;
}

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text) {
  std::tm parts{};
  const std::string copy(util::trim(text));
  const char* end = strptime(copy.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return std::chrono::sys_seconds(std::chrono::seconds(timegm(&parts)));
}

std::optional<milliseconds> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) {
  const auto text = util::trim(value);
  if (text.empty()) return std::nullopt;
  if (text.find_first_not_of("0123456789") == std::string_view::npos) {
    std::uint64_t seconds = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec == std::errc::result_out_of_range || seconds > kRetryAfterClampSeconds) seconds = kRetryAfterClampSeconds;
    else if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return std::chrono::duration_cast<milliseconds>(std::chrono::seconds(seconds));
  }
  const auto date = parse_http_date(text);
  if (!date) return std::nullopt;
  const auto delta = std::chrono::duration_cast<milliseconds>(*date - now);
  return std::max(delta, milliseconds(0));
}

}  // namespace eem::net
