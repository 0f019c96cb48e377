#pragma once
// A line diff for showing a corrected policy beside the current one.

#include <string>
#include <string_view>

namespace eem::doctor {

// Every line of `before` and `after`, prefixed "- " (only in before), "+ "
// (only in after) or "  " (in both), in order, from a longest common
// subsequence of lines. Policies are a few dozen lines, so the quadratic
// table is cheap. Empty when the texts are equal.
std::string line_diff(std::string_view before, std::string_view after);

}  // namespace eem::doctor
