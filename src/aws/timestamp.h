#pragma once
// ISO 8601 timestamps as AWS APIs return them ("2026-11-25T23:06:35Z",
// "2026-11-25T23:06:35.123Z", "2026-11-25T23:06:35+00:00") and epoch seconds
// (JSON 1.1 timestamps).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace eem::aws {

// Parses the UTC forms above; nullopt on anything else.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

// "2026-11-25T23:06:35Z".
std::string format_iso8601(std::chrono::system_clock::time_point time);

}  // namespace eem::aws
