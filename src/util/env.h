#pragma once
// The environment seam: code that reads configuration takes an `EnvLookup`
// so tests pass a map instead of mutating the process environment.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace eem::util {

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Reads the real process environment.
EnvLookup process_env();

// Reads from `values` (tests).
EnvLookup map_env(std::map<std::string, std::string, std::less<>> values);

}  // namespace eem::util
