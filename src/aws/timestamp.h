#pragma once
// ISO 8601 timestamps as AWS APIs return them ("2026-11-25T23:06:35Z",
// "2026-11-25T23:06:35.123Z", "2026-11-25T23:06:35+00:00") and epoch seconds
// (JSON 1.1 timestamps).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eem::aws {

// 2200-01-01T00:00:00Z in epoch seconds. system_clock counts nanoseconds in
// 64 bits, up to 2262; AWS timestamps are near now, so a later one is no
// timestamp (converting it to an integer would be undefined behaviour).
inline constexpr std::int64_t kEndOfTimestamps = 7258118400;

// Parses the UTC forms above, from 1970 to kEndOfTimestamps (excluded);
// nullopt on anything else.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

// "2026-11-25T23:06:35Z".
std::string format_iso8601(std::chrono::system_clock::time_point time);

}  // namespace eem::aws
