#include "aws/timestamp.h"

#include <cstdlib>
#include <ctime>
#include <string>

namespace eem::aws {

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text) {
  const std::string copy(text);
  std::tm parts{};
  const char* rest = strptime(copy.c_str(), "%Y-%m-%dT%H:%M:%S", &parts);
  if (rest == nullptr) return std::nullopt;
  std::chrono::milliseconds fraction{0};
  if (*rest == '.') {
    // Digits only: strtod would also take an exponent (".5e30").
    const char* end = rest + 1;
    while (*end >= '0' && *end <= '9') ++end;
    if (end == rest + 1) return std::nullopt;
    const double value = std::strtod(std::string(rest, end).c_str(), nullptr);  // in [0, 1)
    fraction = std::chrono::milliseconds(static_cast<std::int64_t>(value * 1000.0));
    rest = end;
  }
  const std::string_view zone(rest);
  if (zone != "Z" && zone != "+00:00" && zone != "") return std::nullopt;
  const std::time_t seconds = timegm(&parts);
  if (seconds < 0 || seconds >= kEndOfTimestamps) return std::nullopt;
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds)) + fraction;
}

std::string format_iso8601(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(text, n);
}

}  // namespace eem::aws
