#pragma once
// The process environment behind a seam: code that reads AWS_* variables
// takes an `Env`, so tests pass a map instead of mutating the real one.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace eem::aws {

// Returns the variable's value, or nullopt when unset. An empty value counts
// as unset everywhere in this library, as in the AWS SDKs.
using Env = std::function<std::optional<std::string>(std::string_view name)>;

// The real environment (getenv).
Env process_env();

// A fixed environment for tests.
Env map_env(std::map<std::string, std::string, std::less<>> values);

}  // namespace eem::aws
