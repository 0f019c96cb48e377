#pragma once
// Internal to eem_iam: how a policy's own text appears in messages. A policy
// file is untrusted input; an invalid 100 MB Action must not come back whole
// on stderr (issue 13, item 6), so every echoed key or value goes through here.

#include <cstddef>
#include <string>
#include <string_view>

namespace eem::iam::detail {

// Bytes of a key or value echoed before it is cut: a message stays one line.
inline constexpr std::size_t kMaxEchoBytes = 100;

// `value` as a JSON string literal ("a\"b"), escaped as nlohmann's dump()
// does; longer than kMaxEchoBytes, it is cut at a UTF-8 boundary and ends
// with an ellipsis inside the quotes: "AAAA…".
std::string quoted_prefix(std::string_view value);

// quoted_prefix(`value`), followed by " (N bytes)" when it was cut.
std::string quoted_excerpt(std::string_view value);

// `value` itself when it is short and plain (no quote, backslash or control
// character), as in "every repository of octo"; else quoted_excerpt(`value`).
std::string plain_or_excerpt(std::string_view value);

// `text` (a message of ours that quotes input) cut to `limit` bytes at a
// UTF-8 boundary, with an ellipsis when cut.
std::string cut_to(std::string_view text, std::size_t limit);

}  // namespace eem::iam::detail
