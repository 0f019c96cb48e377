#pragma once
// Policy documents compared as data, shown as text: JSON is normalised
// (keys sorted, two-space indent) so formatting and key order never count as
// drift, and a drifted document is shown as a line diff of the normalised forms.

#include <string>
#include <string_view>

namespace eem::bootstrap {

// `text` parsed and pretty-printed with sorted keys; `text` itself when it
// is not JSON (so a broken document still shows, and differs).
std::string normalize_json(std::string_view text);

// True when both documents normalise to the same text.
bool same_json(std::string_view a, std::string_view b);

// A line diff of `before` and `after` (longest common subsequence): every
// line prefixed "  " (kept), "- " (removed) or "+ " (added), '\n'-terminated.
std::string line_diff(std::string_view before, std::string_view after);

}  // namespace eem::bootstrap
