#pragma once
// Small string helpers shared by every domain.

#include <string>
#include <string_view>
#include <vector>

namespace eem::util {

// ASCII-only case mapping (HTTP header names, AWS identifiers).
std::string to_lower(std::string_view text);
bool iequals(std::string_view a, std::string_view b) noexcept;

// Removes leading and trailing spaces and horizontal tabs.
std::string_view trim(std::string_view text) noexcept;

// Splits on every `sep`; "a,,b" gives {"a", "", "b"}; "" gives {""}.
std::vector<std::string_view> split(std::string_view text, char sep);

bool starts_with_ci(std::string_view text, std::string_view prefix) noexcept;

// `text` as one POSIX shell word: unchanged when it holds only letters,
// digits and @%+=:,./-_ (and is not empty), else in single quotes with each '
// written as '"'"' (as Python's shlex.quote does).
std::string shell_quote(std::string_view text);

}  // namespace eem::util
